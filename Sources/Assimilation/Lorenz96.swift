#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import RandomStreams

/// The Lorenz (1996) model dx_k/dt = (x_{k+1} − x_{k−2}) x_{k−1} − x_k + F on a
/// ring, integrated with classical RK4: the standard toy bench for ensemble
/// filters.
public struct Lorenz96: Sendable {
    public let size: Int
    public let forcing: Double
    public let timeStep: Double

    public init(size: Int = 40, forcing: Double = 8, timeStep: Double = 0.05) {
        self.size = size
        self.forcing = forcing
        self.timeStep = timeStep
    }

    func tendency(_ x: [Double]) -> [Double] {
        let n = size
        return (0..<n).map { k in
            (x[(k + 1) % n] - x[(k + n - 2) % n]) * x[(k + n - 1) % n] - x[k] + forcing
        }
    }

    /// One RK4 step.
    public func step(_ x: [Double]) -> [Double] {
        let h = timeStep
        let k1 = tendency(x)
        let k2 = tendency(zip(x, k1).map { $0 + 0.5 * h * $1 })
        let k3 = tendency(zip(x, k2).map { $0 + 0.5 * h * $1 })
        let k4 = tendency(zip(x, k3).map { $0 + h * $1 })
        return (0..<size).map { i in x[i] + h / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]) }
    }
}

/// A cycled twin experiment on Lorenz-96 with the RCAS serial EnSRF: every
/// variable observed with unit error every `observeEvery` model steps.
public struct Lorenz96Experiment: Sendable {
    public let model: Lorenz96
    public let memberCount: Int
    /// Multiplicative prior inflation of the perturbations.
    public let inflation: Double
    /// Gaspari-Cohn cut-off in index units (taper zero there); nil = no localization.
    public let localizationRadius: Double?
    public let observeEvery: Int
    public let cycles: Int
    public let seed: UInt64
    /// Cycles discarded before averaging (default: the first 10 %).
    public let burnIn: Int

    public init(model: Lorenz96 = Lorenz96(), memberCount: Int, inflation: Double, localizationRadius: Double?,
                observeEvery: Int, cycles: Int, seed: UInt64, burnIn: Int? = nil) {
        precondition(memberCount >= 2 && observeEvery >= 1 && cycles >= 1)
        self.model = model
        self.memberCount = memberCount
        self.inflation = inflation
        self.localizationRadius = localizationRadius
        self.observeEvery = observeEvery
        self.cycles = cycles
        self.seed = seed
        self.burnIn = burnIn ?? cycles / 10
    }

    /// Time means over the cycles after the burn-in.
    public struct Result: Sendable {
        /// sqrt(mean_k (x̄^a_k − x^true_k)^2), averaged over cycles.
        public let analysisRMSE: Double
        /// sqrt(mean_k var_k(x^a)), averaged over cycles.
        public let analysisSpread: Double
        public let averagedCycles: Int
    }

    public func run() -> Result {
        let n = model.size
        let members = memberCount
        // Truth: a perturbed rest state spun up for 1000 steps onto the attractor.
        var truth = [Double](repeating: model.forcing, count: n)
        truth[0] += 0.01
        for _ in 0..<1000 { truth = model.step(truth) }
        // Initial ensemble: truth + N(0, 1), keyed by (stream 0, member, variable).
        var ensemble = (0..<members).map { m in
            (0..<n).map { k in truth[k] + KeyedRandom(seed: seed, stream: "lorenz96").normal(0, m, k) }
        }
        let filter = SerialEnSRF(
            configuration: AnalysisConfiguration(
                horizontal: localizationRadius.map { .gaspariCohn(cutoff: $0) } ?? .none,
                multiplicativeInflation: inflation, inflatedVariables: 0..<1),
            memberCount: members)
        let geometry = RingLocalizationGeometry(size: n, observationSites: Array(0..<n))
        let errors = [Double](repeating: 1, count: n)
        var rmseSum = 0.0, spreadSum = 0.0, averaged = 0

        for cycle in 0..<cycles {
            for _ in 0..<observeEvery {
                truth = model.step(truth)
                for m in 0..<members { ensemble[m] = model.step(ensemble[m]) }
            }
            // Observations y_k = x^true_k + N(0, 1), keyed by (stream 1, cycle, k).
            let y = (0..<n).map { k in truth[k] + KeyedRandom(seed: seed, stream: "lorenz96").normal(1, cycle, k) }
            // Column k of the state is the single variable x_k; H is the identity.
            var block = ColumnEnsemble(columns: Array(0..<n), variableCount: 1, members: 0..<members)
            var priors = [Double](repeating: 0, count: n * members)
            for m in 0..<members {
                for k in 0..<n {
                    block[column: k, variable: 0, member: m] = ensemble[m][k]
                    priors[k * members + m] = ensemble[m][k]
                }
            }
            filter.assimilate(&block, observations: ObservationBatch(values: y, errorVariances: errors),
                              priors: priors, geometry: geometry)
            var squaredError = 0.0, variance = 0.0
            for k in 0..<n {
                var mean = 0.0
                for m in 0..<members { ensemble[m][k] = block[column: k, variable: 0, member: m]; mean += ensemble[m][k] }
                mean /= Double(members)
                var ss = 0.0
                for m in 0..<members { ss += (ensemble[m][k] - mean) * (ensemble[m][k] - mean) }
                variance += ss / Double(members - 1)
                squaredError += (mean - truth[k]) * (mean - truth[k])
            }
            if cycle >= burnIn {
                rmseSum += (squaredError / Double(n)).squareRoot()
                spreadSum += (variance / Double(n)).squareRoot()
                averaged += 1
            }
        }
        return Result(analysisRMSE: rmseSum / Double(max(averaged, 1)),
                      analysisSpread: spreadSum / Double(max(averaged, 1)), averagedCycles: averaged)
    }
}
