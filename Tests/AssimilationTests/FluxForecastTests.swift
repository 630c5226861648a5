import Assimilation
import Geometry
import Testing
import RandomStreams
import TestSupport

/// A request for `members` of an N-member ensemble on `cells` with one prior
/// per component; `lowest` [column][member].
func request(hour: Int = 10, cells: [Int], prior: [[Double]], memberCount: Int, members: Range<Int>? = nil,
             lowest: [[Double]]? = nil, past: [Int: PastFluxHour] = [:]) -> FluxForecastRequest {
    FluxForecastRequest(hour: hour, cells: cells, prior: prior, memberCount: memberCount, members: members ?? 0..<memberCount,
                        lowestLayer: lowest.map { $0.flatMap { $0 } }, past: { past[$0] })
}

/// One past hour of one cell and one component.
func pastHour(analysis: Double, prior: Double) -> PastFluxHour {
    PastFluxHour(analysisMean: [[analysis]], priorMean: [[prior]])
}

@Test func smoothingMemoryIsSeed000sMDayMean() {
    // Only M − 1 = 3 past days count; before they exist, the average is over what exists.
    let memory = FluxMemory.smoothing(days: 4)
    let days: [Double] = [1.2, 0.4, -0.7, 9.9]
    for known in 0...4 {
        var past: [Int: PastFluxHour] = [:]
        for (j, value) in days.prefix(known).enumerated() { past[100 - 24 * (j + 1)] = pastHour(analysis: value, prior: 0) }
        let used = Array(days.prefix(min(known, 3)))
        let expected = (used.reduce(0, +) + 0.8) / Double(used.count + 1)
        let mean = memory.forecastMeans(prior: [[0.8]], hour: 100, windowHours: 24) { past[$0] }[0][0]
        #expect(abs(mean - expected) < 1e-15, "\(known) past days")
    }
    #expect(memory.hours(windowHours: 24) == 72)
}

@Test func relaxationMemoryCarriesAFractionOfTheLastCorrection() {
    let memory = FluxMemory.relaxation(weight: 0.75)
    // The latest final same-hour analysis counts: with a 48 h window that is 2 days back.
    let past: [Int: PastFluxHour] = [100 - 48: pastHour(analysis: -3, prior: -2), 100 - 72: pastHour(analysis: 9, prior: 0)]
    let mean = memory.forecastMeans(prior: [[-2.5]], hour: 100, windowHours: 48) { past[$0] }[0][0]
    #expect(mean == -2.5 + 0.75 * (-3 - -2))
    #expect(FluxMemory.none.forecastMeans(prior: [[-2.5]], hour: 100, windowHours: 24) { past[$0] } == [[-2.5]])
    // A persistent error e with a per-day analysis gain g converges to
    // w g / (1 − w (1 − g)) e: cycle the memory day by day (prior 0, truth e).
    let w = 0.9, g = 0.2, e = 1.0
    let relaxed = FluxMemory.relaxation(weight: w)
    var history: [Int: PastFluxHour] = [:]
    var forecast = 0.0
    for day in 1...400 {
        forecast = relaxed.forecastMeans(prior: [[0]], hour: 24 * day, windowHours: 24) { history[$0] }[0][0]
        history = [24 * day: pastHour(analysis: forecast + g * (e - forecast), prior: 0)]
    }
    #expect(abs(forecast - w * g / (1 - w * (1 - g)) * e) < 1e-12)
}

@Test func jdasAnomaliesFollowTheConcentrationAnomaly() {
    let model = JDASFluxForecast(beta: 80, coupling: .literal)
    let concentrations = (0..<50).map { 400 + 2 * KeyedRandom(seed: 1, stream: "tests").normal($0) }
    let meanC = concentrations.reduce(0, +) / 50
    let kappa = concentrations.map { $0 / meanC }
    let kappaMean = kappa.reduce(0, +) / 50
    for prior in [0.8, -1.5] {
        let anomalies = model.anomalies(prior: prior, concentrations: concentrations)
        for (value, k) in zip(anomalies, kappa) { #expect(abs(value - 80 * (k - kappaMean) * prior) < 1e-12) }
        #expect(abs(meanAndSpread(anomalies).mean) < 1e-12)
    }
    // Equal concentrations: no spread.
    #expect(model.anomalies(prior: -2.5, concentrations: Array(repeating: 410, count: 5)).allSatisfy { $0 == 0 })
}

@Test func jdasPermutationTakesEveryOtherMembersAnomalyOncePerPeriod() {
    let model = JDASFluxForecast(beta: 80, coupling: .permuted, seed: 4, persistenceHours: 24)
    let pi = model.permutation(count: 50, hour: 30)
    #expect(Set(pi) == Set(0..<50))
    #expect(pi.indices.allSatisfy { pi[$0] != $0 })
    #expect(model.permutation(count: 50, hour: 47) == pi)
    #expect(model.permutation(count: 50, hour: 48) != pi)
    #expect(JDASFluxForecast(beta: 80, coupling: .literal).permutation(count: 5, hour: 30) == [0, 1, 2, 3, 4])
    #expect(model.permutation(count: 1, hour: 30) == [0])
}

/// A buffer's factor s per cell multiplies the JDAS anomalies, so the
/// members' deviations from the forecast mean and the prior spread scale by s,
/// and the mean is unchanged.
@Test func jdasBufferScalesTheAnomaliesPerCell() {
    let model = JDASFluxForecast(beta: 80, coupling: .permuted, seed: 2, persistenceHours: 24)
    let lowest: [[Double]] = [[400, 401, 402, 403], [400, 402, 404, 406]]
    let priors: [[Double]] = [[-0.5, 0.3]]
    func forecast(_ scale: [Double]?) -> FluxEnsembleForecast {
        JDASFluxForecast.Generator(model, memory: .none, windowHours: 24, cellScale: scale)
            .forecast(request(cells: [5, 9], prior: priors, memberCount: 4, members: 0..<4, lowest: lowest, past: [:]))
    }
    var scale = [Double](repeating: 1, count: 10)
    scale[9] = 0.25
    let plain = forecast(nil), scaled = forecast(scale)
    #expect(scaled.members[0][0] == plain.members[0][0])
    for (a, b) in zip(scaled.members[0][1], plain.members[0][1]) {
        #expect(isClose(a - priors[0][1], 0.25 * (b - priors[0][1]), relative: 1e-12))
    }
    #expect(isClose(scaled.priorSpread[0][1], 0.25 * plain.priorSpread[0][1], relative: 1e-12))
    #expect(isClose(scaled.forecastMean[0][1], plain.forecastMean[0][1], relative: 1e-12))
}

@Test(arguments: JDASFluxForecast.Coupling.allCases)
func jdasGeneratorIsMemoryMeanPlusAnAnomaly(coupling: JDASFluxForecast.Coupling) {
    let model = JDASFluxForecast(beta: 80, coupling: coupling, seed: 2, persistenceHours: 24)
    let generator = JDASFluxForecast.Generator(model, memory: .smoothing(days: 3), windowHours: 24)
    #expect(generator.needsLowestLayer && generator.memoryHours == 48)
    let lowest: [[Double]] = [[400, 401, 402, 403], [400, 402, 404, 406]]
    let priors: [[Double]] = [[-0.5, 0.3], [0.1, -0.2]]
    let past: [Int: PastFluxHour] = [10 - 24: PastFluxHour(analysisMean: [[-0.4, 0.2], [0.05, 0.0]], priorMean: priors)]
    let forecast = generator.forecast(request(cells: [5, 9], prior: priors, memberCount: 4, members: 1..<3,
                                              lowest: lowest, past: past))
    let pi = model.permutation(count: 4, hour: 10)
    for component in 0..<2 {
        for c in 0..<2 {
            let prior = priors[component][c]
            let mean = (past[-14]!.analysisMean[component][c] + prior) / 2
            let anomalies = model.anomalies(prior: prior, concentrations: lowest[c])
            #expect(forecast.members[component][c] == (1..<3).map { mean + anomalies[pi[$0]] })
            #expect(forecast.priorSpread[component][c] == meanAndSpread(anomalies).spread)
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
        // E_0 + λ (δ − δ̄) E_0 with λ = 3: mean E_0 to round-off (re-centred), sd 3 |E_0| (sampling tolerance).
        #expect(abs(mean - prior[0][c]) <= 1e-12 * abs(prior[0][c]))
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
    // A rank's cells: the same values at those cells, in their order.
    #expect(state.statePriors({ fields[$0]! }, cells: [1]) == priors.map { [$0[1]] })
    #expect(state.prescribedTotal({ fields[$0]! }, cells: [1, 0]) == Array(state.prescribedTotal({ fields[$0]! }, cellCount: 2).reversed()))
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
    // E = E0 + λ (δ − δ̄) E0, λ = 3: a member's draw less the ensemble mean of the draws.
    let all = uncorrelated.forecast(request(hour: 30, cells: Array(0..<n), prior: [ones, ones], memberCount: 4))
    let centres = (0..<n).map { c in (0..<4).map { m in perturbation.pattern(member: m, component: .biosphere, hour: 30, noise: white)[c] }.reduce(0, +) / 4 }
    #expect(zip(zip(delta, centres), values).allSatisfy { abs($0.0 - $0.1 - ($1 - 1) / 3) < 1e-12 })
    #expect((0..<n).allSatisfy { c in abs(meanAndSpread(all.members[0][c]).mean - 1) < 1e-14 })
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
