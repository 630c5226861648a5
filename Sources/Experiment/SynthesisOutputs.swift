import Assimilation
import CFOutput
import Foundation
import NetCDFIO

/// The files of `rcas synthesis` beside its summary.
enum SynthesisOutputs {
    /// `fluxes.nc` in the layout of the assimilation's (same variable names,
    /// hourly records or daily means as configured, `rcas_run_kind`
    /// SYNTHESIS): per state component c, `c_prior_mean` E^p, `c_analysis_mean`
    /// E^p (1 + x̂_f), their σ |E^p| √B_ff and |E^p| √A_ff as `_spread`, and
    /// `c_forecast_*` equal to the prior (the synthesis has no forecast step);
    /// `c_truth` for twins; the prescribed components.
    static func writeFluxes(config: ExperimentConfig, basis: JacobianBasis, solution: SynthesisSolution, prior: BlockCovariance,
                            truth: NaturalFluxSource?, to path: String) throws {
        let stream = try FluxOutputStream(path: path, config: config, kind: "SYNTHESIS", truth: truth != nil)
        let provider = try config.priorFlux.makeProvider(domain: config.domain)
        let stateVector = config.assimilation.stateVector
        let n = basis.count, cells = config.domain.grid.cellCount
        let priorSigma = (0..<n).map { prior.variance($0).squareRoot() }
        let posteriorSigma = (0..<n).map { max(0, solution.posteriorCovariance[$0 * n + $0]).squareRoot() }
        for offset in 0..<config.hourCount {
            let hour = config.start.advanced(by: offset)
            let fluxes = try provider.fluxes(at: hour)
            let priors = stateVector.statePriors(fluxes.field)
            var priorSpread = priors, posterior = priors, posteriorSpread = priors
            for k in priors.indices {
                for cell in 0..<cells {
                    let e0 = priors[k][cell]
                    guard let f = basis.function(component: k, cell: cell, hour: hour) else {
                        priorSpread[k][cell] = 0
                        posteriorSpread[k][cell] = 0
                        continue
                    }
                    posterior[k][cell] = e0 * (1 + solution.increment[f])
                    priorSpread[k][cell] = abs(e0) * priorSigma[f]
                    posteriorSpread[k][cell] = abs(e0) * posteriorSigma[f]
                }
            }
            try stream.append(FluxHourRecord(
                hour: hour, priorMean: priors, priorSpread: priorSpread, forecastMean: priors, forecastSpread: priorSpread,
                analysisMean: posterior, analysisSpread: posteriorSpread,
                prescribed: stateVector.prescribed.map { fluxes.field($0) }, truth: try truth?(hour)))
        }
        try stream.finish()
    }

    /// `posterior_covariance.nc`: A and B of the basis coefficients, the
    /// posterior increment x̂ and both σ, with the basis description of the
    /// Jacobian file.
    static func writeCovariance(config: ExperimentConfig, basis: JacobianBasis, solution: SynthesisSolution,
                                prior: BlockCovariance, to path: String) throws {
        let grid = config.domain.grid, n = basis.count
        let file = try NetCDFFile.create(path)
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS synthesis inversion: covariance of the basis coefficients", extra: [
            ("domain", config.domain.name), ("rcas_configuration", config.resolvedText),
            ("rcas_basis", basis.partition.description), ("rcas_periods", basis.periods.description),
            ("solver_form", solution.form.rawValue),
            ("comment", "coefficient x_f scales the prior flux of its component over its cells and period: "
                + "E = E_prior (1 + x_f); prior mean 0; see Docs/jacobians.md")])
        try CFGridWriter.write(grid, to: root)
        try JacobianFile.writeBasis(basis, grid: grid, to: root)
        func add(_ name: String, _ dimensions: [String], _ long: String, _ values: [Double]) throws {
            try JacobianFile.addVariable(name, .double, dimensions, [("long_name", long), ("units", "1")], to: root).write(values)
        }
        try add("posterior_covariance", ["basis", "basis"], "posterior covariance A of the coefficients", solution.posteriorCovariance)
        try add("prior_covariance", ["basis", "basis"], "prior covariance B of the coefficients", prior.dense())
        try add("posterior_increment", ["basis"], "posterior mean of the coefficients (prior mean 0)", solution.increment)
        try add("prior_sigma", ["basis"], "prior standard deviation of the coefficients", (0..<n).map { prior.variance($0).squareRoot() })
        try add("posterior_sigma", ["basis"], "posterior standard deviation of the coefficients",
                (0..<n).map { max(0, solution.posteriorCovariance[$0 * n + $0]).squareRoot() })
        try file.commit()
    }

    /// `averaging_kernel.nc` (IMI 2.0's averaging-kernel sensitivities):
    /// `averaging_kernel(basis)` = diag(K H) per coefficient with the basis
    /// description; `averaging_kernel_sensitivity(component, period, y, x)` (CF order)
    /// the diagonal of the function holding each cell's flux (fill where none);
    /// `dofs_per_cell(y, x)` = Σ over the functions holding the cell of
    /// diag(K H)_f / (cells of f), which sums over the grid to the DOFS; and
    /// `region_of_interest_share(basis)` when a region of interest is set.
    static func writeAveragingKernel(config: ExperimentConfig, basis: JacobianBasis, solution: SynthesisSolution,
                                     settings: SynthesisErrorSettings, regionShares: [Double], to path: String) throws {
        let grid = config.domain.grid, cells = grid.cellCount, kernel = solution.averagingKernelDiagonal
        let file = try NetCDFFile.create(path)
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS synthesis inversion: averaging kernel", extra: [
            ("domain", config.domain.name), ("rcas_configuration", config.resolvedText),
            ("rcas_basis", basis.partition.description), ("rcas_periods", basis.periods.description),
            ("rcas_error_settings", settings.json),
            ("dofs", String(format: "%.6g", solution.degreesOfFreedomForSignal)),
            ("comment", "averaging kernel K H = I - A B^-1 (Rodgers 2000 Eq. 3.10): its diagonal is the share of the "
                + "truth's coefficient the posterior recovers; DOFS = trace; see Docs/jacobians.md")])
        try CFGridWriter.write(grid, to: root)
        try JacobianFile.writeBasis(basis, grid: grid, to: root)
        try JacobianFile.addVariable("averaging_kernel", .double, ["basis"], [
            ("long_name", "diagonal of the averaging kernel K H per basis coefficient"), ("units", "1")], to: root).write(kernel)
        if settings.regionOfInterest != nil {
            try JacobianFile.addVariable("region_of_interest_share", .double, ["basis"], [
                ("long_name", "share of the basis function's cells in the region of interest"), ("units", "1")], to: root)
                .write(regionShares)
        }
        let fill = 9.969209968386869e36
        let components = basis.componentNames.count
        let periods = basis.periodCount
        var map = [Double](repeating: fill, count: periods * components * cells)
        var perCell = [Double](repeating: 0, count: cells)
        for p in 0..<basis.periodCount {
            for c in 0..<components {
                for cell in 0..<cells {
                    guard let f = basis.function(component: c, group: basis.cellGroups[cell], period: p) else { continue }
                    map[(c * periods + p) * cells + cell] = kernel[f]
                    perCell[cell] += kernel[f] / Double(basis.groupCells[basis.functions[f].group].count)
                }
            }
        }
        let sensitivity = try root.addVariable("averaging_kernel_sensitivity", type: .double,
                                               dimensions: ["component", "period", "y", "x"], deflateLevel: 1)
        try sensitivity.setAttribute("_FillValue", .doubles([fill]))
        try sensitivity.setAttribute("long_name", .text("averaging-kernel sensitivity: diag(K H) of the basis function "
                                                        + "holding the flux of the component in the cell during the period"))
        try sensitivity.setAttribute("units", .text("1"))
        try CFGridWriter.attachGrid(to: sensitivity)
        try sensitivity.write(map)
        let density = try JacobianFile.addVariable("dofs_per_cell", .double, ["y", "x"], [
            ("long_name", "degrees of freedom for signal per grid cell (sums to the DOFS)"), ("units", "1")], to: root)
        try CFGridWriter.attachGrid(to: density)
        try density.write(perCell)
        try file.commit()
    }
}
