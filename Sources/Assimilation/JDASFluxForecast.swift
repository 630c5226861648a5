/// The JDAS flux forecast model (seed 000 Eq. 1, SCIENCE.md §5), per grid cell:
///     κ_i       = C^f_i / mean_i C^f                 (lowest-layer concentrations)
///     E^p_i     = E^p + β (κ_i − mean_i κ_i) E^p      (literal)
///     E^p_i     = E^p + β (κ_i − mean_i κ_i) |E^p|    (sign-corrected, the default)
///     E^f_i     = E^p_i + (mean E^f − E^p)            (mean E^f from the memory: Eq. 1's M-day smoothing)
/// Taken literally, a member with more CO2 than the others gets a stronger
/// sink wherever E^p < 0 (by day over land), so a positive XCO2 innovation
/// strengthens the sink: increments against the needed correction
/// (Docs/assimilation.md, "JDAS"). With |E^p| a member with more CO2 always
/// gets more flux into the atmosphere, the way a flux error would have made
/// it. Negative fluxes are kept (no clipping).
public struct JDASFluxForecast: Sendable, Equatable {
    /// How the flux spread follows the concentration ensemble.
    public enum Coupling: String, Sendable, CaseIterable {
        /// β (κ_i − κ̄) |E^p|: more CO2 in a member, more flux out of the surface.
        case signCorrected = "jdas"
        /// β (κ_i − κ̄) E^p, seed 000 Eq. 1 as printed (for reproduction).
        case literal = "jdas-literal"
    }

    /// Covariance inflation factor β (seed 000: 80).
    public let beta: Double
    public let coupling: Coupling

    public init(beta: Double = 80, coupling: Coupling = .signCorrected) {
        self.beta = beta
        self.coupling = coupling
    }

    /// E^p_i − E^p of one cell's members from their lowest-layer C^f.
    public func perturbations(prior: Double, concentrations: [Double]) -> [Double] {
        let meanC = meanAndSpread(concentrations).mean
        let kappa = concentrations.map { $0 / meanC }
        let meanKappa = meanAndSpread(kappa).mean
        let scale = coupling == .literal ? prior : abs(prior)
        return kappa.map { beta * ($0 - meanKappa) * scale }
    }
}

extension JDASFluxForecast {
    /// The generator of this model for the cycling engine.
    public final class Generator: FluxEnsembleGenerator {
        public let model: JDASFluxForecast
        public let memory: FluxMemory
        let windowHours: Int

        public init(_ model: JDASFluxForecast, memory: FluxMemory, windowHours: Int) {
            self.model = model
            self.memory = memory
            self.windowHours = windowHours
        }

        public var needsLowestLayer: Bool { true }
        public var memoryHours: Int { memory.hours(windowHours: windowHours) }

        public func forecast(_ request: FluxForecastRequest) -> FluxEnsembleForecast {
            guard let lowest = request.lowestLayer else {
                preconditionFailure("the JDAS flux forecast needs the lowest-layer concentrations")
            }
            let means = memory.forecastMeans(prior: request.prior, hour: request.hour, windowHours: windowHours,
                                             past: request.past)
            var members: [[[Double]]] = [], spreads: [[Double]] = []
            for (component, prior) in request.prior.enumerated() {
                var columns: [[Double]] = [], spread: [Double] = []
                for (c, e) in prior.enumerated() {
                    let perturbations = model.perturbations(prior: e, concentrations: lowest[c])
                    // E^f_i = E^p_i + (E^f − E^p) = E^f + (E^p_i − E^p)
                    columns.append(perturbations[request.members].map { means[component][c] + $0 })
                    spread.append(meanAndSpread(perturbations).spread)
                }
                members.append(columns)
                spreads.append(spread)
            }
            return FluxEnsembleForecast(members: members, priorSpread: spreads)
        }
    }
}
