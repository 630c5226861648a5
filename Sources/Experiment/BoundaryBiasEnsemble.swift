import Assimilation
import Foundation
import Geometry
import RandomStreams

/// The lateral-boundary bias elements of the EnKS state (``BoundaryBiasSettings``):
/// every member's additive inflow bias per edge and layer band. The few
/// numbers of every member are held identically on every rank (they are
/// drawn with keyed random numbers and updated from the observation-space
/// record every rank holds), so no rank count changes them.
///
/// Forecast between hours (an AR(1) of the perturbations around the carried
/// analysis mean, as the flux memory carries the flux mean):
///     b_m(t) = b̄^a(t−1) + ρ (b_m^a(t−1) − b̄^a(t−1)) + sqrt(1 − ρ²) σ ξ_m(t),  ρ = exp(−1 h / τ)
/// so that without observations the spread stays σ and the perturbations
/// keep their correlation time τ; at the start b_m = σ ξ_m (prior mean 0).
struct BoundaryBiasEnsemble {
    let settings: BoundaryBiasSettings
    let memberCount: Int
    let random: KeyedRandom
    /// [element][member], ppm.
    var values: [Double]

    init(settings: BoundaryBiasSettings, memberCount: Int, seed: UInt64, start: Int) {
        self.settings = settings
        self.memberCount = memberCount
        random = KeyedRandom(seed: seed, stream: "boundary-bias")
        let random = random, sigma = settings.priorSigma
        values = (0..<settings.elementCount).flatMap { e in
            (0..<memberCount).map { m in sigma * random.normal(member: m, hour: start, cell: e) }
        }
    }

    /// Moves the elements to `hour` (one hour after the last analysis).
    mutating func forecast(to hour: Int) {
        let rho = exp(-1 / settings.correlationHours), fresh = (1 - rho * rho).squareRoot() * settings.priorSigma
        let N = memberCount
        for e in 0..<settings.elementCount {
            let mean = values[(e * N)..<((e + 1) * N)].reduce(0, +) / Double(N)
            for m in 0..<N {
                values[e * N + m] = mean + rho * (values[e * N + m] - mean) + fresh * random.normal(member: m, hour: hour, cell: e)
            }
        }
    }

    /// Updates the elements with an analysis's observation-space record of
    /// the observations at `points` (batch order).
    mutating func analyse(_ update: ObservationSpaceUpdate, points: [GeoPoint], grid: HorizontalGrid) {
        update.applyGlobal(to: &values, variableCount: settings.elementCount,
                           weights: settings.localization.map { cutoff in
                               (0..<settings.elementCount).flatMap { e in
                                   let edge = settings.edgeAndBand(of: e).edge
                                   return points.map { gaspariCohn(distance: edge.distance(of: $0, on: grid), cutoff: cutoff) }
                               }
                           })
    }

    /// Ensemble mean and spread of each element.
    var statistics: [(mean: Double, spread: Double)] {
        (0..<settings.elementCount).map { meanAndSpread(values[($0 * memberCount)..<(($0 + 1) * memberCount)]) }
    }

    /// Member `member`'s bias at ghost cell (i, j) in layer k (0 on edges not optimised).
    func offset(member: Int, i: Int, j: Int, k: Int, nx: Int, ny: Int) -> Double {
        settings.element(i: i, j: j, k: k, nx: nx, ny: ny).map { values[$0 * memberCount + member] } ?? 0
    }
}

/// One hour of the boundary-bias time series: the elements' forecast (before
/// the hour's analysis) and analysis mean and spread, ppm.
struct BoundaryBiasRecord: Sendable, Equatable {
    var hour: Int
    var priorMean: [Double]
    var priorSpread: [Double]
    var posteriorMean: [Double]
    var posteriorSpread: [Double]

    /// The record's numbers in one row (checkpoint layout): prior mean, prior
    /// spread, posterior mean, posterior spread, each per element.
    var row: [Double] { priorMean + priorSpread + posteriorMean + posteriorSpread }

    init(hour: Int, prior: [(mean: Double, spread: Double)], posterior: [(mean: Double, spread: Double)]) {
        self.hour = hour
        priorMean = prior.map(\.mean)
        priorSpread = prior.map(\.spread)
        posteriorMean = posterior.map(\.mean)
        posteriorSpread = posterior.map(\.spread)
    }

    init(hour: Int, row: ArraySlice<Double>, elements n: Int) {
        let r = Array(row)
        self.hour = hour
        priorMean = Array(r[0..<n])
        priorSpread = Array(r[n..<(2 * n)])
        posteriorMean = Array(r[(2 * n)..<(3 * n)])
        posteriorSpread = Array(r[(3 * n)..<(4 * n)])
    }
}
