import Assimilation
import Testing

@Test func lorenz96StepMatchesTheEquations() {
    // At the rest state x = F the tendency vanishes; one RK4 step keeps it.
    let model = Lorenz96()
    #expect(model.step(Array(repeating: 8, count: 40)) == Array(repeating: 8, count: 40))
    // Energy stays bounded on the attractor.
    var x = Array(repeating: 8.0, count: 40)
    x[0] += 0.01
    for _ in 0..<2000 { x = model.step(x) }
    #expect(x.allSatisfy { abs($0) < 20 })
}

@Test func lorenz96AnalysisErrorIsWellBelowObservationError() {
    // The documented figure (Docs/assimilation.md) uses 2000 cycles; 400 keep the debug test fast.
    let result = Lorenz96Experiment(memberCount: 28, inflation: 1.02, localizationRadius: nil, observeEvery: 1,
                                    cycles: 400, seed: 1).run()
    #expect(result.averagedCycles == 360)
    #expect(result.analysisRMSE < 0.3)
    #expect(result.analysisSpread > 0.5 * result.analysisRMSE && result.analysisSpread < 2 * result.analysisRMSE)
}

@Test func lorenz96LocalizationRescuesASmallEnsemble() {
    let localized = Lorenz96Experiment(memberCount: 10, inflation: 1.05, localizationRadius: 8, observeEvery: 1,
                                       cycles: 300, seed: 2).run()
    #expect(localized.analysisRMSE < 0.4)
}
