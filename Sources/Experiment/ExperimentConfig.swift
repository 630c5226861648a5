import ConfigFormat
import Foundation
import Geometry
import ModelTime

/// Every parameter of an experiment, read from one YAML file and validated on
/// load. `Docs/configuration.md` lists every key with its default; errors name
/// the file, the key path and the line.
public struct ExperimentConfig: Sendable {
    public enum FluxGenerator: String, Sendable, CaseIterable { case jdas, gcas }
    public enum LocalizationRule: String, Sendable, CaseIterable { case gaspariCohn = "gaspari_cohn", gcasSignificance = "gcas_significance" }
    public enum InputSource: String, Sendable, CaseIterable { case synthetic, files }
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

    public let members: Int
    public let seed: UInt64
    /// Relative standard deviation of the initial/boundary perturbation.
    public let initialBoundaryPerturbation: Double

    public let fluxGenerator: FluxGenerator
    public let beta: Double
    public let smoothingDays: Int
    public let gcasScheme: String
    public let gcasLambdaBiosphere: Double
    public let gcasLambdaOcean: Double

    public let windowHours: Int
    public let localization: LocalizationRule
    /// Distance where the Gaspari-Cohn taper reaches zero (m).
    public let localizationCutoff: Double
    /// Optional vertical cut-off (m) for column observations.
    public let verticalCutoff: Double?
    public let multiplicativeInflation: Double
    public let relaxationToPriorSpread: Double

    public let instrument: String
    public let satelliteSource: InputSource
    public let satelliteFiles: [String]
    public let combination: String
    public let ombGate: Double
    public let errorInflation: Double
    public let errorFloor: Double
    public let inSituSource: InputSource?
    public let inSituFiles: [String]

    public let meteorologySource: InputSource
    public let meteorologySeed: UInt64
    public let meteorologyFiles: [String]

    public let fluxAveraging: FluxAveraging
    /// Layers (0 = lowest) of the analysis concentrations written out.
    public let concentrationLevels: [Int]
    public let checkpointInterval: Int
    /// Ranks per member group split: nil = automatic.
    public let memberGroups: Int?

    /// Twin experiment: amplitude (relative to the prior biosphere flux
    /// magnitude) and correlation length (m) of the truth perturbation.
    public let truthAmplitude: Double
    public let truthCorrelationLength: Double
    public let truthSeed: UInt64

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
            throw period.error("spin_up_days", "a spin-up of \(spinUpDays) days leaves no assimilated hours in the period")
        }
        try period.finish()

        let ensemble = try top.mapping("ensemble")
        members = try ensemble.value("members", default: 50, in: 2...10_000)
        seed = UInt64(try ensemble.value("seed", default: 1, in: 0...Int.max))
        initialBoundaryPerturbation = try ensemble.value("ic_bc_perturbation", default: 0.05, in: 0...0.5)
        try ensemble.finish()

        let flux = try top.optionalMapping("flux_model")
        fluxGenerator = FluxGenerator(rawValue: try flux?.choice("generator", default: "jdas",
                                                                    from: FluxGenerator.allCases.map(\.rawValue)) ?? "jdas")!
        beta = try flux?.value("beta", default: 80.0, in: 0...1000) ?? 80
        smoothingDays = try flux?.value("smoothing_days", default: 4, in: 1...60) ?? 4
        let gcas = try flux?.optionalMapping("gcas")
        gcasScheme = try gcas?.choice("scheme", default: "bio_ocn", from: ["bio", "bio_ocn", "bio_ocn_fossil", "net"]) ?? "bio_ocn"
        gcasLambdaBiosphere = try gcas?.value("lambda_bio", default: 3.0, in: 0...100) ?? 3
        gcasLambdaOcean = try gcas?.value("lambda_ocn", default: 5.0, in: 0...100) ?? 5
        try gcas?.finish()
        try flux?.finish()

        let smoother = try top.optionalMapping("smoother")
        windowHours = try smoother?.value("window_hours", default: 24, in: 1...240) ?? 24
        try smoother?.finish()

        let localizationTable = try top.optionalMapping("localization")
        localization = LocalizationRule(rawValue: try localizationTable?.choice(
            "rule", default: "gaspari_cohn", from: LocalizationRule.allCases.map(\.rawValue)) ?? "gaspari_cohn")!
        localizationCutoff = 1000 * (try localizationTable?.value("cutoff_km", default: 1280.0, in: 1...20_000) ?? 1280)
        verticalCutoff = try localizationTable?.optional("vertical_cutoff_m", as: Double.self)
        if let v = verticalCutoff, !(v > 0) { throw localizationTable!.error("vertical_cutoff_m", "must be positive") }
        try localizationTable?.finish()

        let inflation = try top.optionalMapping("inflation")
        multiplicativeInflation = try inflation?.value("multiplicative", default: 1.0, in: 1...10) ?? 1
        relaxationToPriorSpread = try inflation?.value("rtps", default: 0.0, in: 0...1) ?? 0
        try inflation?.finish()

        let observations = try top.mapping("observations")
        let satellite = try observations.mapping("satellite")
        instrument = try satellite.choice("instrument", from: ["gosat", "oco2"])
        satelliteSource = InputSource(rawValue: try satellite.choice("source", default: "files",
                                                                     from: InputSource.allCases.map(\.rawValue)))!
        satelliteFiles = (try satellite.optionalList("files", of: String.self) ?? []).map(resolve)
        if satelliteSource == .files && satelliteFiles.isEmpty {
            throw satellite.error("files", "source is 'files' but no files are listed")
        }
        combination = try satellite.choice("combination", default: "thinning", from: ["thinning", "super-observations"])
        ombGate = try satellite.value("omb_gate_ppm", default: 5.0, in: 0.01...1000)
        errorInflation = try satellite.value("error_inflation", default: 1.0, in: 0.1...100)
        errorFloor = try satellite.value("error_floor_ppm", default: 0.0, in: 0...100)
        try satellite.finish()
        if let inSitu = try observations.optionalMapping("in_situ") {
            inSituSource = InputSource(rawValue: try inSitu.choice("source", default: "files",
                                                                   from: InputSource.allCases.map(\.rawValue)))!
            inSituFiles = (try inSitu.optionalList("files", of: String.self) ?? []).map(resolve)
            try inSitu.finish()
        } else {
            inSituSource = nil
            inSituFiles = []
        }
        try observations.finish()
        for path in satelliteFiles + inSituFiles where !path.contains("*") && !FileManager.default.fileExists(atPath: path) {
            throw ConfigError(file: file, key: "observations", message: "observation file \(path) does not exist")
        }

        let meteorology = try top.optionalMapping("meteorology")
        meteorologySource = InputSource(rawValue: try meteorology?.choice(
            "source", default: "synthetic", from: InputSource.allCases.map(\.rawValue)) ?? "synthetic")!
        meteorologySeed = UInt64(try meteorology?.value("seed", default: 1, in: 0...Int.max) ?? 1)
        meteorologyFiles = (try meteorology?.optionalList("files", of: String.self) ?? []).map(resolve)
        try meteorology?.finish()
        if meteorologySource == .files {
            guard !meteorologyFiles.isEmpty else { throw ConfigError(file: file, key: "meteorology.files", message: "source is 'files' but no files are listed") }
            for path in meteorologyFiles where !FileManager.default.fileExists(atPath: path) {
                throw ConfigError(file: file, key: "meteorology.files", message: "meteorology file \(path) does not exist")
            }
        }

        let prior = try top.optionalMapping("prior_flux")
        _ = try prior?.choice("source", default: "synthetic", from: ["synthetic"])
        try prior?.finish()

        let outputs = try top.optionalMapping("outputs")
        fluxAveraging = FluxAveraging(rawValue: try outputs?.choice("flux_averaging", default: "hourly",
                                                                      from: FluxAveraging.allCases.map(\.rawValue)) ?? "hourly")!
        concentrationLevels = try outputs?.optionalList("concentration_levels", of: Int.self) ?? [0]
        try outputs?.finish()
        for level in concentrationLevels where !(0..<domain.layers.count).contains(level) {
            throw ConfigError(file: file, key: "outputs.concentration_levels",
                              message: "layer \(level) does not exist (the domain has \(domain.layers.count) layers, 0-based)")
        }

        let checkpoint = try top.optionalMapping("checkpoint")
        checkpointInterval = try checkpoint?.value("interval_hours", default: 24, in: 1...100_000) ?? 24
        try checkpoint?.finish()

        let parallel = try top.optionalMapping("parallel")
        memberGroups = try parallel?.optional("member_groups", as: Int.self)
        if let g = memberGroups, g < 1 { throw parallel!.error("member_groups", "must be at least 1") }
        try parallel?.finish()

        let twin = try top.optionalMapping("twin")
        truthAmplitude = try twin?.value("truth_amplitude", default: 0.5, in: 0...10) ?? 0.5
        truthCorrelationLength = 1000 * (try twin?.value("truth_correlation_km", default: 800.0, in: 1...10_000) ?? 800)
        truthSeed = UInt64(try twin?.value("truth_seed", default: 99, in: 0...Int.max) ?? 99)
        try twin?.finish()

        try top.finish()
    }
}
