import ConfigFormat
import Geometry

/// The `assimilation:` section of an experiment config, validated at the edge.
///
///     assimilation:
///       members: 50                  # ensemble size N (Kou2023: 50)
///       window_hours: 24             # smoothing window of the EnKS
///       flux_components: [biosphere, ocean]   # the state vector (gcasv2_scheme sets it too)
///       localization:
///         horizontal: gaspari-cohn   # gaspari-cohn | significance | none
///         cutoff_km: 3500            # where the Gaspari-Cohn taper reaches zero (= 2c; c is the half-width)
///         lag_growth_km_per_hour: 40 # the cut-off of a flux hour grows with its age (lag-aware; 0: fixed)
///         lag_max_km: 5000           #   up to this (default: 5000 or cutoff_km if larger)
///         near_km: 500               # significance rule (Jiang2021)
///         far_km: 3000
///         p_value: 0.05
///         vertical_cutoff_m: 3000    # optional; point observations only
///       inflation:
///         multiplicative: 1.0        # on concentration perturbations (observed columns)
///         rtps: 0.0
///         adaptive: false            # true: the multiplicative factor follows the innovations
///         adaptive_max: 1.5          #   largest factor
///         adaptive_relaxation: 0.1   #   weight of one hour's estimate
///       flux_ensemble:
///         generator: gcasv2          # gcasv2 (Jiang2021 Eq. 1-5, re-centred) | jdas (Kou2023 Eq. 1, members permuted) | jdas-literal
///         beta: 80
///         memory: relaxation         # none | smoothing (Kou2023: M-day mean) | relaxation (default: relaxation for gcasv2, smoothing for jdas)
///         smoothing_days: 4          #   M of the smoothing
///         memory_weight: 0.9         #   w of the relaxation
///         gcasv2_scheme: biosphere-ocean   # biosphere | biosphere-ocean | biosphere-ocean-fossil | net-flux
///         lambda: {biosphere: 1, ocean: 1}   # Jiang2021: 3 and 5 (monthly scaling factors)
///         persistence_hours: 24      # hours sharing one draw (default: the window, as Jiang2021)
///         correlation_km: 800        # correlation length of the draws between cells (0: independent)
///
/// The defaults were chosen by the sweep of Docs/twin-results.md ("Choosing
/// the defaults"); Kou2023's own settings are written out in
/// Domains/china-64km/jdas-2016.yaml.
///         seed: 1
public struct AssimilationSettings: Sendable, Equatable, ConfigPrintable {
    /// Which generator makes the flux ensemble.
    public enum FluxGenerator: Sendable, Equatable {
        case jdas(JDASFluxForecast)
        case gcasv2(GCASv2FluxPerturbation)
    }

    public var members: Int
    public var windowHours: Int
    /// The optimised flux components (for GCASv2, those of its scheme).
    public var stateVector: FluxStateVector
    public var horizontal: HorizontalLocalization
    /// Height difference (m) where the vertical taper reaches zero; nil = none.
    public var verticalCutoff: Double?
    /// Lag-aware localization of the flux hours; nil: one cut-off for all.
    public var lag: LagLocalization?
    public var multiplicativeInflation: Double
    public var relaxationToPriorSpread: Double
    /// Adaptive multiplicative inflation (its starting factor is `multiplicativeInflation`); nil: fixed.
    public var adaptiveInflation: AdaptiveInflation?
    public var fluxGenerator: FluxGenerator
    /// What each new flux hour's mean keeps of past analyses.
    public var memory: FluxMemory

    /// RCAS's defaults (chosen by the twin sweep of Docs/twin-results.md): 50
    /// members and a 24 h window as Kou2023, biosphere + ocean; Gaspari-Cohn
    /// reaching zero at 3500 km, growing by 40 km per hour of a flux hour's age
    /// up to 5000 km; no inflation on C; GCASv2 scaling factors λ = 1 shared
    /// for the window and correlated over 800 km, re-centred, relaxation memory w = 0.9.
    public static let rcasDefault = AssimilationSettings(
        members: 50, windowHours: 24, stateVector: .biosphereOcean,
        horizontal: .gaspariCohn(cutoff: 3_500_000), verticalCutoff: nil,
        lag: LagLocalization(growth: 40_000, maximum: 5_000_000), multiplicativeInflation: 1,
        relaxationToPriorSpread: 0, adaptiveInflation: nil,
        fluxGenerator: .gcasv2(GCASv2FluxPerturbation(scheme: .biosphereOcean, scale: defaultScalingFactorScale,
                                                      seed: 1, persistenceHours: 24, correlationLength: 800_000)),
        memory: .relaxation(weight: 0.9))

    /// Default λ of the GCASv2 scaling factors: 1 for every component (the
    /// sweep tested biosphere and ocean; Jiang2021's 3 and 5 are for monthly factors).
    static let defaultScalingFactorScale: [FluxComponent: Double] = [.biosphere: 1, .ocean: 1, .fossil: 1, .net: 1]

    public init(members: Int, windowHours: Int, stateVector: FluxStateVector, horizontal: HorizontalLocalization,
                verticalCutoff: Double?, lag: LagLocalization?, multiplicativeInflation: Double, relaxationToPriorSpread: Double,
                adaptiveInflation: AdaptiveInflation?, fluxGenerator: FluxGenerator, memory: FluxMemory) {
        self.members = members
        self.windowHours = windowHours
        self.stateVector = stateVector
        self.horizontal = horizontal
        self.verticalCutoff = verticalCutoff
        self.lag = lag
        self.multiplicativeInflation = multiplicativeInflation
        self.relaxationToPriorSpread = relaxationToPriorSpread
        self.adaptiveInflation = adaptiveInflation
        self.fluxGenerator = fluxGenerator
        self.memory = memory
    }

    /// Reads the section; absent keys take RCAS's defaults (`rcasDefault`).
    /// Errors name the file, the key path and the problem; unknown keys are rejected.
    public init(_ section: ConfigMapping) throws(ConfigError) {
        let d = Self.rcasDefault
        members = try section.value("members", default: d.members, in: 2...100_000)
        windowHours = try section.value("window_hours", default: d.windowHours, in: 1...24 * 31)
        var listed: FluxStateVector?
        if let names: [String] = try section.optionalList("flux_components") {
            var components: [FluxComponent] = []
            for name in names {
                guard let component = FluxComponent(rawValue: name) else {
                    throw section.error("flux_components", "'\(name)' is not one of: "
                                        + FluxComponent.allCases.map(\.rawValue).joined(separator: ", "))
                }
                components.append(component)
            }
            do {
                listed = try FluxStateVector(components)
            } catch {
                throw section.error("flux_components", error.description)
            }
        }

        let localization = try section.optionalMapping("localization")
        switch try localization?.choice("horizontal", default: "gaspari-cohn", from: ["gaspari-cohn", "significance", "none"])
            ?? "gaspari-cohn" {
        case "significance":
            let near: Double = try localization!.value("near_km", default: 500, in: 0...20_000)
            let far: Double = try localization!.value("far_km", default: 3000, in: 0...20_000)
            guard far >= near else { throw localization!.error("far_km", "must not be below near_km (\(near))") }
            horizontal = .significance(nearDistance: near * 1000, farDistance: far * 1000,
                                       pValue: try localization!.value("p_value", default: 0.05, in: 1e-6...0.5))
        case "none":
            horizontal = .none
        default:
            let cutoff: Double = try localization?.value("cutoff_km", default: 3500, in: 1...20_000) ?? 3500
            horizontal = .gaspariCohn(cutoff: cutoff * 1000)
        }
        var defaultGrowth = 0.0
        if case .gaspariCohn = horizontal { defaultGrowth = 40 }
        let growth: Double = try localization?.value("lag_growth_km_per_hour", default: defaultGrowth, in: 0...1000)
            ?? defaultGrowth
        if growth > 0, case .gaspariCohn(let cutoff) = horizontal {
            let limit: Double = try localization?.value("lag_max_km", default: max(5000, cutoff / 1000), in: 1...20_000)
                ?? max(5000, cutoff / 1000)
            if limit * 1000 < cutoff, let localization { throw localization.error("lag_max_km", "must not be below cutoff_km") }
            lag = LagLocalization(growth: growth * 1000, maximum: limit * 1000)
        } else {
            if growth > 0 { throw localization!.error("lag_growth_km_per_hour", "applies only to gaspari-cohn localization") }
            if localization?.contains("lag_max_km") == true {
                throw localization!.error("lag_max_km", "applies only with lag_growth_km_per_hour > 0")
            }
            lag = nil
        }
        verticalCutoff = try localization?.optional("vertical_cutoff_m")
        if let v = verticalCutoff, v <= 0 { throw localization!.error("vertical_cutoff_m", "must be positive") }
        try localization?.finish()

        let inflation = try section.optionalMapping("inflation")
        multiplicativeInflation = try inflation?.value("multiplicative", default: 1.0, in: 1...10) ?? 1
        relaxationToPriorSpread = try inflation?.value("rtps", default: 0.0, in: 0...1) ?? 0
        if try inflation?.value("adaptive", default: false) ?? false {
            adaptiveInflation = AdaptiveInflation(
                maximum: try inflation!.value("adaptive_max", default: 1.5, in: 1...10),
                relaxation: try inflation!.value("adaptive_relaxation", default: 0.1, in: 0.001...1),
                factor: multiplicativeInflation)
        } else {
            adaptiveInflation = nil
            for key in ["adaptive_max", "adaptive_relaxation"] where inflation?.contains(key) == true {
                throw inflation!.error(key, "applies only with 'adaptive: true'")
            }
        }
        try inflation?.finish()

        let flux = try section.optionalMapping("flux_ensemble")
        let generators = ["jdas", "jdas-literal", "gcasv2"]
        let generator = try flux?.choice("generator", default: "gcasv2", from: generators) ?? "gcasv2"
        // Keys of the other generators get a message saying so (the default generator changed to gcasv2).
        let ownKeys = generator == "gcasv2" ? ["lambda", "gcasv2_scheme", "correlation_km"] : ["beta"]
        for key in ["beta", "lambda", "gcasv2_scheme", "correlation_km"] where !ownKeys.contains(key) {
            if flux?.contains(key) == true {
                let owner = key == "beta" ? "the jdas generators (generator: jdas or jdas-literal)" : "generator: gcasv2"
                throw flux!.error(key, "applies only to \(owner); this section's generator is \(generator)")
            }
        }
        switch generator {
        case "gcasv2":
            let schemes = Dictionary(uniqueKeysWithValues: GCASv2FluxPerturbation.Scheme.allCases.map { ($0.configName, $0) })
            // Without gcasv2_scheme, the scheme whose state is the listed flux_components.
            let matching = GCASv2FluxPerturbation.Scheme.allCases.first { FluxStateVector(scheme: $0) == listed }
            let defaultScheme = (matching ?? .biosphereOcean).configName
            let scheme = schemes[try flux?.choice("gcasv2_scheme", default: defaultScheme,
                                                  from: GCASv2FluxPerturbation.Scheme.allCases.map(\.configName))
                                 ?? defaultScheme]!
            // The scheme is the state vector (Jiang2021 Eq. 2-5); a listed one must agree.
            let schemeVector = FluxStateVector(scheme: scheme)
            if let listed, listed != schemeVector {
                throw section.error("flux_components", "\(listed.components.map(\.rawValue)) contradicts gcasv2_scheme "
                                    + "'\(scheme.configName)', whose state is \(schemeVector.components.map(\.rawValue))")
            }
            stateVector = schemeVector
            var scale = Self.defaultScalingFactorScale
            if let lambda = try flux?.optionalMapping("lambda") {
                for component in FluxComponent.allCases {
                    if let value: Double = try lambda.optional(component.rawValue) {
                        guard value >= 0 else { throw lambda.error(component.rawValue, "must not be negative") }
                        scale[component] = value
                    }
                }
                try lambda.finish()
            }
            let seed: Int = try flux?.value("seed", default: 1, in: 0...Int.max) ?? 1
            let persistence: Int = try flux?.value("persistence_hours", default: windowHours, in: 1...24 * 366) ?? windowHours
            let correlation: Double = try flux?.value("correlation_km", default: 800, in: 0...5000) ?? 800
            fluxGenerator = .gcasv2(GCASv2FluxPerturbation(scheme: scheme, scale: scale, seed: UInt64(seed),
                                                           persistenceHours: persistence,
                                                           correlationLength: correlation * 1000))
        default:
            stateVector = listed ?? d.stateVector
            let coupling = JDASFluxForecast.Coupling(rawValue: generator)!
            let beta: Double = try flux?.value("beta", default: 80.0, in: 0...10_000) ?? 80
            if coupling == .permuted {
                fluxGenerator = .jdas(JDASFluxForecast(
                    beta: beta, coupling: coupling, seed: UInt64(try flux?.value("seed", default: 1, in: 0...Int.max) ?? 1),
                    persistenceHours: try flux?.value("persistence_hours", default: windowHours, in: 1...24 * 366) ?? windowHours))
            } else {
                fluxGenerator = .jdas(JDASFluxForecast(beta: beta, coupling: coupling))
            }
        }
        let memories = ["none", "smoothing", "relaxation"]
        let defaultMemory = generator == "gcasv2" ? "relaxation" : "smoothing"
        switch try flux?.choice("memory", default: defaultMemory, from: memories) ?? defaultMemory {
        case "none": memory = .none
        case "smoothing": memory = .smoothing(days: try flux?.value("smoothing_days", default: 4, in: 1...365) ?? 4)
        default: memory = .relaxation(weight: try flux?.value("memory_weight", default: 0.9, in: 0...1) ?? 0.9)
        }
        for (key, wanted) in [("smoothing_days", "smoothing"), ("memory_weight", "relaxation")]
            where flux?.contains(key) == true && memory.configName != wanted {
            throw flux!.error(key, "applies only with 'memory: \(wanted)'")
        }
        try flux?.finish()
        try section.finish()
    }

    /// Every value as used, in the section's own layout.
    public var configNode: ConfigNode {
        var localization: [(String, ConfigNode)]
        switch horizontal {
        case .none: localization = [("horizontal", .text("none"))]
        case .gaspariCohn(let cutoff): localization = [("horizontal", .text("gaspari-cohn")), ("cutoff_km", .number(cutoff / 1000))]
        case .significance(let near, let far, let p):
            localization = [("horizontal", .text("significance")), ("near_km", .number(near / 1000)),
                            ("far_km", .number(far / 1000)), ("p_value", .number(p))]
        }
        if let lag {
            localization += [("lag_growth_km_per_hour", .number(lag.growth / 1000)), ("lag_max_km", .number(lag.maximum / 1000))]
        } else if case .gaspariCohn = horizontal {
            // Lag growth is on by default with Gaspari-Cohn: a fixed cut-off is written out.
            localization.append(("lag_growth_km_per_hour", .number(0)))
        }
        if let v = verticalCutoff { localization.append(("vertical_cutoff_m", .number(v))) }
        var flux: [(String, ConfigNode)]
        switch fluxGenerator {
        case .jdas(let j):
            flux = [("generator", .text(j.coupling.rawValue)), ("beta", .number(j.beta))]
            if j.coupling == .permuted {
                flux += [("seed", .integer(Int(j.seed))), ("persistence_hours", .integer(j.persistenceHours))]
            }
        case .gcasv2(let g):
            let lambda = g.scheme.components.map { ($0.rawValue, ConfigNode.number(g.scale[$0] ?? 0)) }
            flux = [("generator", .text("gcasv2")), ("gcasv2_scheme", .text(g.scheme.configName)),
                    ("lambda", .mapping(lambda)), ("seed", .integer(Int(g.seed))),
                    ("persistence_hours", .integer(g.persistenceHours)),
                    ("correlation_km", .number(g.correlationLength / 1000))]
        }
        flux.append(("memory", .text(memory.configName)))
        switch memory {
        case .none: break
        case .smoothing(let days): flux.append(("smoothing_days", .integer(days)))
        case .relaxation(let weight): flux.append(("memory_weight", .number(weight)))
        }
        return .mapping([
            ("members", .integer(members)),
            ("window_hours", .integer(windowHours)),
            ("flux_components", .list(stateVector.components.map { .text($0.rawValue) })),
            ("localization", .mapping(localization)),
            ("inflation", .mapping([("multiplicative", .number(multiplicativeInflation)),
                                    ("rtps", .number(relaxationToPriorSpread)),
                                    ("adaptive", .flag(adaptiveInflation != nil))]
                                   + (adaptiveInflation.map { [("adaptive_max", ConfigNode.number($0.maximum)),
                                                                ("adaptive_relaxation", .number($0.relaxation))] } ?? []))),
            ("flux_ensemble", .mapping(flux)),
        ])
    }

    /// The column layout for a domain with `layerCount` layers.
    public func layout(layerCount: Int) -> ColumnStateLayout {
        ColumnStateLayout(layerCount: layerCount, windowHours: windowHours, fluxComponents: stateVector.components)
    }

    /// The generator of the flux ensemble on `grid`, its members' deviations
    /// scaled per grid cell by `cellScale` (a buffer; nil: none).
    public func makeFluxGenerator(grid: HorizontalGrid, cellScale: [Double]? = nil) -> any FluxEnsembleGenerator {
        switch fluxGenerator {
        case .jdas(let model):
            JDASFluxForecast.Generator(model, memory: memory, windowHours: windowHours, cellScale: cellScale)
        case .gcasv2(let perturbation):
            GCASv2FluxPerturbation.Generator(perturbation, grid: grid, memory: memory, windowHours: windowHours,
                                             cellScale: cellScale)
        }
    }

    /// The filter settings for `layout`; `layerMidHeights` (m) are needed only
    /// when vertical localization is configured. `inflation` overrides the
    /// multiplicative factor (the adaptive one of the hour); `slotAges` gives
    /// each window slot's age (hours since its flux acted; nil: empty slot)
    /// for lag-aware localization.
    public func analysisConfiguration(layout: ColumnStateLayout, layerMidHeights: [Double], inflation: Double? = nil,
                                      slotAges: [Int?] = []) -> AnalysisConfiguration {
        var cutoffs: [Double]?
        if let lag, case .gaspariCohn(let base) = horizontal {
            cutoffs = (0..<layout.variableCount).map { v in
                guard v >= layout.layerCount else { return base }
                let slot = (v - layout.layerCount) / layout.fluxComponents.count
                return lag.cutoff(base: base, age: slot < slotAges.count ? slotAges[slot] ?? 0 : 0)
            }
        }
        return AnalysisConfiguration(
            horizontal: horizontal,
            vertical: verticalCutoff.map { VerticalLocalization(cutoff: $0, variableHeights: layout.variableHeights(layerMidHeights: layerMidHeights)) },
            multiplicativeInflation: inflation ?? multiplicativeInflation, relaxationToPriorSpread: relaxationToPriorSpread,
            inflatedVariables: layout.concentrationVariables, variableCutoffs: cutoffs)
    }
}
