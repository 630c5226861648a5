import Assimilation
import ConfigFormat
import Foundation
import Geometry
import Inputs
import Meteorology
import ModelTime
import Observations
import Transport

/// Every parameter of an experiment, read from one YAML file and validated on
/// load. Each section is read and printed by the settings type of the module
/// that owns it (`Docs/configuration.md` lists every key with its default);
/// errors name the file, the key path and the line.
public struct ExperimentConfig: Sendable {
    public enum FluxAveraging: String, Sendable, CaseIterable { case hourly, daily }

    /// The file the configuration was read from.
    public let file: String
    /// The file's text, written into every output and the log.
    public let text: String

    public let name: String
    public let domain: Domain
    public let start: ModelHour
    /// Last hour of the period (inclusive): the run ends at `end + 1`.
    public let end: ModelHour
    public let spinUpDays: Int

    /// Ensemble size, window, state vector, localization, inflation and
    /// flux generator (the `assimilation:` section, read by the Assimilation module).
    public let assimilation: AssimilationSettings
    /// Seed of every random number of the run (perturbations, draws).
    public let seed: UInt64
    /// Relative standard deviation of the initial/boundary perturbation.
    public let initialBoundaryPerturbation: Double
    /// Correlation length (m) of that perturbation; 0 = independent per cell.
    public let perturbationCorrelationLength: Double

    /// The `observations.satellite:` section (Observations module).
    public let satellite: SatelliteSettings
    /// The `observations.in_situ:` section (Observations module), when present.
    public let inSitu: InSituSettings?

    /// Where the meteorology comes from (the `meteorology:` section, read by
    /// the Meteorology module).
    public let meteorology: MeteorologySettings
    /// Prior fluxes and background CO2 (`prior_flux:`, `background:`; Inputs module).
    public let priorFlux: PriorFluxSettings
    public let background: BackgroundSettings
    /// The transport numerics (the `transport:` section, read by the Transport module).
    public let transport: TransportSettings

    public let fluxAveraging: FluxAveraging
    /// Layers (0 = lowest) of the hourly analysis concentrations written out.
    public let concentrationLevels: [Int]
    /// Whether the EnKS writes its per-cell averaging-kernel estimate
    /// (`outputs.ensemble_averaging_kernel`): it keeps every window hour's
    /// forecast flux members until the hour is final, in memory and checkpoint.
    public let ensembleAveragingKernel: Bool
    public let checkpointInterval: Int
    /// Member groups of the parallel layout; nil = automatic.
    public let memberGroups: Int?

    /// Twin experiment: amplitude (relative to the prior flux) and correlation
    /// length (m) of the truth perturbation, and its seed.
    public let truthAmplitude: Double
    /// A relative offset of the truth everywhere (a domain-wide bias): truth =
    /// prior (1 + a δ + b).
    public let truthBias: Double
    public let truthCorrelationLength: Double
    public let truthSeed: UInt64
    /// The buffer outside a region of interest (section `buffer`), nil: none.
    public let buffer: BufferSettings?
    /// Twin experiment: a known bias added to the truth run's inflow per edge
    /// (`twin.boundary_bias_ppm`); empty: none.
    public let imposedBoundaryBias: ImposedBoundaryBias
    /// Lateral-boundary bias elements in the state (the `boundary_bias:`
    /// section); nil: the boundary is taken as it is.
    public let boundaryBias: BoundaryBiasSettings?

    /// Ensemble size N.
    public var members: Int { assimilation.members }
    /// The satellite instrument's name.
    public var instrument: String { satellite.instrument.rawValue }

    /// Selection, gate and error model of the satellite stream over the period.
    public var selectionOptions: XCO2SelectionOptions { satellite.selectionOptions(start: start, end: end.advanced(by: 1)) }

    /// Every parameter as used, defaults included, in the configuration's own
    /// layout, each section printed by its owner: written into every output
    /// file and the log; it reads back to the same configuration.
    public var configNode: ConfigNode {
        let twin: [(String, ConfigNode)] = [
            ("truth_amplitude", .number(truthAmplitude)), ("truth_bias", .number(truthBias)),
            ("truth_correlation_km", .number(truthCorrelationLength / 1000)), ("truth_seed", .integer(Int(truthSeed)))]
        var optional: [(String, ConfigNode)] = []
        if let buffer { optional.append(("buffer", buffer.configNode)) }
        if let boundaryBias { optional.append(("boundary_bias", boundaryBias.configNode)) }
        let imposed: [(String, ConfigNode)] = imposedBoundaryBias.ppm.isEmpty ? []
            : [("boundary_bias_ppm", imposedBoundaryBias.configNode)]
        return .mapping([
            ("name", .text(name)),
            ("domain", .text(domain.directory.path)),
            ("period", .mapping([("start", .text(start.iso)), ("end", .text(end.iso)), ("spin_up_days", .integer(spinUpDays))])),
            ("assimilation", assimilation.configNode),
            ("ensemble", .mapping([("seed", .integer(Int(seed))), ("ic_bc_perturbation", .number(initialBoundaryPerturbation)),
                                   ("perturbation_correlation_km", .number(perturbationCorrelationLength / 1000))])),
            ("observations", .mapping([("satellite", satellite.configNode)] + (inSitu.map { [("in_situ", $0.configNode)] } ?? []))),
            ("meteorology", meteorology.configNode),
            ("transport", transport.configNode),
            ("prior_flux", priorFlux.configNode),
            ("background", background.configNode),
            ("outputs", .mapping([("flux_averaging", .text(fluxAveraging.rawValue)),
                                  ("concentration_levels", .list(concentrationLevels.map(ConfigNode.integer))),
                                  ("ensemble_averaging_kernel", .flag(ensembleAveragingKernel))])),
            ("checkpoint", .mapping([("interval_hours", .integer(checkpointInterval))])),
            ("parallel", .mapping(memberGroups.map { [("member_groups", ConfigNode.integer($0))] } ?? [])),
            ("twin", .mapping(twin + imposed)),
        ] + optional)
    }

    /// ``configNode`` as YAML.
    public var resolvedText: String { configNode.yaml }

    /// Hours from start to the end of the period.
    public var hourCount: Int { start.distance(to: end) + 1 }
    /// The first hour whose analysis counts (after the spin-up).
    public var firstAssessedHour: ModelHour { start.advanced(by: spinUpDays * 24) }

    /// Reads and validates `path`.
    public static func load(_ path: String) throws(ConfigError) -> ExperimentConfig {
        let top = try ConfigMapping.load(file: path)
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return try ExperimentConfig(top, file: path, text: text)
    }

    private init(_ top: ConfigMapping, file: String, text: String) throws(ConfigError) {
        self.file = file
        self.text = text
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : folder.appendingPathComponent(path).standardizedFileURL.path
        }
        name = try top.value("name", as: String.self)
        // The name goes to terminals, logs and file attributes: an escape
        // sequence or a line break in it could rewrite what the user sees.
        if let control = name.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            throw top.error("name", "holds the control character U+\(String(format: "%04X", control.value)); "
                            + "use printable characters only")
        }
        _ = try top.value("description", default: "")
        let domainPath: String = try top.value("domain")
        do {
            domain = try Domain.load(resolve(domainPath))
        } catch {
            throw top.error("domain", "cannot load domain '\(domainPath)': \(error)")
        }

        let period = try top.mapping("period")
        let startText: String = try period.value("start")
        let endText: String = try period.value("end")
        guard let s = ModelHour(iso: startText) else { throw period.error("start", "'\(startText)' is not a UTC hour (YYYY-MM-DDTHH)") }
        guard let e = ModelHour(iso: endText) else { throw period.error("end", "'\(endText)' is not a UTC hour (YYYY-MM-DDTHH)") }
        guard e >= s else { throw period.error("end", "period end \(e) is before its start \(s)") }
        start = s
        end = e
        spinUpDays = try period.value("spin_up_days", default: 0, in: 0...366)
        guard spinUpDays * 24 < start.distance(to: end) + 1 else {
            throw period.error("spin_up_days", "a spin-up of \(spinUpDays) days leaves no assessed hours in the period")
        }
        try period.finish()

        assimilation = try top.optionalMapping("assimilation").map { section throws(ConfigError) in
            try AssimilationSettings(section)
        } ?? .rcasDefault

        let ensemble = try top.optionalMapping("ensemble")
        seed = UInt64(try ensemble?.value("seed", default: 1, in: 0...Int.max) ?? 1)
        initialBoundaryPerturbation = try ensemble?.value("ic_bc_perturbation", default: 0.0005, in: 0...0.5) ?? 0.0005
        perturbationCorrelationLength = 1000 * (try ensemble?.value("perturbation_correlation_km", default: 0.0, in: 0...5000) ?? 0)
        try ensemble?.finish()

        let observations = try top.mapping("observations")
        satellite = try SatelliteSettings(try observations.mapping("satellite"), baseDirectory: folder)
        inSitu = try observations.optionalMapping("in_situ").map { section throws(ConfigError) in
            try InSituSettings(section, baseDirectory: folder)
        }
        try observations.finish()
        for path in inSitu?.files ?? [] where !FileManager.default.fileExists(atPath: path) {
            throw ConfigError(file: file, key: "observations.in_situ.files", message: "observation file or folder \(path) does not exist")
        }

        meteorology = try top.optionalMapping("meteorology").map { section throws(ConfigError) in
            try MeteorologySettings.read(section, baseDirectory: folder)
        } ?? .synthetic(seed: SyntheticMeteorology.defaultSeed)
        priorFlux = try top.optionalMapping("prior_flux").map { section throws(ConfigError) in
            try PriorFluxSettings(section, baseDirectory: folder)
        } ?? .synthetic
        background = try top.optionalMapping("background").map { section throws(ConfigError) in
            try BackgroundSettings(section, baseDirectory: folder)
        } ?? .synthetic
        transport = try top.optionalMapping("transport").map { section throws(ConfigError) in
            try TransportSettings(section)
        } ?? .standard

        let outputs = try top.optionalMapping("outputs")
        fluxAveraging = FluxAveraging(rawValue: try outputs?.choice("flux_averaging", default: "hourly",
                                                                      from: FluxAveraging.allCases.map(\.rawValue)) ?? "hourly")!
        concentrationLevels = try outputs?.optionalList("concentration_levels", of: Int.self) ?? [0]
        for level in concentrationLevels where !(0..<domain.layers.count).contains(level) {
            throw outputs!.error("concentration_levels",
                                 "layer \(level) does not exist (the domain has \(domain.layers.count) layers, counted from 0)")
        }
        guard Set(concentrationLevels).count == concentrationLevels.count else {
            throw outputs!.error("concentration_levels", "a layer is listed twice")
        }
        ensembleAveragingKernel = try outputs?.value("ensemble_averaging_kernel", default: false) ?? false
        try outputs?.finish()

        let checkpoint = try top.optionalMapping("checkpoint")
        checkpointInterval = try checkpoint?.value("interval_hours", default: 24, in: 1...100_000) ?? 24
        try checkpoint?.finish()

        let parallel = try top.optionalMapping("parallel")
        memberGroups = try parallel?.optional("member_groups", as: Int.self)
        if let g = memberGroups, g < 1 { throw parallel!.error("member_groups", "must be at least 1") }
        try parallel?.finish()

        let twin = try top.optionalMapping("twin")
        truthAmplitude = try twin?.value("truth_amplitude", default: 0.5, in: 0...10) ?? 0.5
        truthBias = try twin?.value("truth_bias", default: 0.0, in: -1...10) ?? 0
        truthCorrelationLength = 1000 * (try twin?.value("truth_correlation_km", default: 800.0, in: 1...10_000) ?? 800)
        truthSeed = UInt64(try twin?.value("truth_seed", default: 99, in: 0...Int.max) ?? 99)
        imposedBoundaryBias = try twin?.optionalMapping("boundary_bias_ppm").map { section throws(ConfigError) in
            try ImposedBoundaryBias(section)
        } ?? ImposedBoundaryBias(ppm: [:])
        try twin?.finish()

        buffer = try top.optionalMapping("buffer").map(BufferSettings.init)
        let layerCount = domain.layers.count
        boundaryBias = try top.optionalMapping("boundary_bias").map { section throws(ConfigError) in
            try BoundaryBiasSettings(section, layerCount: layerCount)
        }

        try top.finish()
    }
}
