import Evaluation
import Foundation
import Geometry
import SyntheticWorld

/// The part of the domain an inversion is about (IMI 2.0's region of
/// interest, Estrada et al. 2025): the rest is the buffer, whose prior error
/// has its own scale so that boundary and far-field errors are absorbed
/// there instead of aliasing into the region of interest.
public enum RegionOfInterest: Sendable, Equatable, CustomStringConvertible {
    /// Land, weighted by the domain's land fraction.
    case land
    /// The union of the four Kou2023 China region boxes.
    case china
    /// One region of the Kou2023 set by name (`north_china`, `mount_wuyi`, ...).
    case named(String)
    /// A latitude-longitude box (edges included).
    case box(LatLonBox)

    /// Reads `land`, `china`, a Kou2023 region name, or `box:S,N,W,E` (degrees).
    public init?(argument: String) {
        switch argument {
        case "land": self = .land
        case "china": self = .china
        default:
            if argument.hasPrefix("box:") {
                let parts = argument.dropFirst(4).split(separator: ",").compactMap { Double($0) }
                guard parts.count == 4, parts.allSatisfy(\.isFinite), parts[0] < parts[1], parts[2] < parts[3],
                      parts[0] >= -90, parts[1] <= 90 else { return nil }
                self = .box(LatLonBox(name: "region_of_interest", south: parts[0], north: parts[1], west: parts[2], east: parts[3]))
            } else {
                let names = RegionSet.chinaRegionBoxes.map(\.name) + RegionSet.ecologicalAreaBoxes.map(\.name)
                guard names.contains(argument) else { return nil }
                self = .named(argument)
            }
        }
    }

    public var description: String {
        switch self {
        case .land: "land"
        case .china: "china"
        case .named(let name): name
        case .box(let b): "box:\(b.south),\(b.north),\(b.west),\(b.east)"
        }
    }

    /// The share of every cell in the region, in [0, 1] (j * nx + i).
    public func cellWeights(config: ExperimentConfig) throws -> [Double] {
        let centres = config.domain.grid.centers()
        switch self {
        case .land: return try LandSeaMask(domain: config.domain).landFraction
        case .china: return centres.map { c in RegionSet.chinaRegionBoxes.contains { $0.contains(c) } ? 1 : 0 }
        case .named(let name):
            let boxes = RegionSet.chinaRegionBoxes + RegionSet.ecologicalAreaBoxes
            guard let box = boxes.first(where: { $0.name == name }) else {
                throw ExperimentError.invalidInput("region of interest '\(name)' is not a Kou2023 region")
            }
            return centres.map { box.contains($0) ? 1 : 0 }
        case .box(let box): return centres.map { box.contains($0) ? 1 : 0 }
        }
    }
}

/// The error settings of one synthesis solve: what a sensitivity inversion
/// from a stored Jacobian changes (IMI 2.0, Estrada et al. 2025, section
/// 2.6; Docs/jacobians.md "Sensitivity inversions"). The solved problem is
///
///     B' = s_b² D B D,   R' = s_o² R / γ,
///
/// D = diag(d_f), d_f = 1 for a basis function inside the region of
/// interest and `bufferPriorErrorScale` outside (the mean over its cells of
/// w + (1 − w) s, w a cell's share of the region); γ is IMI's regularization
/// factor weighting the observation term of the cost function.
public struct SynthesisErrorSettings: Sendable, Equatable {
    /// s_b: multiplies every prior σ (B by s_b²).
    public var priorErrorScale = 1.0
    /// s_o: multiplies every observation σ (R by s_o²).
    public var observationErrorScale = 1.0
    /// γ: the observation term's weight (R / γ).
    public var gamma = 1.0
    /// Multiplies the prior σ of the buffer (outside ``regionOfInterest``).
    public var bufferPriorErrorScale = 1.0
    /// nil: the whole domain (no buffer).
    public var regionOfInterest: RegionOfInterest?

    public init() {}

    /// The names a sweep and the table use, with their values.
    public static let sweepNames = ["prior_error_scale", "observation_error_scale", "gamma", "buffer_prior_error_scale"]

    public var sweepValues: [Double] { [priorErrorScale, observationErrorScale, gamma, bufferPriorErrorScale] }

    /// Sets the setting called `name` (one of ``sweepNames``) after checking it.
    public mutating func set(_ name: String, to value: Double) throws {
        guard value > 0, value.isFinite else {
            throw ExperimentError.invalidInput("\(name) = \(value): it must be positive and finite")
        }
        switch name {
        case "prior_error_scale": priorErrorScale = value
        case "observation_error_scale": observationErrorScale = value
        case "gamma": gamma = value
        case "buffer_prior_error_scale": bufferPriorErrorScale = value
        default:
            throw ExperimentError.invalidInput("unknown setting '\(name)'; one of \(Self.sweepNames.joined(separator: ", "))")
        }
    }

    /// These settings with the configuration's `buffer` section as the
    /// default: its region of interest when none is set here, and its scale
    /// when the buffer scale here is 1.
    public func applying(_ buffer: BufferSettings?) -> SynthesisErrorSettings {
        guard let buffer else { return self }
        var result = self
        if result.regionOfInterest == nil { result.regionOfInterest = buffer.regionOfInterest }
        if result.bufferPriorErrorScale == 1 { result.bufferPriorErrorScale = buffer.priorErrorScale }
        return result
    }

    /// Checks every value (positive, finite) and that a buffer scale has a region of interest.
    public func validate() throws {
        var probe = SynthesisErrorSettings()
        for (name, value) in zip(Self.sweepNames, sweepValues) { try probe.set(name, to: value) }
        if bufferPriorErrorScale != 1, regionOfInterest == nil {
            throw ExperimentError.invalidInput("buffer_prior_error_scale = \(bufferPriorErrorScale) needs a region of interest "
                                               + "(--region-of-interest or the buffer section): the buffer is the rest of the domain")
        }
    }

    /// The factor s_o² / γ on every observation error variance.
    public var observationVarianceFactor: Double { observationErrorScale * observationErrorScale / gamma }

    /// Each basis function's share of the region of interest (1 without one):
    /// the mean over its cells of the cells' shares.
    public func regionShares(of basis: JacobianBasis, config: ExperimentConfig) throws -> [Double] {
        guard let regionOfInterest else { return [Double](repeating: 1, count: basis.count) }
        let weights = try regionOfInterest.cellWeights(config: config)
        let groupShare = basis.groupCells.map { cells in cells.reduce(0) { $0 + weights[$1] } / Double(max(cells.count, 1)) }
        return basis.functions.map { groupShare[$0.group] }
    }

    /// d_f s_b per function: the factor on its prior σ.
    public func priorFactors(shares: [Double]) -> [Double] {
        shares.map { priorErrorScale * ($0 + (1 - $0) * bufferPriorErrorScale) }
    }

    /// A short label, e.g. `prior_error_scale=2 gamma=0.5` (only the changed values; `reference` when none).
    public var label: String {
        let changed = zip(Self.sweepNames, sweepValues).filter { $0.1 != 1 }.map { "\($0.0)=\(Self.format($0.1))" }
            + (regionOfInterest.map { ["region_of_interest=\($0)"] } ?? [])
        return changed.isEmpty ? "reference" : changed.joined(separator: " ")
    }

    static func format(_ x: Double) -> String { String(format: "%g", x) }

    /// The settings as a JSON object.
    public var json: String {
        let values = zip(Self.sweepNames, sweepValues).map { "\"\($0.0)\": \(Self.format($0.1))" }
        let region = "\"region_of_interest\": " + (regionOfInterest.map { "\"\($0)\"" } ?? "null")
        return "{" + (values + [region]).joined(separator: ", ") + "}"
    }
}
