import Assimilation
import ConfigFormat
import Foundation
import Geometry
import Meteorology
import ModelTime
import Observations

/// Every parameter of an experiment, read from one YAML file and validated on
/// load. `Docs/configuration.md` lists every key with its default; errors name
/// the file, the key path and the line.
public struct ExperimentConfig: Sendable {
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

    /// Ensemble size, window, flux components, localization, inflation and
    /// flux generator (the `assimilation:` section, read by the Assimilation module).
    public let assimilation: AssimilationSettings
    /// Seed of every random number of the run (perturbations, GCASv2 draws).
    public let seed: UInt64
    /// Relative standard deviation of the initial/boundary perturbation.
    public let initialBoundaryPerturbation: Double
    /// Correlation length (m) of that perturbation; 0 = independent per cell.
    public let perturbationCorrelationLength: Double

    public let instrument: String
    public let satelliteSource: InputSource
    public let satelliteFiles: [String]
    public let combination: String
    public let ombGate: Double
    public let errorInflation: Double
    public let errorFloor: Double
    public let inSituFiles: [String]

    /// Where the meteorology comes from (the `meteorology:` section, read by
    /// the Meteorology module).
    public let meteorology: MeteorologySettings

    public let fluxAveraging: FluxAveraging
    /// Layers (0 = lowest) of the hourly analysis concentrations written out.
    public let concentrationLevels: [Int]
    public let checkpointInterval: Int
    /// Member groups of the parallel layout; nil = automatic.
    public let memberGroups: Int?

    /// Twin experiment: amplitude (relative to the prior flux) and correlation
    /// length (m) of the truth perturbation, and its seed.
    public let truthAmplitude: Double
    public let truthCorrelationLength: Double
    public let truthSeed: UInt64

    /// Ensemble size N.
    public var members: Int { assimilation.members }

    /// Selection, gate and error model of the satellite stream over the period.
    public var selectionOptions: XCO2SelectionOptions {
        XCO2SelectionOptions(instrument: SatelliteInstrument(rawValue: instrument) ?? .gosat, start: start,
                             end: end.advanced(by: 1), combination: combination == "thinning" ? .thinning : .superObservations,
                             ombThreshold: ombGate, errorInflation: errorInflation, errorFloor: errorFloor)
    }

    /// Every parameter as used, defaults included, in the configuration's own
    /// YAML layout: written into every output file and the log.
    public var resolvedText: String {
        let a = assimilation
        var localization: String
        switch a.horizontal {
        case .none: localization = "{horizontal: none}"
        case .gaspariCohn(let cutoff): localization = "{horizontal: gaspari-cohn, cutoff_km: \(cutoff / 1000)}"
        case .significance(let near, let far, let p):
            localization = "{horizontal: significance, near_km: \(near / 1000), far_km: \(far / 1000), p_value: \(p)}"
        }
        if let v = a.verticalCutoff { localization.removeLast(); localization += ", vertical_cutoff_m: \(v)}" }
        let flux: String
        switch a.fluxGenerator {
        case .jdas(let j): flux = "{generator: jdas, beta: \(j.beta), smoothing_days: \(j.smoothingDays)}"
        case .gcasv2(let g):
            let lambda = g.scheme.components.map { "\($0.rawValue): \(g.scale[$0] ?? 0)" }.joined(separator: ", ")
            let schemes: [GCASv2FluxPerturbation.Scheme: String] = [
                .biosphere: "biosphere", .biosphereOcean: "biosphere-ocean",
                .biosphereOceanFossil: "biosphere-ocean-fossil", .netFlux: "net-flux"]
            flux = "{generator: gcasv2, gcasv2_scheme: \(schemes[g.scheme]!), lambda: {\(lambda)}, seed: \(g.seed), "
                + "persistence_hours: \(g.persistenceHours), correlation_km: \(g.correlationLength / 1000)}"
        }
        let met = meteorology.configNode.flow
        func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
        return """
            name: \(name)
            domain: \(domain.directory.path)
            period: {start: \(start.iso), end: \(end.iso), spin_up_days: \(spinUpDays)}
            assimilation:
              members: \(a.members)
              window_hours: \(a.windowHours)
              flux_components: \(list(a.fluxComponents.map(\.rawValue)))
              localization: \(localization)
              inflation: {multiplicative: \(a.multiplicativeInflation), rtps: \(a.relaxationToPriorSpread)}
              flux_ensemble: \(flux)
            ensemble: {seed: \(seed), ic_bc_perturbation: \(initialBoundaryPerturbation), perturbation_correlation_km: \(perturbationCorrelationLength / 1000)}
            observations:
              satellite: {source: \(satelliteSource.rawValue), instrument: \(instrument), files: \(list(satelliteFiles)), combination: \(combination), omb_gate_ppm: \(ombGate), error_inflation: \(errorInflation), error_floor_ppm: \(errorFloor)}
              in_situ: {files: \(list(inSituFiles))}
            meteorology: \(met)
            prior_flux: {source: synthetic}
            outputs: {flux_averaging: \(fluxAveraging.rawValue), concentration_levels: \(list(concentrationLevels.map(String.init)))}
            checkpoint: {interval_hours: \(checkpointInterval)}
            parallel: {\(memberGroups.map { "member_groups: \($0)" } ?? "")}
            twin: {truth_amplitude: \(truthAmplitude), truth_correlation_km: \(truthCorrelationLength / 1000), truth_seed: \(truthSeed)}

            """
    }

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
            throw period.error("spin_up_days", "a spin-up of \(spinUpDays) days leaves no assessed hours in the period")
        }
        try period.finish()

        if let section = try top.optionalMapping("assimilation") {
            assimilation = try AssimilationSettings(section)
            guard Set(assimilation.fluxComponents) == [.biosphere, .ocean] else {
                throw section.error("flux_components", "the cycling driver optimises biosphere and ocean together; "
                                    + "other state vectors exist in the Assimilation module but are not wired into runs yet")
            }
        } else {
            assimilation = .jdasDefault
        }

        let ensemble = try top.optionalMapping("ensemble")
        seed = UInt64(try ensemble?.value("seed", default: 1, in: 0...Int.max) ?? 1)
        initialBoundaryPerturbation = try ensemble?.value("ic_bc_perturbation", default: 0.05, in: 0...0.5) ?? 0.05
        perturbationCorrelationLength = 1000 * (try ensemble?.value("perturbation_correlation_km", default: 0.0, in: 0...5000) ?? 0)
        try ensemble?.finish()

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
            inSituFiles = try inSitu.list("files", of: String.self).map(resolve)
            try inSitu.finish()
        } else {
            inSituFiles = []
        }
        try observations.finish()
        for path in satelliteFiles + inSituFiles where !FileManager.default.fileExists(atPath: path) {
            throw ConfigError(file: file, key: "observations", message: "observation file or folder \(path) does not exist")
        }

        if let section = try top.optionalMapping("meteorology") {
            meteorology = try MeteorologySettings.read(section, baseDirectory: folder)
        } else {
            meteorology = .synthetic(seed: SyntheticMeteorology.defaultSeed)
        }

        let prior = try top.optionalMapping("prior_flux")
        _ = try prior?.choice("source", default: "synthetic", from: ["synthetic"])
        try prior?.finish()

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
        truthCorrelationLength = 1000 * (try twin?.value("truth_correlation_km", default: 800.0, in: 1...10_000) ?? 800)
        truthSeed = UInt64(try twin?.value("truth_seed", default: 99, in: 0...Int.max) ?? 99)
        try twin?.finish()

        try top.finish()
    }
}
