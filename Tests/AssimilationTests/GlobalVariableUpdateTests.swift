import Assimilation
import Testing

/// The global (unlocalized) variables replayed from the observation-space
/// record equal the Kalman update of the sample moments: the state here is the
/// whole 12-variable linear problem, treated as global variables.
@Test(arguments: [6, 40])
func unlocalizedUpdateEqualsKalmanFilterOnSampleMoments(observations: Int) {
    let problem = LinearProblem(seed: 99, observations: observations)
    let filter = SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .none), memberCount: problem.members)
    let update = filter.assimilateObservationSpace(
        problem.batch, priors: problem.priors,
        geometry: RingLocalizationGeometry(size: 3, observationSites: Array(repeating: 0, count: observations)))
    var values = problem.ensemble
    update.applyGlobal(to: &values, variableCount: problem.stateSize)

    let prior = Reference.moments(problem.ensemble, variables: problem.stateSize, members: problem.members)
    let expected = Reference.kalmanUpdate(mean: prior.mean, covariance: prior.covariance, h: problem.h, r: problem.r,
                                          y: problem.y)
    let analysis = Reference.moments(values, variables: problem.stateSize, members: problem.members)
    #expect(Reference.relativeError(analysis.mean, expected.mean) < 1e-10)
    #expect(Reference.relativeError(analysis.covariance, expected.covariance) < 1e-10)
    #expect(Reference.relativeError(prior.covariance, expected.covariance) > 1e-2)
}

/// A weight of 0 leaves a variable as it was; weights of 1 give the unweighted update.
@Test func globalUpdateWeights() {
    let problem = LinearProblem(seed: 5)
    let update = SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .none), memberCount: problem.members)
        .assimilateObservationSpace(problem.batch, priors: problem.priors,
                                    geometry: RingLocalizationGeometry(size: 3, observationSites: Array(repeating: 0, count: 6)))
    let nv = problem.stateSize, n = problem.observations
    var weighted = problem.ensemble, plain = problem.ensemble
    // Variable 0 sees no observation; the others every observation fully.
    update.applyGlobal(to: &weighted, variableCount: nv, weights: (0..<nv).flatMap { v in Array(repeating: v == 0 ? 0.0 : 1.0, count: n) })
    update.applyGlobal(to: &plain, variableCount: nv)
    let M = problem.members
    #expect(weighted[0..<M].elementsEqual(problem.ensemble[0..<M]))
    #expect(weighted[M...].elementsEqual(plain[M...]))
    #expect(!plain[0..<M].elementsEqual(problem.ensemble[0..<M]))
}
