import ConfigFormat

/// The `transport:` section of a run configuration:
///
///     transport:
///       advection: van-leer      # van-leer (default, the model), fromm or upwind
///       courant_limit: 1.0       # largest Courant number of a sweep, 0.1 ... 1
///
/// `fromm` and `upwind` are linear in the tracer (for Jacobians by tagged
/// tracers, Docs/transport.md "Linearity"); `van-leer` is not.
public struct TransportSettings: Sendable, Equatable, ConfigPrintable {
    public var options: TransportOptions

    /// The values used when the section is absent.
    public static let standard = TransportSettings(options: TransportOptions())

    /// The range `courant_limit` must lie in: above 1 a sweep could take more
    /// air out of a cell than it holds.
    public static let courantLimitRange: ClosedRange<Double> = 0.1...1

    public init(options: TransportOptions) { self.options = options }

    /// Reads the section strictly (unknown keys are errors).
    public init(_ section: ConfigMapping) throws(ConfigError) {
        let standard = Self.standard.options
        let name = try section.choice("advection", default: standard.scheme.rawValue,
                                      from: TransportOptions.Scheme.allCases.map(\.rawValue))
        guard let scheme = TransportOptions.Scheme(rawValue: name) else {
            throw section.error("advection", "'\(name)' is not a scheme")
        }
        let courantLimit = try section.value("courant_limit", default: standard.courantLimit, in: Self.courantLimitRange)
        try section.finish()
        options = TransportOptions(scheme: scheme, courantLimit: courantLimit)
    }

    public var configNode: ConfigNode {
        .mapping([("advection", .text(options.scheme.rawValue)), ("courant_limit", .number(options.courantLimit))])
    }
}
