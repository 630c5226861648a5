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

    /// E^f for one cell. `concentrations` are the members' lowest-layer C^f of
    /// the same hour; `pastAnalysisMeans` the final mean E^a at this hour of day
    /// 1, 2, ... days earlier (most recent first; at most M − 1 are used).
    public func forecast(prior: Double, concentrations: [Double], pastAnalysisMeans: [Double]) -> [Double] {
        let n = Double(concentrations.count)
        var meanC = 0.0
        for c in concentrations { meanC += c }
        meanC /= n
        let kappa = concentrations.map { $0 / meanC }
        var meanKappa = 0.0
        for k in kappa { meanKappa += k }
        meanKappa /= n
        let shift = forecastMean(prior: prior, pastAnalysisMeans: pastAnalysisMeans) - prior
        return kappa.map { k in (prior + beta * (k - meanKappa) * prior) + shift }
    }

    /// Forecasts flux component `component` of window slot `slot` for every
    /// column of `block` (which must hold all members), reading κ from the
    /// lowest-layer concentration (variable 0). `prior[c]` and
    /// `pastAnalysisMeans[c]` belong to local column c.
    public func forecast(into block: inout ColumnEnsemble, layout: ColumnStateLayout, slot: Int, component: Int,
                         prior: [Double], pastAnalysisMeans: [[Double]]) {
        precondition(layout.layerCount >= 1 && block.variableCount == layout.variableCount)
        precondition(prior.count == block.columns.count && pastAnalysisMeans.count == block.columns.count)
        let members = Array(block.members)
        let target = layout.flux(slot: slot, component: component)
        for c in block.columns.indices {
            let concentrations = members.map { block[column: c, variable: layout.concentration(layer: 0), member: $0] }
            let fluxes = forecast(prior: prior[c], concentrations: concentrations,
                                  pastAnalysisMeans: pastAnalysisMeans[c])
            for (i, m) in members.enumerated() { block[column: c, variable: target, member: m] = fluxes[i] }
        }
    }
}

/// The GCASv2 flux ensemble generator (seed 002 Eq. 1-5): per grid cell
/// E_i = E_0 + λ δ_i E_0 with δ_i ~ N(0, 1) independent per cell, member and
/// hour, drawn from `KeyedRandom` with key (member, hour, cell, component).
public struct GCASv2FluxPerturbation: Sendable, Equatable {
    /// Which fluxes form the state vector (seed 002 Eq. 2-5).
    public enum Scheme: String, Sendable, CaseIterable {
        /// Eq. 2: biosphere only.
        case biosphere
        /// Eq. 3: biosphere and ocean (the scheme seed 002 used).
        case biosphereOcean
        /// Eq. 4: biosphere, ocean and fossil.
        case biosphereOceanFossil
        /// Eq. 5: the net flux (sum of all four) as one component.
        case netFlux

        /// The perturbed (optimised) components; the others stay at their prior.
        public var components: [FluxComponent] {
            switch self {
            case .biosphere: return [.biosphere]
            case .biosphereOcean: return [.biosphere, .ocean]
            case .biosphereOceanFossil: return [.biosphere, .ocean, .fossil]
            case .netFlux: return [.net]
            }
        }
    }

    public let scheme: Scheme
    /// λ per perturbed component (seed 002: 3 for biosphere, 5 for ocean).
    public let scale: [FluxComponent: Double]
    public let seed: UInt64
    /// How many consecutive hours share one draw δ_i (seed 002 draws once per
    /// assimilation window; 1 draws every hour anew). Hours are grouped from
    /// 1970-01-01 00 UTC, so the grouping does not depend on the run's start.
    public let persistenceHours: Int
    /// Correlation length (m) of δ_i between cells; 0 draws every cell
    /// independently (seed 002). Correlated draws smooth the same keyed white
    /// noise with ``CorrelatedNoise`` (see ``pattern(member:component:hour:noise:)``).
    public let correlationLength: Double

    public init(scheme: Scheme, scale: [FluxComponent: Double] = [.biosphere: 3, .ocean: 5, .fossil: 1, .net: 3],
                seed: UInt64, persistenceHours: Int = 1, correlationLength: Double = 0) {
        for component in scheme.components { precondition(scale[component] != nil, "no λ for \(component)") }
        precondition(persistenceHours >= 1, "persistence must be at least one hour")
        precondition(correlationLength >= 0, "correlation length must not be negative")
        self.scheme = scheme
        self.scale = scale
        self.seed = seed
        self.persistenceHours = persistenceHours
        self.correlationLength = correlationLength
    }

    /// The draw period holding `hour` (floor division from 1970-01-01 00 UTC).
    public func period(ofHour hour: Int) -> Int {
        hour >= 0 ? hour / persistenceHours : -((-hour - 1) / persistenceHours) - 1
    }

    /// The white noise behind δ: standard normal, keyed by member, draw
    /// period, cell and component.
    func white(member: Int, period: Int, cell: Int, component: FluxComponent) -> Double {
        KeyedRandom.normal(seed: seed, key: [member, period, cell, FluxComponent.allCases.firstIndex(of: component)!])
    }

    /// δ_i of `member` on the whole grid (grid order) for the period holding
    /// `hour`: the white noise itself, or smoothed by `noise` (whose length
    /// should be ``correlationLength``) when given.
    public func pattern(member: Int, component: FluxComponent, hour: Int, noise: CorrelatedNoise) -> [Double] {
        let p = period(ofHour: hour)
        return noise.field { white(member: member, period: p, cell: $0, component: component) }
    }

    /// Member `member`'s flux of `component` for hour `hour` (hours since
    /// 1970) in the cells `cells` (global indices) whose prior is `prior`.
    public func member(_ member: Int, component: FluxComponent, hour: Int, cells: [Int], prior: [Double]) -> [Double] {
        precondition(cells.count == prior.count)
        guard let lambda = scale[component], scheme.components.contains(component) else { return prior }
        let p = period(ofHour: hour)
        return zip(cells, prior).map { cell, e0 in
            e0 + lambda * white(member: member, period: p, cell: cell, component: component) * e0
        }
    }
}
