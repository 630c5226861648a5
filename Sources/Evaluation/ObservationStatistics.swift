import Foundation

/// Fit of modelled to observed values (Kou2023 Table 1): NUM, RMSE, MAE,
/// CORR and the mean bias, with bias = model − observation.
public struct ObservationStatistics: Sendable, Equatable {
    /// Number of pairs (NUM).
    public let count: Int
    /// Root-mean-square of model − observation (ppm); nil when `count` is 0.
    public let rmse: Double?
    /// Mean absolute model − observation (ppm); nil when `count` is 0.
    public let mae: Double?
    /// Pearson correlation of model and observation; nil when `count` < 2 or
    /// either series is constant (the coefficient is undefined).
    public let correlation: Double?
    /// Mean of model − observation (ppm); nil when `count` is 0.
    public let meanBias: Double?

    /// Statistics of the pairs (`model[n]`, `observed[n]`).
    public static func compute(model: [Double], observed: [Double]) -> ObservationStatistics {
        precondition(model.count == observed.count, "model and observed must pair up")
        let n = model.count
        guard n > 0 else { return ObservationStatistics(count: 0, rmse: nil, mae: nil, correlation: nil, meanBias: nil) }
        var squared = 0.0, absolute = 0.0, sum = 0.0
        for k in 0..<n {
            let d = model[k] - observed[k]
            squared += d * d
            absolute += abs(d)
            sum += d
        }
        let count = Double(n)
        return ObservationStatistics(count: n, rmse: (squared / count).squareRoot(), mae: absolute / count,
                                     correlation: pearsonCorrelation(model, observed), meanBias: sum / count)
    }

    /// Pearson's r with two-pass (mean first) sums, so a large common offset
    /// such as 400 ppm does not cost precision.
    static func pearsonCorrelation(_ a: [Double], _ b: [Double]) -> Double? {
        guard a.count >= 2 else { return nil }
        let meanA = a.reduce(0, +) / Double(a.count), meanB = b.reduce(0, +) / Double(b.count)
        var sab = 0.0, saa = 0.0, sbb = 0.0
        for k in a.indices {
            let da = a[k] - meanA, db = b[k] - meanB
            sab += da * db
            saa += da * da
            sbb += db * db
        }
        guard saa > 0, sbb > 0 else { return nil }
        return sab / (saa * sbb).squareRoot()
    }
}

/// The distribution of the bias model − observation (Kou2023 Table 3): the
/// fraction of biases inside each closed interval of ``intervals`` and the
/// bias standard deviation.
public struct BiasDistribution: Sendable, Equatable {
    /// The intervals of Kou2023 Table 3, in ppm, in its column order.
    public static let intervals: [ClosedRange<Double>] = [-4...4, -3...3, -2...2, -1...1, 0...4, 0...3, 0...2]

    /// Number of biases.
    public let count: Int
    /// Percentage (0-100) of biases in each of ``intervals``; nil when `count` is 0.
    public let percentInInterval: [Double]?
    /// Sample standard deviation (N − 1 denominator) of the bias (ppm); nil when `count` < 2.
    public let standardDeviation: Double?

    /// The distribution of `model[n] − observed[n]`.
    public static func compute(model: [Double], observed: [Double]) -> BiasDistribution {
        precondition(model.count == observed.count, "model and observed must pair up")
        let bias = zip(model, observed).map { $0 - $1 }
        guard !bias.isEmpty else { return BiasDistribution(count: 0, percentInInterval: nil, standardDeviation: nil) }
        let percent = intervals.map { interval in
            100 * Double(bias.count(where: { interval.contains($0) })) / Double(bias.count)
        }
        var sd: Double?
        if bias.count >= 2 {
            let mean = bias.reduce(0, +) / Double(bias.count)
            sd = (bias.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(bias.count - 1)).squareRoot()
        }
        return BiasDistribution(count: bias.count, percentInInterval: percent, standardDeviation: sd)
    }
}

/// Improvement rate of a score relative to the control run, in percent
/// (Kou2023 Table 4): (score_CTRL − score_X) / score_CTRL × 100. Nil when
/// the control score is zero (no room to improve; the rate is undefined).
public func improvementRate(control: Double, experiment: Double) -> Double? {
    guard control != 0 else { return nil }
    return (control - experiment) / control * 100
}

/// Uncertainty reduction in percent (Jiang2021 Eq. 19):
/// UR = (1 − σ_posterior / σ_prior) × 100. Nil when σ_prior is zero.
public func uncertaintyReduction(priorSigma: Double, posteriorSigma: Double) -> Double? {
    guard priorSigma > 0 else { return nil }
    return (1 - posteriorSigma / priorSigma) * 100
}
