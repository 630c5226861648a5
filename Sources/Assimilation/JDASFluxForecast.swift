/// The JDAS flux forecast model (seed 000 Eq. 1, SCIENCE.md §5), per grid cell:
///     κ_i       = C^f_i / mean_i C^f                 (lowest-layer concentrations)
///     E^p_i     = E^p + β (κ_i − mean_i κ_i) E^p
///     mean E^f  = (1/M) (Σ_{j=1}^{M−1} mean E^a_{same hour, j days earlier} + E^p)
///     E^f_i     = E^p_i + (mean E^f − E^p)
/// Before M − 1 days of analyses exist the average is over what exists (the
/// divisor is the number of terms). Negative fluxes are kept (no clipping).
public struct JDASFluxForecast: Sendable, Equatable {
    /// Covariance inflation factor β (seed 000: 80).
    public let beta: Double
    /// Smoothing length M in days (seed 000: 4).
    public let smoothingDays: Int

    public init(beta: Double = 80, smoothingDays: Int = 4) {
        precondition(smoothingDays >= 1)
        self.beta = beta
        self.smoothingDays = smoothingDays
    }

    /// The re-centring target mean E^f of one cell: the prior and up to M − 1
    /// earlier final analysis means at the same hour of day.
    public func forecastMean(prior: Double, pastAnalysisMeans: [Double]) -> Double {
        let used = pastAnalysisMeans.prefix(smoothingDays - 1)
        var sum = 0.0
        for value in used { sum += value }
        return (sum + prior) / Double(used.count + 1)
    }

    /// κ_i − mean κ of one cell's members.
    func kappaAnomalies(_ concentrations: [Double]) -> [Double] {
        let meanC = meanAndSpread(concentrations).mean
        let kappa = concentrations.map { $0 / meanC }
        let meanKappa = meanAndSpread(kappa).mean
        return kappa.map { $0 - meanKappa }
    }

    /// E^f for one cell. `concentrations` are the members' lowest-layer C^f of
    /// the same hour; `pastAnalysisMeans` the final mean E^a at this hour of day
    /// 1, 2, ... days earlier (most recent first; at most M − 1 are used).
    public func forecast(prior: Double, concentrations: [Double], pastAnalysisMeans: [Double]) -> [Double] {
        let shift = forecastMean(prior: prior, pastAnalysisMeans: pastAnalysisMeans) - prior
        return kappaAnomalies(concentrations).map { a in (prior + beta * a * prior) + shift }
    }
}

extension JDASFluxForecast {
    /// The generator of this model for the cycling engine.
    public final class Generator: FluxEnsembleGenerator {
        public let model: JDASFluxForecast

        public init(_ model: JDASFluxForecast) { self.model = model }

        public var needsLowestLayer: Bool { true }
        public var memoryHours: Int { 24 * (model.smoothingDays - 1) }

        public func forecast(_ request: FluxForecastRequest) -> FluxEnsembleForecast {
            guard let lowest = request.lowestLayer else {
                preconditionFailure("the JDAS flux forecast needs the lowest-layer concentrations")
            }
            let pastHours = (1..<model.smoothingDays).map { request.hour - 24 * $0 }
            let past = pastHours.map(request.pastAnalysisMean)
            var members: [[[Double]]] = [], spreads: [[Double]] = []
            for (component, prior) in request.prior.enumerated() {
                var columns: [[Double]] = [], spread: [Double] = []
                for (c, e) in prior.enumerated() {
                    let all = model.forecast(prior: e, concentrations: lowest[c],
                                             pastAnalysisMeans: past.compactMap { $0?[component][c] })
                    columns.append(Array(all[request.members]))
                    // E^p_i = E^p + β (κ_i − κ̄) E^p: its spread is β |E^p| std(κ).
                    let meanC = meanAndSpread(lowest[c]).mean
                    let kappa = lowest[c].map { $0 / meanC }
                    spread.append(model.beta * abs(e) * meanAndSpread(kappa).spread)
                }
                members.append(columns)
                spreads.append(spread)
            }
            return FluxEnsembleForecast(members: members, priorSpread: spreads)
        }
    }
}
