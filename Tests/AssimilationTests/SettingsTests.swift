import Assimilation
import ConfigFormat
import Testing

@Test func emptySectionGivesTheSeed000Configuration() throws {
    let settings = try AssimilationSettings(ConfigMapping.parse("members: 50\n", file: "x.yaml"))
    #expect(settings == .jdasDefault)
    #expect(settings.horizontal == .gaspariCohn(cutoff: 1_280_000))
    #expect(settings.layout(layerCount: 15).variableCount == 15 + 24 * 2)
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
    #expect(settings.fluxGenerator == .gcasv2(GCASv2FluxPerturbation(scheme: .netFlux, scale: [.biosphere: 3, .ocean: 5, .fossil: 1, .net: 2], seed: 9, persistenceHours: settings.windowHours)))
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
