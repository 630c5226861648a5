/// The observation-space health of analyses, summed so that hours combine:
/// for the assimilated observations, with d = y − H x̄^b the innovation
/// against the background mean, σ²_b the background ensemble variance of
/// H x (H P^b Hᵀ) and R the observation error variance,
///     mean innovation     d̄ = Σ d / n                          (bias; ≈ 0 when unbiased)
///     χ²/n                = Σ d² / (σ²_b + R) / n               (≈ 1 when the spread is right)
///     spread              = Σ σ_b / n
/// and the Desroziers et al. (2005, QJRMS 131, Eq. 1-2) estimates
///     HBHᵀ ≈ Σ (H x̄^a − H x̄^b) d / n,    R ≈ Σ (y − H x̄^a) d / n,
/// which match σ²_b and R in a well-tuned filter.
public struct FilterDiagnostics: Sendable, Equatable {
    public private(set) var count = 0
    public private(set) var sumInnovation = 0.0
    public private(set) var sumSquaredInnovation = 0.0
    public private(set) var sumNormalisedSquares = 0.0
    public private(set) var sumSpread = 0.0
    public private(set) var sumBackgroundVariance = 0.0
    public private(set) var sumErrorVariance = 0.0
    public private(set) var sumDesroziersHBH = 0.0
    public private(set) var sumDesroziersR = 0.0

    public init() {}

    /// Adds one observation: its value, background mean and spread, error
    /// variance and analysis mean.
    public mutating func add(observed y: Double, backgroundMean hb: Double, backgroundSpread sb: Double,
                             errorVariance r: Double, analysisMean ha: Double) {
        let d = y - hb
        count += 1
        sumInnovation += d
        sumSquaredInnovation += d * d
        sumNormalisedSquares += d * d / (sb * sb + r)
        sumSpread += sb
        sumBackgroundVariance += sb * sb
        sumErrorVariance += r
        sumDesroziersHBH += (ha - hb) * d
        sumDesroziersR += (y - ha) * d
    }

    /// The diagnostics of an analysis: `update` of `batch` (background
    /// statistics as the filter saw them, i.e. after prior inflation).
    public init(batch: ObservationBatch, update: ObservationSpaceUpdate) {
        for j in 0..<batch.count {
            add(observed: batch.values[j], backgroundMean: update.priorMeans[j], backgroundSpread: update.priorSpreads[j],
                errorVariance: batch.errorVariances[j], analysisMean: update.posteriorMeans[j])
        }
    }

    /// Both sets of observations together.
    public mutating func combine(_ other: FilterDiagnostics) {
        count += other.count
        sumInnovation += other.sumInnovation
        sumSquaredInnovation += other.sumSquaredInnovation
        sumNormalisedSquares += other.sumNormalisedSquares
        sumSpread += other.sumSpread
        sumBackgroundVariance += other.sumBackgroundVariance
        sumErrorVariance += other.sumErrorVariance
        sumDesroziersHBH += other.sumDesroziersHBH
        sumDesroziersR += other.sumDesroziersR
    }

    private func mean(_ sum: Double) -> Double { count > 0 ? sum / Double(count) : .nan }
    /// d̄ (ppm).
    public var meanInnovation: Double { mean(sumInnovation) }
    /// χ²/n.
    public var chiSquarePerObservation: Double { mean(sumNormalisedSquares) }
    /// Mean background spread of H x (ppm).
    public var meanSpread: Double { mean(sumSpread) }
    /// Desroziers HBHᵀ (ppm²) and R (ppm²), beside the filter's own mean σ²_b and R.
    public var desroziersHBH: Double { mean(sumDesroziersHBH) }
    public var desroziersR: Double { mean(sumDesroziersR) }
    public var meanBackgroundVariance: Double { mean(sumBackgroundVariance) }
    public var meanErrorVariance: Double { mean(sumErrorVariance) }
}

/// Adaptive multiplicative inflation of the concentration ensemble from the
/// innovation statistics: each analysis estimates the variance factor that
/// would make the background spread match the innovations,
///     λ²_obs = (Σ d² − Σ R) / Σ σ²_b        (Desroziers et al. 2005; Li, Kalnay and Miyoshi 2009, Eq. 5)
/// bounded to [1, λ²_max], and the factor used next is relaxed toward it,
///     λ²_{t+1} = (1 − γ) λ²_t + γ λ²_obs,
/// so that a few noisy hours do not swing it. σ²_b here is the variance
/// before inflation.
public struct AdaptiveInflation: Sendable, Equatable {
    /// The largest factor λ allowed.
    public let maximum: Double
    /// γ, the weight of one hour's estimate.
    public let relaxation: Double
    /// The factor λ of the next analysis.
    public private(set) var factor: Double

    public init(maximum: Double, relaxation: Double, factor: Double = 1) {
        self.maximum = maximum
        self.relaxation = relaxation
        self.factor = factor
    }

    /// Learns from one analysis whose diagnostics were taken with inflation
    /// `applied` (so σ²_b / applied² is the uninflated variance).
    public mutating func learn(from diagnostics: FilterDiagnostics, applied: Double) {
        guard diagnostics.count > 0, diagnostics.sumBackgroundVariance > 0 else { return }
        let uninflated = diagnostics.sumBackgroundVariance / (applied * applied)
        let estimate = min(max((diagnostics.sumSquaredInnovation - diagnostics.sumErrorVariance) / uninflated, 1),
                           maximum * maximum)
        let variance = (1 - relaxation) * factor * factor + relaxation * estimate
        factor = variance.squareRoot()
    }
}
