import Foundation
import Geometry
import Inputs
import Meteorology
import ModelTime
import Observations

/// What `rcas inputs check` finds: every input of a run resolved, opened and
/// read where the run needs it, without running the run (one process, no
/// MPI). A section that fails adds a problem naming the input and the file;
/// the other sections are still checked, so one call lists everything that
/// is missing or unreadable. Rendered by `InputsReport+Output.swift`.
public struct InputsReport {
    /// One Lite file of the satellite source.
    public struct SatelliteFile: Sendable {
        public let path: String
        /// Rows in the file.
        public let rows: Int
        /// Soundings read without problems (before duplicates across files are removed).
        public let usable: Int
        /// Usable soundings in the run's period and domain.
        public let inRun: Int
    }

    /// The satellite XCO2 source.
    public struct Satellite: Sendable {
        /// `files` or `synthetic`, with the instrument.
        public let source: String
        public let files: [SatelliteFile]
        /// Usable soundings of all files, each `sounding_id` once.
        public let soundings: Int
        /// The selection steps up to one observation per column and hour
        /// (the OMB gate needs the model, so it is not run here).
        public let selection: SelectionReport?
    }

    /// The in-situ (ObsPack) source.
    public struct InSitu: Sendable {
        /// `validate` or `assimilate`.
        public let use: String
        /// Each file and the samples selected from it.
        public let files: [(path: String, observations: Int)]
        /// Valid samples read from all files (the selection's first step).
        public let samples: Int
        /// Samples the run would use.
        public let selected: Int
        public let selection: SelectionReport
    }

    /// The hours the meteorology holds, and those of the run it lacks.
    public struct MeteorologyCoverage: Sendable {
        public let source: String
        public let first: ModelHour?
        public let last: ModelHour?
        public let count: Int
        /// Runs of missing hours between `first` and `last`.
        public let gaps: [ClosedRange<ModelHour>]
        /// Hours the run reads (its start to one hour past its end) that the files lack.
        public let missingInRun: Int
        /// True for a generator that gives any hour (synthetic).
        public let anyHour: Bool
    }

    /// The background (initial and boundary CO2).
    public struct Background: Sendable {
        public let source: String
        /// Area-weighted mean of the initial field's lowest layer (ppm).
        public let initialMeanLayer1: Double
    }

    public let config: ExperimentConfig
    public private(set) var satellite: Satellite?
    /// Nil when no in-situ files are configured.
    public private(set) var inSitu: InSitu?
    public private(set) var meteorology: MeteorologyCoverage?
    /// The hour whose prior fluxes are totalled: the run's first.
    public var priorFluxHour: ModelHour { config.start }
    public private(set) var priorFlux: [InputCheck.FluxComponentReport] = []
    public private(set) var background: Background?
    /// The run's memory per rank on ``ranks`` ranks, as `rcas run` estimates
    /// and checks it before allocating (nil when the layout is refused,
    /// which is then a problem).
    public private(set) var memoryEstimate: MemoryEstimate?
    /// The rank count the memory estimate assumes.
    public let ranks: Int
    /// What this machine offers a run (``MemoryLimit/node()``), bytes.
    public let nodeMemory: Int?
    /// Every input found missing or unreadable, each naming the input.
    public private(set) var problems: [String] = []

    /// The hours whose meteorology the run reads: its start to one hour past its end.
    public var meteorologyHours: ClosedRange<ModelHour> { config.start...config.end.advanced(by: 1) }

    /// Checks every input of `config`, and estimates its memory on `ranks` ranks.
    public init(config: ExperimentConfig, ranks: Int = 1) {
        self.config = config
        self.ranks = ranks
        nodeMemory = MemoryLimit.node()
        section("parallel") { $0.memoryEstimate = try MemoryEstimate(config: $0.config, worldSize: ranks) }
        section("observations.satellite") { try $0.checkSatellite() }
        section("observations.in_situ") { try $0.checkInSitu() }
        section("meteorology") { try $0.checkMeteorology() }
        section("prior_flux") { try $0.checkPriorFlux() }
        section("background") { try $0.checkBackground() }
    }

    private mutating func section(_ key: String, _ check: (inout Self) throws -> Void) {
        do { try check(&self) } catch {
            let text = "\(error)"
            problems.append(text.hasPrefix(key + ":") ? text : "\(key): \(text)")
        }
    }

    private mutating func checkSatellite() throws {
        let settings = config.satellite
        guard settings.source == .files else {
            satellite = Satellite(source: "synthetic \(settings.instrument.rawValue) (rcas osse samples its truth run)",
                                  files: [], soundings: 0, selection: nil)
            return
        }
        let source = "observations.satellite.files"
        let input = try LiteReader.readSource(try ObservationFiles.expand(settings.files, source: source))
        let inRun = input.soundingCounts(grid: config.domain.grid, start: config.start, end: config.end.advanced(by: 1))
        let files = zip(input.files, inRun).map { file, count in
            SatelliteFile(path: file.path, rows: file.rowCount, usable: file.soundings.count, inRun: count.soundings)
        }
        let selection = XCO2Selector.select(input, grid: config.domain.grid, options: config.selectionOptions)
        satellite = Satellite(source: "files, \(settings.instrument.rawValue)", files: files, soundings: input.soundings.count,
                              selection: selection.report)
        try input.requireSoundings(source: source, grid: config.domain.grid, start: config.start, end: config.end.advanced(by: 1))
    }

    private mutating func checkInSitu() throws {
        guard let settings = config.inSitu, !settings.files.isEmpty else {
            if config.inSitu?.use == .assimilate, config.satellite.source == .files {
                throw ExperimentError.invalidInput("in-situ assimilation is configured but no files are listed")
            }
            return
        }
        let selection = try settings.load(source: "observations.in_situ.files", grid: config.domain.grid,
                                          layers: config.domain.layers, start: config.start, end: config.end.advanced(by: 1))
        inSitu = InSitu(use: settings.use.rawValue, files: selection.perFile,
                        samples: selection.report.steps.first?.kept ?? 0, selected: selection.observations.count,
                        selection: selection.report)
    }

    private mutating func checkMeteorology() throws {
        let provider = try config.meteorology.makeProvider(domain: config.domain)
        let needed = meteorologyHours
        guard let files = provider as? any MeteorologyFileSource else {
            meteorology = MeteorologyCoverage(source: "synthetic (generated for any hour)", first: needed.lowerBound,
                                              last: needed.upperBound, count: needed.count, gaps: [], missingInRun: 0, anyHour: true)
            _ = try provider.fields(at: needed.lowerBound)
            return
        }
        let hours = files.hours
        var gaps: [ClosedRange<ModelHour>] = []
        for (a, b) in zip(hours, hours.dropFirst()) where a.distance(to: b) > 1 {
            gaps.append(a.advanced(by: 1)...b.advanced(by: -1))
        }
        let present = Set(hours)
        let missing = needed.filter { !present.contains($0) }
        let kind = if case .wrf = config.meteorology { "wrfout" } else { "RCAS meteorology schema" }
        let folder = URL(fileURLWithPath: files.files[0]).deletingLastPathComponent().path
        meteorology = MeteorologyCoverage(source: "\(kind), \(files.files.count) file(s) in \(folder)", first: hours.first,
                                          last: hours.last, count: hours.count, gaps: gaps, missingInRun: missing.count, anyHour: false)
        guard missing.isEmpty else {
            let listed = missing.prefix(12).map(\.iso).joined(separator: ", ")
            throw ExperimentError.invalidInput("\(missing.count) of the \(needed.count) hours the run reads are not in the files "
                                               + "(\(listed)\(missing.count > 12 ? ", ..." : "")); the files hold "
                                               + "\(hours.first?.iso ?? "no hour") to \(hours.last?.iso ?? "no hour")")
        }
        // The fields of the first and last hours read, so a bad variable shows now.
        _ = try provider.fields(at: needed.lowerBound)
        _ = try provider.fields(at: needed.upperBound)
    }

    private mutating func checkPriorFlux() throws {
        let provider = try config.priorFlux.makeProvider(domain: config.domain)
        priorFlux = try InputCheck.priorFlux(provider, grid: config.domain.grid, hour: priorFluxHour)
        try provider.checkCoverage(config.start...config.end)
    }

    private mutating func checkBackground() throws {
        let provider = try config.background.makeProvider(domain: config.domain)
        let mean = try InputCheck.initialMeanFirstLayer(provider, grid: config.domain.grid, time: config.start)
        background = Background(source: provider.sourceDescription, initialMeanLayer1: mean)
        _ = try provider.boundary(at: config.start)
        try provider.checkCoverage(config.start...config.end)
    }
}
