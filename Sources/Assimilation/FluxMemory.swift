/// What the forecast mean of a new flux hour keeps of past analyses, so that
/// a persistent error learnt over days accumulates instead of being drawn
/// afresh around the prior every day (SCIENCE.md §5). Past hours are taken
/// at the same hour of day (fluxes have a diurnal cycle).
public enum FluxMemory: Sendable, Equatable {
    /// E^f = E^p: every hour starts from the prior.
    case none
    /// Kou2023 Eq. 1: mean E^f = (1/M) (Σ_{j=1}^{M−1} mean E^a_{t − 24 j} + E^p_t);
    /// before M − 1 days of analyses exist the average is over what exists.
    case smoothing(days: Int)
    /// E^f_t = E^p_t + w (mean E^a_{t−24k} − E^p_{t−24k}) with k the most
    /// recent whole day whose analysis is final: a fraction w of the last
    /// correction carries to the next day. With a per-day gain g of the
    /// remaining error, a persistent error e converges to w g / (1 − w (1 − g)) e
    /// (w = 1: all of it; w = 0.5 is CarbonTracker's (posterior + prior) / 2).
    case relaxation(weight: Double)

    /// The method's name in configurations.
    public var configName: String {
        switch self {
        case .none: "none"
        case .smoothing: "smoothing"
        case .relaxation: "relaxation"
        }
    }

    /// Hours back the memory may read (the engine keeps those past means).
    public func hours(windowHours: Int) -> Int {
        switch self {
        case .none: 0
        case .smoothing(let days): 24 * (days - 1)
        // The latest final same-hour analysis is at most a window plus a day back.
        case .relaxation: 24 * ((windowHours + 23) / 24 + 1)
        }
    }

    /// E^f of every cell of flux hour `hour`, [component][column], from its
    /// prior [component][column] and the past hours.
    public func forecastMeans(prior: [[Double]], hour: Int, windowHours: Int,
                              past: (Int) -> PastFluxHour?) -> [[Double]] {
        switch self {
        case .none:
            return prior
        case .smoothing(let days):
            let used = (1..<max(days, 1)).compactMap { past(hour - 24 * $0) }
            return prior.indices.map { c in
                prior[c].indices.map { column in
                    var sum = 0.0
                    for p in used { sum += p.analysisMean[c][column] }
                    return (sum + prior[c][column]) / Double(used.count + 1)
                }
            }
        case .relaxation(let weight):
            let days = (windowHours + 23) / 24 + 1
            var latest: PastFluxHour?
            for k in 1...days where latest == nil { latest = past(hour - 24 * k) }
            guard let p = latest else { return prior }
            return prior.indices.map { c in
                prior[c].indices.map { column in
                    prior[c][column] + weight * (p.analysisMean[c][column] - p.priorMean[c][column])
                }
            }
        }
    }
}

/// A finished flux hour as the memory sees it: its final analysis mean and its
/// prior, [component][column].
public struct PastFluxHour: Sendable {
    public let analysisMean: [[Double]]
    public let priorMean: [[Double]]

    public init(analysisMean: [[Double]], priorMean: [[Double]]) {
        self.analysisMean = analysisMean
        self.priorMean = priorMean
    }
}
