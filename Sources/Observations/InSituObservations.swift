import Geometry
import ModelTime

/// The in-situ observation type: ObsPack samples inside the model (cell and
/// layer from the site's position and intake height), simulated with the
/// point operator (SCIENCE.md 6.3). Used for validation.
public struct InSituObservations: ObservationType {
    public var kind: ObservationKind { .inSitu }
    public let report: SelectionReport
    let records: [ModelHour: [Point]]

    /// The samples of `files` (site code, contents) inside `grid` and
    /// `layers` whose hours lie in [start, end).
    public init(_ files: [ObsPackFileContents], grid: HorizontalGrid, layers: VerticalLayers, start: ModelHour, end: ModelHour) {
        var report = SelectionReport()
        var all: [Point] = []
        var read = 0
        for file in files {
            read += file.records.count
            for record in file.records {
                all.append(Point(site: file.siteCode, record: record))
            }
        }
        report.record("read (valid rows)", kept: read, dropped: files.map(\.droppedInvalid).reduce(0, +))
        let inPeriod = all.filter { $0.record.hour >= start && $0.record.hour < end }
        report.record("time window", kept: inPeriod.count, dropped: all.count - inPeriod.count)
        let inside = inPeriod.filter {
            PointOperator.location(of: $0.record.location, heightAboveGround: $0.record.intakeHeight, grid: grid,
                                   layers: layers) != nil
        }
        report.record("inside the model (cell and layer)", kept: inside.count, dropped: inPeriod.count - inside.count)
        self.report = report
        records = Dictionary(grouping: inside, by: \.record.hour)
    }

    public func observations(in hour: ModelHour) -> [any ModelObservation] { records[hour] ?? [] }

    /// One sample with the point operator.
    struct Point: ModelObservation {
        let site: String
        let record: InSituRecord

        var kind: ObservationKind { .inSitu }
        var role: ObservationRole { .validation }
        var time: Double { record.time }
        var position: GeoPoint { record.location }
        var localizationPoint: GeoPoint { record.location }
        var value: Double { record.value }
        var error: Double { 0 }
        var ombThreshold: Double { .infinity }
        var instrument: String { "insitu" }

        func cellsNeeded(in grid: HorizontalGrid) -> [Int] {
            let (fi, fj) = grid.gridCoordinates(of: record.location)
            return GriddedEnsembleSampler.interpolationCells(fi, fj, grid: grid)
        }

        func simulate<Sampler: EnsembleColumnSampler>(with sampler: Sampler) throws -> [Double]? {
            try PointOperator.simulate(site: record.location, heightAboveGround: record.intakeHeight, hour: record.hour,
                                       with: sampler)
        }
    }
}
