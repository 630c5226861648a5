import Geometry
import ModelTime

/// An in-situ record ready for the point operator
/// (``PointOperator/simulate(site:heightAboveGround:hour:with:)``): where,
/// when, the value and the error the analysis gives it.
public struct InSituObservation: Sendable, Equatable {
    /// The record as read.
    public let record: InSituRecord
    /// The model hour [h, h+1) holding the sample time.
    public let hour: ModelHour
    /// Model cell and layer of the sample (the point operator's location).
    public let i: Int, j: Int, k: Int
    /// The observation error (ppm) from the settings' error model.
    public let error: Double

    /// Site code (upper case).
    public var siteCode: String { record.siteCode }
    /// Measured CO2 (ppm).
    public var value: Double { record.value }
    /// Sample position.
    public var location: GeoPoint { record.location }
    /// Intake height above ground (m).
    public var intakeHeight: Double { record.intakeHeight }

    /// H(x_m) of every member: the point operator at the sample's position,
    /// intake height and hour; nil outside the sampler's model.
    public func simulate(with sampler: some EnsembleColumnSampler) throws -> [Double]? {
        try PointOperator.simulate(site: location, heightAboveGround: intakeHeight, hour: hour, with: sampler)
    }
}

/// What in-situ selection gives: the observations in time order and the
/// counts of every step.
public struct InSituSelection: Sendable {
    /// Selected observations by (hour, site, time, obspack_id).
    public let observations: [InSituObservation]
    /// Kept and dropped counts, step by step.
    public let report: SelectionReport
    /// Observations selected from each file, in file order.
    public let perFile: [(path: String, observations: Int)]

    /// The observations of each hour.
    public var byHour: [ModelHour: [InSituObservation]] { Dictionary(grouping: observations, by: \.hour) }
}

/// Selection of in-situ records (Docs/observations.md, "In-situ selection"):
/// read (valid rows), site list, `obs_flag`, `qcflag`, time window, inside
/// the model (domain and below the model top), error model.
public enum InSituSelector {
    /// Selects from `files` with `settings` for [start, end) (nil: no limit)
    /// on the model `grid` and `layers`.
    public static func select(_ files: [ObsPackFileContents], settings: InSituSettings, grid: HorizontalGrid,
                              layers: VerticalLayers, start: ModelHour?, end: ModelHour?) -> InSituSelection {
        var report = SelectionReport()
        var items = files.enumerated().flatMap { file in file.element.records.map { (file: file.offset, record: $0) } }
        report.record("read (valid rows)", kept: items.count, dropped: files.reduce(0) { $0 + $1.droppedInvalid })
        for file in files { report.readDrops.merge(file.dropReasons, uniquingKeysWith: +) }
        func keep(_ name: String, _ predicate: (InSituRecord) -> Bool) {
            let before = items.count
            items = items.filter { predicate($0.record) }
            report.record(name, kept: items.count, dropped: before - items.count)
        }
        if let sites = settings.sites {
            let wanted = Set(sites)
            keep("sites \(sites.joined(separator: ","))") { wanted.contains($0.siteCode) }
        }
        if !settings.obsFlags.isEmpty {
            let accepted = Set(settings.obsFlags)
            // A file without obs_flag (older packages) cannot be selected by it.
            keep("obs_flag in \(settings.obsFlags)") { record in record.obsFlag.map(accepted.contains) ?? true }
        }
        if settings.qcFlag != .ignore {
            keep("qcflag \(settings.qcFlag.rawValue)") { settings.qcFlag.accepts($0.qcFlag) }
        }
        keep("time window") { record in
            let hour = record.hour
            return (start.map { hour >= $0 } ?? true) && (end.map { hour < $0 } ?? true)
        }
        var located: [(file: Int, observation: InSituObservation)] = []
        var outside = 0, noError = 0
        for item in items {
            guard let (i, j, k) = PointOperator.location(of: item.record.location, heightAboveGround: item.record.intakeHeight,
                                                         grid: grid, layers: layers) else {
                outside += 1
                continue
            }
            guard let error = settings.error.error(valueUncertainty: item.record.valueUncertainty) else {
                noError += 1
                continue
            }
            located.append((item.file, InSituObservation(record: item.record, hour: item.record.hour, i: i, j: j, k: k, error: error)))
        }
        report.record("inside the model (domain, below its top)", kept: located.count + noError, dropped: outside)
        report.record("error model (value_unc needed)", kept: located.count, dropped: noError)
        located.sort { a, b in
            (a.observation.hour, a.observation.siteCode, a.observation.record.time, a.observation.record.obspackID)
                < (b.observation.hour, b.observation.siteCode, b.observation.record.time, b.observation.record.obspackID)
        }
        let perFile = files.enumerated().map { index, file in (file.path, located.filter { $0.file == index }.count) }
        return InSituSelection(observations: located.map(\.observation), report: report, perFile: perFile)
    }
}

extension InSituSettings {
    /// Expands, reads and selects this source for [start, end) on the model:
    /// what the engine calls. Throws, naming `source` (the configuration
    /// key), when the files give no observation at all, so a wrong folder,
    /// site list or period is reported rather than run without data.
    public func load(source: String = "in_situ.files", grid: HorizontalGrid, layers: VerticalLayers,
                     start: ModelHour?, end: ModelHour?) throws(ObservationError) -> InSituSelection {
        let paths = try ObservationFiles.expand(files, source: source)
        let contents = try ObsPackReader.readSource(paths)
        let selection = InSituSelector.select(contents, settings: self, grid: grid, layers: layers, start: start, end: end)
        guard !selection.observations.isEmpty else {
            throw ObservationError(file: source, variable: nil,
                                   message: "\(paths.count) file(s) yielded no in-situ observation:\n\(selection.report)")
        }
        return selection
    }
}
