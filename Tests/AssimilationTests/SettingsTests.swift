import Assimilation
import ConfigFormat
import Testing

@Test func emptySectionGivesTheDefaults() throws {
    let settings = try AssimilationSettings(ConfigMapping.parse("members: 50\n", file: "x.yaml"))
    #expect(settings == .rcasDefault)
    #expect(settings.horizontal == .gaspariCohn(cutoff: 3_500_000))
    #expect(settings.lag == LagLocalization(growth: 40_000, maximum: 5_000_000))
    #expect(settings.fluxGenerator == .gcasv2(GCASv2FluxPerturbation(
        scheme: .biosphereOcean, scale: [.biosphere: 1, .ocean: 1, .fossil: 1, .net: 1], seed: 1,
        persistenceHours: 24, correlationLength: 800_000)))
    #expect(settings.memory == .relaxation(weight: 0.9))
    #expect(settings.layout(layerCount: 15).variableCount == 15 + 24 * 2)
}

@Test func kou2023SettingsWrittenOut() throws {
    // Domains/china-64km/jdas-2016.yaml's section: the paper's configuration.
    let text = """
        members: 50
        localization: {horizontal: gaspari-cohn, cutoff_km: 1280, lag_growth_km_per_hour: 0}
        flux_ensemble: {generator: jdas, beta: 80, memory: smoothing, smoothing_days: 4}
        """
    let settings = try AssimilationSettings(ConfigMapping.parse(text, file: "x.yaml"))
    #expect(settings.horizontal == .gaspariCohn(cutoff: 1_280_000) && settings.lag == nil)
    #expect(settings.fluxGenerator == .jdas(JDASFluxForecast()))
    #expect(settings.memory == .smoothing(days: 4))
}

@Test func defaultLagLimitFollowsAWideCutoff() throws {
    let settings = try AssimilationSettings(ConfigMapping.parse("localization: {cutoff_km: 6000}", file: "x.yaml"))
    #expect(settings.lag == LagLocalization(growth: 40_000, maximum: 6_000_000))
    // Listed flux components choose the GCASv2 scheme when none is named.
    let fossil = try AssimilationSettings(ConfigMapping.parse("flux_components: [biosphere, ocean, fossil]", file: "x.yaml"))
    #expect(fossil.stateVector.components == [.biosphere, .ocean, .fossil])
}

@Test func sectionSelectsTheAlternatives() throws {
    let text = """
        members: 30
        flux_components: [net]
        localization: {horizontal: significance, far_km: 2500, vertical_cutoff_m: 2000}
        inflation: {multiplicative: 1.1, rtps: 0.5}
        flux_ensemble: {generator: gcasv2, gcasv2_scheme: net-flux, lambda: {net: 2}, seed: 9}
        """
    let settings = try AssimilationSettings(ConfigMapping.parse(text, file: "x.yaml"))
    #expect(settings.members == 30)
    #expect(settings.stateVector.components == [.net])
    #expect(settings.horizontal == .significance(nearDistance: 500_000, farDistance: 2_500_000, pValue: 0.05))
    #expect(settings.fluxGenerator == .gcasv2(GCASv2FluxPerturbation(scheme: .netFlux, scale: [.biosphere: 1, .ocean: 1, .fossil: 1, .net: 2], seed: 9, persistenceHours: settings.windowHours,
        correlationLength: 800_000)))
    let configuration = settings.analysisConfiguration(layout: settings.layout(layerCount: 2), layerMidHeights: [50, 300])
    #expect(configuration.vertical == VerticalLocalization(cutoff: 2000, variableHeights: [50, 300] + Array(repeating: 0, count: 24)))
    #expect(configuration.inflatedVariables == 0..<2)
    #expect(configuration.multiplicativeInflation == 1.1 && configuration.relaxationToPriorSpread == 0.5)
}

@Test func badSettingsNameTheKey() {
    for (text, key) in [("localization: {cutoff_kms: 1000}", "localization.cutoff_kms"),
                        ("flux_components: [biosphere, plankton]", "flux_components"),
                        ("inflation: {rtps: 2}", "inflation.rtps")] {
        do {
            _ = try AssimilationSettings(ConfigMapping.parse(text, file: "exp.yaml"))
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains("exp.yaml") && error.description.contains(key), "\(error)")
        }
    }
}
