import ConfigFormat

/// The configuration's `buffer` section (IMI 2.0's buffer elements,
/// Docs/configuration.md, Docs/jacobians.md "Buffer regions"):
///
///     buffer:
///       region_of_interest: china     # land | china | a Kou2023 region name | box:S,N,W,E
///       prior_error_scale: 2          # the buffer's prior σ times this
///
/// It scales the prior error outside the region of interest in both
/// methods: the GCASv2 flux ensemble's λ δ E^p deviations per cell, and the
/// synthesis's B (the default of `--region-of-interest` and
/// `--buffer-prior-error-scale`). A cell's factor is w + (1 − w) s, w its
/// share of the region.
public struct BufferSettings: Sendable, Equatable, ConfigPrintable {
    public let regionOfInterest: RegionOfInterest
    /// s: multiplies the prior σ outside the region of interest.
    public let priorErrorScale: Double

    public init(regionOfInterest: RegionOfInterest, priorErrorScale: Double) {
        self.regionOfInterest = regionOfInterest
        self.priorErrorScale = priorErrorScale
    }

    /// Reads the section (strict: unknown keys are errors).
    init(_ section: ConfigMapping) throws(ConfigError) {
        let text: String = try section.value("region_of_interest")
        guard let region = RegionOfInterest(argument: text) else {
            throw section.error("region_of_interest", "'\(text)' is not land, china, a Kou2023 region name or box:S,N,W,E "
                                + "(south < north, west < east, degrees)")
        }
        regionOfInterest = region
        priorErrorScale = try section.value("prior_error_scale", in: 1e-6...1e6)
        try section.finish()
    }

    public var configNode: ConfigNode {
        .mapping([("region_of_interest", .text(regionOfInterest.description)), ("prior_error_scale", .number(priorErrorScale))])
    }

    /// Each cell's factor on the prior σ, w + (1 − w) s (j * nx + i).
    public func cellFactors(config: ExperimentConfig) throws -> [Double] {
        try regionOfInterest.cellWeights(config: config).map { $0 + (1 - $0) * priorErrorScale }
    }
}
