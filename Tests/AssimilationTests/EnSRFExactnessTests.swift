import Assimilation
import Testing
import RandomStreams

/// A random linear problem: 12 state variables in 3 columns of 4, 6 (or
/// `observations`) observations with uncorrelated errors, 30 members.
struct LinearProblem {
    let columns = 3, variables = 4, members = 30
    let observations: Int
    var stateSize: Int { columns * variables }
    let ensemble: [Double]  // [state variable][member], state variable = column * 4 + v
    let h: [Double]         // observations x state
    let r: [Double]
    let y: [Double]

    init(seed: UInt64, observations: Int = 6) {
        self.observations = observations
        let n = 3 * 4
        var e = Reference.normals(rows: n, columns: 30, seed: seed, tag: 1)
        for i in 0..<n { for m in 0..<30 { e[i * 30 + m] = 2 * e[i * 30 + m] + Double(i) } }
        ensemble = e
        h = Reference.normals(rows: observations, columns: n, seed: seed, tag: 2)
        r = (0..<observations).map { 0.5 + KeyedRandom(seed: seed, stream: "tests").uniform(3, $0) }
        y = (0..<observations).map { 3 * KeyedRandom(seed: seed, stream: "tests").normal(4, $0) }
    }

    var block: ColumnEnsemble {
        ColumnEnsemble(columns: Array(0..<columns), variableCount: variables, members: 0..<members, values: ensemble)
    }

    /// H x_i for every member, [obs][member].
    var priors: [Double] {
        Reference.multiply(h, ensemble, m: observations, k: stateSize, n: members)
    }

    var batch: ObservationBatch { ObservationBatch(values: y, errorVariances: r) }
}

/// 6 observations fit in one observation block of the blocked update; 40 span
/// three (16 + 16 + 8), so the restart between blocks is compared too.
@Test(arguments: [6, 40])
func serialEnSRFEqualsKalmanFilterOnSampleMoments(observations: Int) {
    let problem = LinearProblem(seed: 2024, observations: observations)
    var block = problem.block
    let filter = SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .none), memberCount: problem.members)
    let update = filter.assimilate(&block, observations: problem.batch, priors: problem.priors,
                                   geometry: RingLocalizationGeometry(size: 3, observationSites: Array(repeating: 0, count: observations)))

    let prior = Reference.moments(problem.ensemble, variables: problem.stateSize, members: problem.members)
    let expected = Reference.kalmanUpdate(mean: prior.mean, covariance: prior.covariance, h: problem.h, r: problem.r,
                                          y: problem.y)
    let analysis = Reference.moments(block.values, variables: problem.stateSize, members: problem.members)
    #expect(Reference.relativeError(analysis.mean, expected.mean) < 1e-10)
    #expect(Reference.relativeError(analysis.covariance, expected.covariance) < 1e-10)
    // The analysis really moved: the covariance shrank by more than rounding.
    #expect(Reference.relativeError(prior.covariance, expected.covariance) > 1e-2)

    // The simulated observations, updated as part of the augmented state, equal H x^a.
    let posteriorObservations = Reference.multiply(problem.h, expected.mean, rows: problem.observations,
                                                   columns: problem.stateSize)
    #expect(Reference.relativeError(update.posteriorMeans, posteriorObservations) < 1e-10)
}

@Test func multiplicativeInflationScalesPriorPerturbations() {
    // Inflating all variables by λ equals the Kalman update of (x̄, λ² P).
    let problem = LinearProblem(seed: 7)
    var block = problem.block
    let lambda = 1.3
    let configuration = AnalysisConfiguration(horizontal: .none, multiplicativeInflation: lambda,
                                              inflatedVariables: 0..<problem.variables)
    SerialEnSRF(configuration: configuration, memberCount: problem.members)
        .assimilate(&block, observations: problem.batch, priors: problem.priors,
                    geometry: RingLocalizationGeometry(size: 1, observationSites: Array(repeating: 0, count: 6)))
    let prior = Reference.moments(problem.ensemble, variables: problem.stateSize, members: problem.members)
    let expected = Reference.kalmanUpdate(mean: prior.mean, covariance: prior.covariance.map { $0 * lambda * lambda },
                                          h: problem.h, r: problem.r, y: problem.y)
    let analysis = Reference.moments(block.values, variables: problem.stateSize, members: problem.members)
    #expect(Reference.relativeError(analysis.mean, expected.mean) < 1e-10)
    #expect(Reference.relativeError(analysis.covariance, expected.covariance) < 1e-10)
}

@Test func relaxationToPriorSpreadRestoresPriorSpread() {
    // RTPS with α = 1 gives every inflated variable its prior spread back and keeps the mean.
    let problem = LinearProblem(seed: 9)
    var plain = problem.block
    var relaxed = problem.block
    let geometry = RingLocalizationGeometry(size: 1, observationSites: Array(repeating: 0, count: 6))
    SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .none), memberCount: problem.members)
        .assimilate(&plain, observations: problem.batch, priors: problem.priors, geometry: geometry)
    SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .none, relaxationToPriorSpread: 1,
                                                     inflatedVariables: 0..<2), memberCount: problem.members)
        .assimilate(&relaxed, observations: problem.batch, priors: problem.priors, geometry: geometry)
    let prior = Reference.moments(problem.ensemble, variables: problem.stateSize, members: problem.members)
    let a = Reference.moments(plain.values, variables: problem.stateSize, members: problem.members)
    let b = Reference.moments(relaxed.values, variables: problem.stateSize, members: problem.members)
    let n = problem.stateSize
    #expect(Reference.relativeError(b.mean, a.mean) < 1e-12)
    for column in 0..<problem.columns {
        for v in 0..<problem.variables {
            let i = column * problem.variables + v
            let expected = v < 2 ? prior.covariance[i * n + i] : a.covariance[i * n + i]
            #expect(abs(b.covariance[i * n + i] - expected) <= 1e-10 * expected)
        }
    }
}
