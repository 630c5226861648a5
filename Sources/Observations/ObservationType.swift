import Geometry
import ModelTime

/// The kinds of observation RCAS knows. The code is what every file RCAS
/// writes stores in its `kind` variable and what `rcas evaluate` reads back:
/// one list, shared by the writer, the reader and the evaluation.
public enum ObservationKind: Int8, Sendable, CaseIterable {
    case satelliteXCO2 = 0
    case inSitu = 1

    /// The CF `flag_meanings` word of the kind.
    public var flagMeaning: String {
        switch self {
        case .satelliteXCO2: "satellite_xco2"
        case .inSitu: "in_situ"
        }
    }
}

/// What the analysis may do with an observation.
public enum ObservationRole: Int8, Sendable, CaseIterable {
    /// May be assimilated (subject to the OMB gate).
    case candidate = 0
    /// Kept out of the analysis: independent validation.
    case validation = 1

    public var flagMeaning: String {
        switch self {
        case .candidate: "assimilation_candidate"
        case .validation: "independent_validation"
        }
    }
}

/// One observation of an hour as the cycling engine's analysis sees it: where
/// it is, what was observed with which error, and how to simulate it from
/// the model's columns. Each observation type supplies its own.
public protocol ModelObservation: Sendable {
    var kind: ObservationKind { get }
    var role: ObservationRole { get }
    /// Observation time, seconds since 1970-01-01 UTC.
    var time: Double { get }
    /// Where it was observed (reported in outputs).
    var position: GeoPoint { get }
    /// Where it is for localization (a super-observation's cell centre).
    var localizationPoint: GeoPoint { get }
    /// y (ppm).
    var value: Double { get }
    /// The error σ (ppm) the analysis uses, after the type's error model.
    var error: Double { get }
    /// |y − H x̄^b| above this rejects the observation (ppm); infinity: no gate.
    var ombThreshold: Double { get }
    /// In-situ site code, empty for satellites.
    var site: String { get }
    var instrument: String { get }
    /// The grid cells whose model columns ``simulate(with:)`` reads.
    func cellsNeeded(in grid: HorizontalGrid) -> [Int]
    /// H(x) of every member of the sampler (ppm); nil when the observation
    /// lies outside the model.
    func simulate<Sampler: EnsembleColumnSampler>(with sampler: Sampler) throws -> [Double]?
}

/// One kind of observation of a run: its files read, selected and grouped by
/// hour. Adding a kind is one new conforming type plus its registration in
/// the run's observation list.
public protocol ObservationType {
    var kind: ObservationKind { get }
    /// The observations whose times lie in [hour, hour + 1): assimilation
    /// candidates first, then validation.
    func observations(in hour: ModelHour) -> [any ModelObservation]
    /// The counts of the selection steps, for the log.
    var report: SelectionReport { get }
}
