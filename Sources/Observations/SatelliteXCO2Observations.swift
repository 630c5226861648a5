import Geometry
import ModelTime

/// The satellite XCO2 observation type: Lite soundings selected (quality,
/// mode, window, domain), thinned or combined per model column and hour, and
/// simulated with the column operator (Kou2023 Eq. 2). Thinned-out
/// soundings are the independent validation set (Kou2023).
public struct SatelliteXCO2Observations: ObservationType {
    public var kind: ObservationKind { .satelliteXCO2 }
    public let options: XCO2SelectionOptions
    public let report: SelectionReport
    let grid: HorizontalGrid
    let candidates: [ModelHour: [XCO2Observation]]
    let validation: [ModelHour: [XCO2Sounding]]

    /// Selects the soundings of `input` on `grid`.
    public init(_ input: XCO2Input, grid: HorizontalGrid, options: XCO2SelectionOptions) {
        let selection = XCO2Selector.select(input, grid: grid, options: options)
        self.grid = grid
        self.options = options
        report = selection.report
        candidates = Dictionary(grouping: selection.observations, by: \.hour)
        validation = Dictionary(grouping: selection.validation, by: \.hour)
    }

    public func observations(in hour: ModelHour) -> [any ModelObservation] {
        let assimilable: [any ModelObservation] = (candidates[hour] ?? []).map {
            Column(observation: $0, role: .candidate, grid: grid, options: options)
        }
        let independent: [any ModelObservation] = (validation[hour] ?? []).compactMap { sounding in
            guard let cell = grid.cell(containing: sounding.location) else { return nil }
            return Column(observation: XCO2Observation(soundings: [sounding], i: cell.i, j: cell.j), role: .validation,
                          grid: grid, options: options)
        }
        return assimilable + independent
    }

    /// One (super-)observation with its column operator.
    struct Column: ModelObservation {
        let observation: XCO2Observation
        let role: ObservationRole
        let localizationPoint: GeoPoint
        let error: Double
        let ombThreshold: Double
        let instrument: String

        init(observation: XCO2Observation, role: ObservationRole, grid: HorizontalGrid, options: XCO2SelectionOptions) {
            self.observation = observation
            self.role = role
            // A sounding is where it was seen; a super-observation stands for its cell.
            localizationPoint = observation.soundings.count == 1 ? observation.soundings[0].location
                : grid.center(observation.i, observation.j)
            error = options.modelError(observation.uncertainty)
            ombThreshold = options.ombThreshold
            instrument = options.instrument.rawValue
        }

        var kind: ObservationKind { .satelliteXCO2 }
        var time: Double { observation.soundings[0].time }
        var position: GeoPoint { observation.soundings[0].location }
        var value: Double { observation.value }
        var site: String { "" }

        func cellsNeeded(in grid: HorizontalGrid) -> [Int] {
            observation.soundings.flatMap { sounding in
                let (fi, fj) = grid.gridCoordinates(of: sounding.location)
                return GriddedEnsembleSampler.interpolationCells(fi, fj, grid: grid)
            }
        }

        func simulate<Sampler: EnsembleColumnSampler>(with sampler: Sampler) throws -> [Double]? {
            try observation.simulate(with: sampler)
        }
    }
}
