import Assimilation
import Geometry
import Testing

@Test func equalConcentrationsGiveEveryMemberTheRecentredMean() {
    let model = JDASFluxForecast(beta: 80, smoothingDays: 4)
    let members = model.forecast(prior: -2.5, concentrations: Array(repeating: 410, count: 50),
                                 pastAnalysisMeans: [-3, -1.5, -2])
    let mean = (-3 - 1.5 - 2 - 2.5) / 4.0
    #expect(model.forecastMean(prior: -2.5, pastAnalysisMeans: [-3, -1.5, -2]) == mean)
    for value in members { #expect(abs(value - mean) <= 1e-15 * abs(mean)) }
}

@Test func ensembleMeanOfForecastEqualsStatedMeanFormula() {
    let model = JDASFluxForecast()
    let concentrations = (0..<50).map { 400 + 2 * KeyedRandom.normal(seed: 1, key: [$0]) }
    for past in [[Double](), [1.2], [1.2, 0.4], [1.2, 0.4, -0.7], [1.2, 0.4, -0.7, 9.9]] {
        let members = model.forecast(prior: 0.8, concentrations: concentrations, pastAnalysisMeans: past)
        // Only M − 1 = 3 past days count; before they exist, the average is over what exists.
        let used = Array(past.prefix(3))
        let expected = (used.reduce(0, +) + 0.8) / Double(used.count + 1)
        let mean = members.reduce(0, +) / Double(members.count)
        #expect(abs(mean - expected) < 1e-12, "past \(past)")
        // The spread is β times the spread of κ times |E^p|.
        let kappa = concentrations.map { $0 / (concentrations.reduce(0, +) / 50) }
        let kappaMean = kappa.reduce(0, +) / 50
        for (value, k) in zip(members, kappa) {
            #expect(abs(value - (expected + 80 * (k - kappaMean) * 0.8)) < 1e-12)
        }
    }
}

@Test func negativeFluxesPassThrough() {
    // A positive prior whose members go negative, and negative priors: no clipping.
    let model = JDASFluxForecast(beta: 80, smoothingDays: 4)
    let members = model.forecast(prior: 1.0, concentrations: [390, 400, 410], pastAnalysisMeans: [])
    #expect(members[0] < 0)
    #expect(abs(members[0] - (1 + 80 * (390.0 / 400 - 1))) < 1e-12)
    let negative = model.forecast(prior: -4, concentrations: [399, 401], pastAnalysisMeans: [-6])
    #expect(negative.allSatisfy { $0 < 0 })
    #expect(abs(negative.reduce(0, +) / 2 - (-5)) < 1e-12)
}

@Test func fluxForecastFillsItsWindowSlotInColumnSpace() {
    let layout = ColumnStateLayout(layerCount: 3, windowHours: 24, fluxComponents: [.biosphere, .ocean])
    var block = ColumnEnsemble(columns: [5, 9], variableCount: layout.variableCount, members: 0..<4)
    for c in 0..<2 { for m in 0..<4 { block[column: c, variable: 0, member: m] = 400 + Double(m + c) } }
    let model = JDASFluxForecast()
    model.forecast(into: &block, layout: layout, slot: 7, component: 1, prior: [-0.5, 0.3], pastAnalysisMeans: [[], [0.1]])
    for c in 0..<2 {
        let expected = model.forecast(prior: [-0.5, 0.3][c], concentrations: (0..<4).map { 400 + Double($0 + c) },
                                      pastAnalysisMeans: [[], [0.1]][c])
        #expect((0..<4).map { block[column: c, variable: layout.flux(slot: 7, component: 1), member: $0] } == expected)
    }
    // Nothing else was touched.
    #expect(block[column: 0, variable: layout.flux(slot: 7, component: 0), member: 0] == 0)
}

@Test func gcasv2PerturbationsHaveTheStatedStatistics() {
    let generator = GCASv2FluxPerturbation(scheme: .biosphereOcean, seed: 42)
    let cells = Array(0..<4)
    let prior = [2.0, -1.0, 0.5, 0]
    let members = (0..<4000).map { generator.member($0, component: .biosphere, hour: 10, cells: cells, prior: prior) }
    for c in 0..<3 {
        let values = members.map { $0[c] }
        let mean = values.reduce(0, +) / Double(values.count)
        let sd = (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        // E_0 + λ δ E_0 with λ = 3: mean E_0, sd 3 |E_0| (sampling tolerance ~ 4 standard errors).
        #expect(abs(mean - prior[c]) < 4 * 3 * abs(prior[c]) / 63)
        #expect(abs(sd / (3 * abs(prior[c])) - 1) < 0.05)
    }
    #expect(members.allSatisfy { $0[3] == 0 })
    // Keyed: the same (member, hour, cell) gives the same value, another hour another value.
    #expect(generator.member(7, component: .biosphere, hour: 10, cells: cells, prior: prior) == members[7])
    #expect(generator.member(7, component: .biosphere, hour: 11, cells: cells, prior: prior) != members[7])
    // Fossil is not part of this scheme's state: returned unperturbed.
    #expect(generator.member(3, component: .fossil, hour: 10, cells: cells, prior: prior) == prior)
    #expect(GCASv2FluxPerturbation.Scheme.netFlux.components == [.net])
}

@Test func correlatedGCASv2PatternsSmoothTheSameKeyedNoise() throws {
    let grid = HorizontalGrid(projection: Projection(.obliqueStereographic(latitudeOfOrigin: 35, longitudeOfOrigin: 116,
                                                                           scaleFactor: 1)),
                              nx: 12, ny: 10, dx: 256_000, dy: 256_000, xOrigin: -1_536_000, yOrigin: -1_280_000)
    let generator = GCASv2FluxPerturbation(scheme: .biosphereOcean, seed: 7, persistenceHours: 24, correlationLength: 600_000)
    let prior = [Double](repeating: 1, count: grid.cellCount)
    // Without smoothing the pattern is the independent draw of `member`.
    let white = CorrelatedNoise(grid: grid, length: 0)
    let delta = generator.pattern(member: 3, component: .biosphere, hour: 30, noise: white)
    let member = generator.member(3, component: .biosphere, hour: 30, cells: Array(0..<grid.cellCount), prior: prior)
    #expect(zip(delta, member).allSatisfy { abs($0 - ($1 - 1) / 3) < 1e-12 })   // E = E0 + λ δ E0, λ = 3
    // Smoothed: unit variance per cell, neighbours correlated, constant over the period.
    let noise = CorrelatedNoise(grid: grid, length: 600_000)
    let fields = (0..<600).map { generator.pattern(member: $0, component: .biosphere, hour: 30, noise: noise) }
    let a = grid.index(5, 5), b = grid.index(6, 5)
    let variance = fields.map { $0[a] * $0[a] }.reduce(0, +) / 600
    let covariance = fields.map { $0[a] * $0[b] }.reduce(0, +) / 600
    #expect(abs(variance - 1) < 0.2)
    #expect(covariance > 0.5)
    #expect(generator.pattern(member: 1, component: .biosphere, hour: 24, noise: noise)
            == generator.pattern(member: 1, component: .biosphere, hour: 47, noise: noise))
}

@Test func gcasv2DrawsPersistOverTheirPeriod() {
    let daily = GCASv2FluxPerturbation(scheme: .biosphereOcean, seed: 42, persistenceHours: 24)
    let prior = [2.0, -1.0]
    func draw(_ hour: Int) -> [Double] { daily.member(5, component: .biosphere, hour: hour, cells: [0, 1], prior: prior) }
    // Hours 24...47 since 1970 share one draw; hour 48 starts the next; hours
    // before 1970 group by floor division (-24...-1 together).
    #expect(draw(24) == draw(47))
    #expect(draw(47) != draw(48))
    #expect(draw(-24) == draw(-1))
    #expect(draw(-1) != draw(0))
    // With persistence 1 every hour is drawn anew (the default, as before).
    let hourly = GCASv2FluxPerturbation(scheme: .biosphereOcean, seed: 42)
    #expect(hourly.member(5, component: .biosphere, hour: 24, cells: [0, 1], prior: prior)
            != hourly.member(5, component: .biosphere, hour: 25, cells: [0, 1], prior: prior))
}

@Test func keyedRandomNumbersAreStandardNormalAndKeyed() {
    let values = (0..<20000).map { KeyedRandom.normal(seed: 99, key: [$0, 3]) }
    let mean = values.reduce(0, +) / Double(values.count)
    let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)
    #expect(abs(mean) < 0.03)
    #expect(abs(variance - 1) < 0.04)
    #expect(KeyedRandom.normal(seed: 99, key: [5, 3]) == values[5])
    #expect(KeyedRandom.normal(seed: 98, key: [5, 3]) != values[5])
    #expect(KeyedRandom.normal(seed: 99, key: [3, 5]) != values[5])
}

@Test func ensembleStatisticsAndUncertaintyReduction() {
    let block = ColumnEnsemble(columns: [4, 7], variableCount: 2, members: 0..<4,
                               values: [1, 2, 3, 4, 0, 0, 0, 0, -2, 2, -2, 2, 5, 5, 5, 9])
    #expect(block.mean(variable: 0) == [2.5, 0])
    #expect(block.mean(variable: 1) == [0, 6])
    let spread0 = block.spread(variable: 0)
    #expect(abs(spread0[0] - (5.0 / 3).squareRoot()) < 1e-15 && abs(spread0[1] - (16.0 / 3).squareRoot()) < 1e-15)
    #expect(block.spread(variable: 1) == [0, 2])
    #expect(abs(uncertaintyReduction(priorSpread: 0.8, posteriorSpread: 0.6) - 25) < 1e-12)
}
