import Foundation

/// The `filter_diagnostics` table of `rcas evaluate`: the filter's health
/// over the evaluated window from the run's `diagnostics.nc`, and in a twin
/// (fluxes.nc holds the truth) whether the flux increments point toward the
/// truth, each beside what a healthy run shows (Docs/assimilation.md, "Is
/// the answer right?").
enum FilterDiagnosticsTable {
    /// The table, or nil when the run directory has no `diagnostics.nc`
    /// (forward runs, synthesis inversions). `land`: the cells whose flux
    /// increments are scored (land fraction above one half), all cells when nil.
    static func make(runDirectory: URL, fluxes: FluxFile, land: Region?, window: TimeWindow) throws -> ReportTable? {
        let path = runDirectory.appendingPathComponent("diagnostics.nc").path
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let from = window.from.map { Double($0.value) } ?? -.infinity, to = window.to.map { Double($0.value) } ?? .infinity
        let filter = try RunFilterDiagnostics(path: path, from: from, to: to)
        var table = ReportTable(name: "filter_diagnostics", columns: ["diagnostic", "value", "units", "healthy_run"])
        table.append([.text("analysis_hours"), .int(filter.analysisHours), .text("1"), .text("hours with assimilated observations")])
        table.append([.text("observations"), .int(filter.observations), .text("1"), .text("assimilated")])
        table.append([.text("chi2_per_observation"), .optional(filter.chiSquarePerObservation), .text("1"),
                      .text("near 1: the spread and R explain the innovations")])
        table.append([.text("mean_innovation_ppm"), .optional(filter.meanInnovation), .text("ppm"),
                      .text("near 0 against the spread: otherwise a bias")])
        table.append([.text("simulated_spread_ppm"), .optional(filter.meanSpread), .text("ppm"), .text("ensemble spread of H(x)")])
        table.append([.text("desroziers_hbh_ppm2"), .optional(filter.desroziersHBH), .text("ppm2"),
                      .text("close to background_variance_ppm2")])
        table.append([.text("background_variance_ppm2"), .optional(filter.backgroundVariance), .text("ppm2"), .text("the filter's HBH")])
        table.append([.text("desroziers_r_ppm2"), .optional(filter.desroziersR), .text("ppm2"), .text("close to error_variance_ppm2")])
        table.append([.text("error_variance_ppm2"), .optional(filter.errorVariance), .text("ppm2"), .text("the filter's R")])
        guard fluxes.components.allSatisfy({ fluxes.has("\($0)_truth") }) else { return table }
        let cells = land.map { region in region.weights.indices.filter { region.weights[$0] > 0.5 } }
        let twin = try TwinFluxDiagnostics(file: fluxes, from: from, to: to, cells: cells)
        let scope = cells == nil ? "all cells" : "land cells"
        table.append([.text("increment_correlation"), .optional(twin.incrementCorrelation), .text("1"),
                      .text("positive (toward 1): increments along truth - forecast (\(scope))")])
        table.append([.text("forecast_flux_spread"), .optional(twin.forecastSpread), .text("umol m-2 s-1"),
                      .text("close to forecast_flux_error")])
        table.append([.text("forecast_flux_error"), .optional(twin.forecastError), .text("umol m-2 s-1"),
                      .text("RMS truth - forecast (\(scope))")])
        return table
    }
}
