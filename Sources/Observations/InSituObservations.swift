import Geometry
import ModelTime

/// The in-situ observation type: ObsPack samples selected by
/// ``InSituSelector`` (sites, `obs_flag`, `qcflag`, period, inside the
/// model, error model) and simulated with the point operator (SCIENCE.md
/// 6.3). Validation only (Kou2023) or assimilated (GCASv2, He2023, Jiang2021),
/// as the settings say.
public struct InSituObservations: ObservationType {
    public var kind: ObservationKind { .inSitu }
    public let report: SelectionReport
    let byHour: [ModelHour: [Point]]

    /// The observations of `selection`, assimilation candidates when `use`
    /// is `assimilate` (gated at `ombGate` ppm).
    public init(_ selection: InSituSelection, use: InSituSettings.Use, ombGate: Double) {
        report = selection.report
        let role: ObservationRole = use == .assimilate ? .candidate : .validation
        byHour = Dictionary(grouping: selection.observations.map { Point(observation: $0, role: role, ombThreshold: ombGate) },
                            by: \.observation.hour)
    }

    public func observations(in hour: ModelHour) -> [any ModelObservation] { byHour[hour] ?? [] }

    /// One sample with the point operator.
    struct Point: ModelObservation {
        let observation: InSituObservation
        let role: ObservationRole
        let ombThreshold: Double

        var kind: ObservationKind { .inSitu }
        var time: Double { observation.record.time }
        var position: GeoPoint { observation.location }
        var localizationPoint: GeoPoint { observation.location }
        var value: Double { observation.value }
        var error: Double { observation.error }
        var site: String { observation.siteCode }
        var instrument: String { "insitu" }

        func cellsNeeded(in grid: HorizontalGrid) -> [Int] { [grid.index(observation.i, observation.j)] }

        func simulate<Sampler: EnsembleColumnSampler>(with sampler: Sampler) throws -> [Double]? {
            try observation.simulate(with: sampler)
        }
    }
}
