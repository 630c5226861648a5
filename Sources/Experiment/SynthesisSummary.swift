import Assimilation
import Evaluation
import Foundation
import ModelTime
import SyntheticWorld

/// The scores of a synthesis inversion (`summary.json`): regional totals of
/// the optimised flux over the assessed period with their exact prior and
/// posterior σ, the uncertainty reduction, the observation fit, and the
/// truth in twin experiments.
public struct SynthesisSummary: Sendable {
    public struct RegionTotal: Sendable {
        public let region: String
        /// Tg C over the assessed period (sum of the optimised components).
        public let prior: Double
        public let posterior: Double
        public let priorSigma: Double
        public let posteriorSigma: Double
        public let truth: Double?

        /// 1 − σ_post / σ_prior (Jiang2021 Eq. 19 without the 100), nil when σ_prior is 0.
        public var uncertaintyReduction: Double? { priorSigma > 0 ? 1 - posteriorSigma / priorSigma : nil }
    }

    public let regionTotals: [RegionTotal]
    public let assessedFrom: ModelHour
    public let assessedTo: ModelHour
    public let basisDescription: (partition: String, periods: String, functions: Int)
    public let prior: SynthesisPrior
    public let priorIsExact: Bool
    public let observationsUsed: Int
    public let observationsRejected: Int
    public let observationsValidation: Int
    /// dᵀ (H B Hᵀ + R)⁻¹ d / m: about 1 when B and R describe the departures.
    public let chi2PerObservation: Double
    /// RMSE of the prior and posterior simulations against the used and the
    /// validation observations (ppm).
    public let fitUsed: (prior: Double, posterior: Double)
    public let fitValidation: (prior: Double, posterior: Double)
    public let form: SynthesisSolution.Form
    public let solveSeconds: Double
    public let transportScheme: String
    /// The error settings solved with (scales, γ, buffer).
    public let errors: SynthesisErrorSettings
    /// DOFS = tr(K H) (``SynthesisSolution/degreesOfFreedomForSignal``).
    public let degreesOfFreedomForSignal: Double
    /// The part of the DOFS in the region of interest (Σ_f share_f diag(K H)_f), nil without one.
    public let degreesOfFreedomInRegionOfInterest: Double?
    /// Σ_f (1 − A_ff / B_ff): the ensemble's spread-based DOFS proxy, computed exactly.
    public let varianceReductionSum: Double
    /// The boundary-bias elements' posterior (nil without them).
    public let boundaryBias: BoundaryBiasSummary?

    init(config: ExperimentConfig, jacobian: Jacobian, used: [Int], rejected: Int, problem: SynthesisProblem,
         solution: SynthesisSolution, prior: SynthesisPrior, solveSeconds: Double, truth: NaturalFluxSource?,
         errors: SynthesisErrorSettings = SynthesisErrorSettings(), regionShares: [Double]? = nil) throws {
        let basis = jacobian.basis, grid = config.domain.grid, n = basis.count, cells = grid.cellCount
        self.prior = prior
        self.errors = errors
        degreesOfFreedomForSignal = solution.degreesOfFreedomForSignal
        varianceReductionSum = solution.varianceReductionSum(prior: problem.prior)
        degreesOfFreedomInRegionOfInterest = errors.regionOfInterest == nil ? nil
            : zip(regionShares ?? [], solution.averagingKernelDiagonal).reduce(0) { $0 + $1.0 * $1.1 }
        priorIsExact = prior.isExact(for: basis)
        basisDescription = (basis.partition.description, basis.periods.description, n)
        form = solution.form
        self.solveSeconds = solveSeconds
        transportScheme = jacobian.transportScheme
        assessedFrom = config.firstAssessedHour
        assessedTo = config.end

        // Per function, its prior flux summed over the assessed hours, per
        // cell (µmol m-2 s-1 x hours); the same sums of the whole prior and truth.
        let provider = try config.priorFlux.makeProvider(domain: config.domain)
        let stateVector = config.assimilation.stateVector
        var functionSums = [[Double]](repeating: [], count: n)
        for (f, function) in basis.functions.enumerated() {
            functionSums[f] = [Double](repeating: 0, count: basis.groupCells[function.group].count)
        }
        var priorSum = [Double](repeating: 0, count: cells), truthSum = priorSum
        var hour = config.firstAssessedHour
        while hour <= config.end {
            let priors = stateVector.statePriors(try provider.fluxes(at: hour).field)
            for (k, field) in priors.enumerated() {
                for cell in 0..<cells { priorSum[cell] += field[cell] }
                for g in basis.groupNames.indices {
                    guard let p = basis.period(of: hour), let f = basis.function(component: k, group: g, period: p) else { continue }
                    for (position, cell) in basis.groupCells[g].enumerated() { functionSums[f][position] += field[cell] }
                }
            }
            if let truth {
                for field in try truth(hour) { for cell in 0..<cells { truthSum[cell] += field[cell] } }
            }
            hour = hour.advanced(by: 1)
        }
        // Region totals are linear in x: total_R = prior_R + g_Rᵀ x, with
        // g_R[f] the carbon of function f's prior in R (FluxBudget, 1 h per summed hour).
        let regions = RegionSet.landSea(landFraction: try LandSeaMask(domain: config.domain).landFraction).filter { $0.kind == .land }
            + RegionSet.seed000(grid: grid).regions
        let areas = grid.cellAreas()
        func totals(_ field: [Double]) -> [Double] {
            FluxBudget.regionTotals(flux: field, cellAreas: areas, regions: regions, seconds: 3600)
        }
        // Over every state column: the boundary-bias elements add no carbon.
        let columns = jacobian.stateColumnCount, matrix = jacobian.stateMatrix
        var g = [[Double]](repeating: [Double](repeating: 0, count: columns), count: regions.count)
        var field = [Double](repeating: 0, count: cells)
        for (f, function) in basis.functions.enumerated() {
            let members = basis.groupCells[function.group]
            for (position, cell) in members.enumerated() { field[cell] = functionSums[f][position] }
            for (r, total) in totals(field).enumerated() { g[r][f] = total }
            for cell in members { field[cell] = 0 }
        }
        let priorTotals = totals(priorSum), truthTotals = totals(truthSum)
        regionTotals = regions.indices.map { r in
            let shift = zip(g[r], solution.increment).reduce(0) { $0 + $1.0 * $1.1 }
            return RegionTotal(region: regions[r].name, prior: priorTotals[r], posterior: priorTotals[r] + shift,
                               priorSigma: max(0, problem.prior.quadraticForm(g[r])).squareRoot(),
                               posteriorSigma: max(0, solution.posteriorVariance(of: g[r])).squareRoot(),
                               truth: truth == nil ? nil : truthTotals[r])
        }

        // Observation space: χ² = dᵀ S⁻¹ d = dᵀ R⁻¹ (d − H x̂) (S⁻¹ d = R⁻¹ (d − H x̂)).
        let m = problem.observationCount
        var chi2 = 0.0, squares = (prior: 0.0, posterior: 0.0)
        for o in 0..<m {
            var hx = 0.0
            for f in 0..<columns { hx += problem.jacobian[o * columns + f] * solution.increment[f] }
            let d = problem.departures[o]
            chi2 += d * (d - hx) / problem.errorVariances[o]
            squares.prior += d * d
            squares.posterior += (d - hx) * (d - hx)
        }
        chi2PerObservation = chi2 / Double(m)
        fitUsed = ((squares.prior / Double(m)).squareRoot(), (squares.posterior / Double(m)).squareRoot())
        let validation = jacobian.observations.indices.filter { jacobian.observations[$0].role == .validation }
        let offset = jacobian.offset
        var validationSquares = (prior: 0.0, posterior: 0.0)
        for o in validation {
            var hx = 0.0
            for f in 0..<columns { hx += matrix[o * columns + f] * solution.increment[f] }
            let d = jacobian.observations[o].value - offset[o]
            validationSquares.prior += d * d
            validationSquares.posterior += (d - hx) * (d - hx)
        }
        let v = Double(max(validation.count, 1))
        fitValidation = validation.isEmpty ? (.nan, .nan)
            : ((validationSquares.prior / v).squareRoot(), (validationSquares.posterior / v).squareRoot())
        observationsUsed = m
        observationsRejected = rejected
        observationsValidation = validation.count
        boundaryBias = config.boundaryBias.map { settings in
            BoundaryBiasSummary(elements: (0..<jacobian.boundaryCount).map { e in
                let i = n + e
                return BoundaryBiasSummary.Element(
                    name: settings.name(of: e), prior: 0, posterior: solution.increment[i],
                    sigma: max(0, solution.posteriorCovariance[i * columns + i]).squareRoot(),
                    imposed: truth == nil ? nil : config.imposedBoundaryBias.ppm[settings.edgeAndBand(of: e).edge] ?? 0)
            })
        }
    }

    /// The summary as a JSON object.
    public var json: String {
        func number(_ x: Double?) -> String { x.map { $0.isFinite ? String(format: "%.6g", $0) : "null" } ?? "null" }
        let totals = regionTotals.map { r in
            "    \"\(r.region)\": {\"prior\": \(number(r.prior)), \"posterior\": \(number(r.posterior)), "
                + "\"prior_sigma\": \(number(r.priorSigma)), \"posterior_sigma\": \(number(r.posteriorSigma))"
                + (r.truth.map { ", \"truth\": \(number($0))" } ?? "") + "}"
        }.joined(separator: ",\n")
        let reduction = regionTotals.map { "    \"\($0.region)\": \(number($0.uncertaintyReduction))" }.joined(separator: ",\n")
        return """
            {
              "method": "Bayesian synthesis inversion (the inversion-methods slides)",
              "assessed_period": {"start": "\(assessedFrom.iso)", "end": "\(assessedTo.advanced(by: 1).iso)"},
              "basis": {"partition": "\(basisDescription.partition)", "periods": "\(basisDescription.periods)", "shape": "prior", "functions": \(basisDescription.functions)},
              "prior_covariance": {"source": "\(prior.source.rawValue)", "description": "\(prior.description)", "exact": \(priorIsExact)},
              "transport_scheme": "\(transportScheme)",
              "solver": {"form": "\(form.rawValue)", "seconds": \(number(solveSeconds))},
              "obs_assimilated": \(observationsUsed),
              "obs_rejected_omb": \(observationsRejected),
              "obs_validation_simulated": \(observationsValidation),
              "chi2_per_observation": \(number(chi2PerObservation)),
              "error_settings": \(errors.json),
              "dofs": \(number(degreesOfFreedomForSignal)),
              "dofs_region_of_interest": \(number(degreesOfFreedomInRegionOfInterest)),
              "dofs_spread_reduction": \(number(varianceReductionSum)),
              "observation_rmse_ppm": {"assimilated": {"prior": \(number(fitUsed.prior)), "posterior": \(number(fitUsed.posterior))}, "validation": {"prior": \(number(fitValidation.prior)), "posterior": \(number(fitValidation.posterior))}},
              "region_totals_units": "Tg C over the assessed period (sum of the optimised components); land weighted by land fraction",
              "region_totals": {
            \(totals)
              },
              "uncertainty_reduction": {
            \(reduction)
              }\(boundaryBias.map { ",\n  \"boundary_bias_ppm\": " + $0.json } ?? "")
            }

            """
    }

    /// A readable table.
    public var table: String {
        var lines = ["Synthesis inversion: \(observationsUsed) observations, \(basisDescription.functions) basis functions "
                     + "(\(basisDescription.partition) x \(basisDescription.periods)), \(form.rawValue) form, "
                     + String(format: "%.2f s; chi2/n = %.3f", solveSeconds, chi2PerObservation),
                     "prior: \(prior.description)" + (priorIsExact ? "" : " (aggregated: approximate)"),
                     String(format: "DOFS %.3f", degreesOfFreedomForSignal)
                        + (degreesOfFreedomInRegionOfInterest.map { String(format: " (%.3f in the region of interest)", $0) } ?? "")
                        + (errors == SynthesisErrorSettings() ? "" : "; \(errors.label)"),
                     "region".padding(toLength: 22, withPad: " ", startingAt: 0)
                        + "     prior Tg C  posterior Tg C    σ prior     σ post       UR     truth"]
        for r in regionTotals {
            lines.append(r.region.padding(toLength: 22, withPad: " ", startingAt: 0)
                         + String(format: " %14.3f %15.3f %10.3f %10.3f %8.3f", r.prior, r.posterior, r.priorSigma,
                                  r.posteriorSigma, r.uncertaintyReduction ?? .nan)
                         + (r.truth.map { String(format: " %9.3f", $0) } ?? ""))
        }
        for e in boundaryBias?.elements ?? [] {
            lines.append(String(format: "boundary bias %@ (ppm): prior %.3f  posterior %.3f ± %.3f", e.name, e.prior, e.posterior, e.sigma)
                         + (e.imposed.map { String(format: "  (imposed %.3f)", $0) } ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}
