import Assimilation
import Geometry
import Testing
import RandomStreams

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
    let concentrations = (0..<50).map { 400 + 2 * KeyedRandom(seed: 1, stream: "tests").normal($0) }
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

/// A request for `members` of an N-member ensemble on `cells` with one prior per component.
func request(hour: Int = 10, cells: [Int], prior: [[Double]], memberCount: Int, members: Range<Int>? = nil,
             lowest: [[Double]]? = nil, past: [Int: [[Double]]] = [:]) -> FluxForecastRequest {
    FluxForecastRequest(hour: hour, cells: cells, prior: prior, memberCount: memberCount, members: members ?? 0..<memberCount,
                        lowestLayer: lowest, pastAnalysisMean: { past[$0] })
}

@Test func jdasGeneratorGivesEachMemberEquationOne() {
    let model = JDASFluxForecast(beta: 80, smoothingDays: 3)
    let generator = JDASFluxForecast.Generator(model)
    #expect(generator.needsLowestLayer && generator.memoryHours == 48)
    let lowest: [[Double]] = [[400, 401, 402, 403], [400, 402, 404, 406]]
    let priors: [[Double]] = [[-0.5, 0.3], [0.1, -0.2]]
    let past: [Int: [[Double]]] = [10 - 24: [[-0.4, 0.2], [0.05, 0.0]]]
    let forecast = generator.forecast(request(cells: [5, 9], prior: priors, memberCount: 4, members: 1..<3,
                                              lowest: lowest, past: past))
    for component in 0..<2 {
        for c in 0..<2 {
            let prior = priors[component][c]
            let all = model.forecast(prior: prior, concentrations: lowest[c], pastAnalysisMeans: [past[-14]![component][c]])
            #expect(forecast.members[component][c] == Array(all[1..<3]))
            let meanC = lowest[c].reduce(0, +) / 4
            let kappa = lowest[c].map { $0 / meanC }
            #expect(abs(forecast.priorSpread[component][c] - 80 * abs(prior) * meanAndSpread(kappa).spread) < 1e-12)
        }
    }
}

let smallGrid = HorizontalGrid(projection: Projection(.obliqueStereographic(latitudeOfOrigin: 35, longitudeOfOrigin: 116,
                                                                           scaleFactor: 1)),
                               nx: 12, ny: 10, dx: 256_000, dy: 256_000, xOrigin: -1_536_000, yOrigin: -1_280_000)

@Test func gcasv2PerturbationsHaveTheStatedStatistics() {
    let perturbation = GCASv2FluxPerturbation(scheme: .biosphereOcean, seed: 42)
    let generator = GCASv2FluxPerturbation.Generator(perturbation, grid: smallGrid)
    let prior: [[Double]] = [[2.0, -1.0, 0.5, 0], [1.0, 1.0, 1.0, 1.0]]
    let forecast = generator.forecast(request(cells: Array(0..<4), prior: prior, memberCount: 4000))
    for c in 0..<3 {
        let (mean, sd) = meanAndSpread(forecast.members[0][c])
        // E_0 + λ δ E_0 with λ = 3: mean E_0, sd 3 |E_0| (sampling tolerance ~ 4 standard errors).
        #expect(abs(mean - prior[0][c]) < 4 * 3 * abs(prior[0][c]) / 63)
        #expect(abs(sd / (3 * abs(prior[0][c])) - 1) < 0.05)
        #expect(abs(forecast.priorSpread[0][c] - sd) < 1e-12)
    }
    #expect(forecast.members[0][3].allSatisfy { $0 == 0 })
    // λ = 5 for the ocean, drawn independently of the biosphere.
    #expect(abs(meanAndSpread(forecast.members[1][0]).spread / 5 - 1) < 0.05)
    #expect(forecast.members[0][0] != forecast.members[1][0])
    // Keyed: a subset of members gives the same values; another hour other values.
    let part = generator.forecast(request(cells: Array(0..<4), prior: prior, memberCount: 4000, members: 7..<9))
    #expect(part.members[0][1] == Array(forecast.members[0][1][7..<9]))
    let later = generator.forecast(request(hour: 11, cells: Array(0..<4), prior: prior, memberCount: 4000, members: 7..<9))
    #expect(later.members[0][1] != part.members[0][1])
}

@Test(arguments: GCASv2FluxPerturbation.Scheme.allCases)
func eachGCASv2SchemePerturbsExactlyItsOwnComponents(scheme: GCASv2FluxPerturbation.Scheme) throws {
    let state = FluxStateVector(scheme: scheme)
    #expect(state.components == scheme.components)
    #expect(Set(state.prescribed).isDisjoint(with: state.components))
    if scheme == .netFlux {
        #expect(state.prescribed.isEmpty)
    } else {
        #expect(Set(state.prescribed + state.components) == Set(FluxStateVector.priorComponents))
    }
    // Four prior fields with distinct non-zero values: the state's priors are
    // them (or their sum), and every state component gets spread.
    let fields: [FluxComponent: [Double]] = [.biosphere: [-2, 1], .ocean: [0.5, -0.25], .fossil: [3, 0.25], .fire: [0.125, 0.5]]
    let priors = state.statePriors { fields[$0]! }
    if scheme == .netFlux {
        #expect(priors == [[1.625, 1.5]])
    } else {
        #expect(priors == state.components.map { fields[$0]! })
    }
    for correlation in [0.0, 300_000] {
        let generator = GCASv2FluxPerturbation.Generator(
            GCASv2FluxPerturbation(scheme: scheme, seed: 3, persistenceHours: 24, correlationLength: correlation), grid: smallGrid)
        let forecast = generator.forecast(request(cells: [0, 1], prior: priors, memberCount: 20))
        #expect(forecast.members.count == state.components.count)
        for component in forecast.members.indices {
            for c in 0..<2 { #expect(meanAndSpread(forecast.members[component][c]).spread > 0, "\(scheme) \(component) \(c)") }
        }
    }
}

@Test func correlatedGCASv2PatternsSmoothTheSameKeyedNoise() throws {
    let grid = smallGrid, n = grid.cellCount
    let perturbation = GCASv2FluxPerturbation(scheme: .biosphereOcean, seed: 7, persistenceHours: 24, correlationLength: 600_000)
    // Without smoothing the pattern is the independent draw of `member`.
    let white = CorrelatedNoise(grid: grid, length: 0)
    let delta = perturbation.pattern(member: 3, component: .biosphere, hour: 30, noise: white)
    let uncorrelated = GCASv2FluxPerturbation.Generator(
        GCASv2FluxPerturbation(scheme: .biosphereOcean, seed: 7, persistenceHours: 24), grid: grid)
    let ones = [Double](repeating: 1, count: n)
    let member = uncorrelated.forecast(request(hour: 30, cells: Array(0..<n), prior: [ones, ones], memberCount: 4,
                                               members: 3..<4))
    let values = member.members[0].map { $0[0] }
    #expect(zip(delta, values).allSatisfy { abs($0 - ($1 - 1) / 3) < 1e-12 })   // E = E0 + λ δ E0, λ = 3
    // Smoothed: unit variance per cell, neighbours correlated, constant over the period.
    let noise = CorrelatedNoise(grid: grid, length: 600_000)
    let fields = (0..<600).map { perturbation.pattern(member: $0, component: .biosphere, hour: 30, noise: noise) }
    let a = grid.index(5, 5), b = grid.index(6, 5)
    let variance = fields.map { $0[a] * $0[a] }.reduce(0, +) / 600
    let covariance = fields.map { $0[a] * $0[b] }.reduce(0, +) / 600
    #expect(abs(variance - 1) < 0.2)
    #expect(covariance > 0.5)
    #expect(perturbation.pattern(member: 1, component: .biosphere, hour: 24, noise: noise)
            == perturbation.pattern(member: 1, component: .biosphere, hour: 47, noise: noise))
}

@Test func gcasv2DrawsPersistOverTheirPeriod() {
    func draw(_ perturbation: GCASv2FluxPerturbation, _ hour: Int) -> [Double] {
        let forecast = GCASv2FluxPerturbation.Generator(perturbation, grid: smallGrid)
            .forecast(request(hour: hour, cells: [0, 1], prior: [[2.0, -1.0], [1, 1]], memberCount: 6, members: 5..<6))
        return forecast.members[0].map { $0[0] }
    }
    let daily = GCASv2FluxPerturbation(scheme: .biosphereOcean, seed: 42, persistenceHours: 24)
    // Hours 24...47 since 1970 share one draw; hour 48 starts the next; hours
    // before 1970 group by floor division (-24...-1 together).
    #expect(draw(daily, 24) == draw(daily, 47))
    #expect(draw(daily, 47) != draw(daily, 48))
    #expect(draw(daily, -24) == draw(daily, -1))
    #expect(draw(daily, -1) != draw(daily, 0))
    // With persistence 1 every hour is drawn anew.
    let hourly = GCASv2FluxPerturbation(scheme: .biosphereOcean, seed: 42)
    #expect(draw(hourly, 24) != draw(hourly, 25))
    #expect(GCASv2FluxPerturbation.Scheme.netFlux.components == [.net])
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
