/// The ensemble's estimate of the information content of a run
/// (Docs/assimilation.md, "Information content"): from the per-cell flux
/// spreads of `fluxes.nc`, each cell and record of an optimised component is
/// one state element with forecast variance σ_f² and analysis variance σ_a²,
/// and
///
///     DOFS_diag = Σ (1 − σ_a² / σ_f²)
///
/// over the elements with σ_f > 0. For a diagonal B this is tr(K H) exactly
/// (the averaging kernel's diagonal is 1 − A_ii / B_ii); with correlated
/// prior errors it is a proxy that differs from the exact DOFS, and with a
/// finite ensemble each term carries sampling noise of order √(2/N) (the
/// terms are not clipped, so elements whose spread grows count negative).
/// The synthesis inversion's `fluxes.nc` gives the same proxy from its exact
/// σ (|E^p| √B_ff and |E^p| √A_ff), beside its exact DOFS in summary.json.
public enum InformationContent {
    /// Table `information_content`: per component, the elements counted
    /// (cell-records with σ_f > 0 wholly inside `window`), DOFS_diag, and
    /// the mean 1 − σ_a²/σ_f² per element.
    public static func table(file: FluxFile, window: TimeWindow = .all) throws -> ReportTable {
        var table = ReportTable(name: "information_content",
                                columns: ["component", "records", "elements", "dofs_spread_reduction", "mean_variance_reduction"])
        let records = file.periods.indices.filter { t in
            window.clip(start: file.periods[t].start, end: file.periods[t].end).map {
                $0.start == file.periods[t].start && $0.end == file.periods[t].end
            } ?? false
        }
        for c in file.components {
            var elements = 0, sum = 0.0
            for t in records {
                let forecast = try file.spreadRecord("\(c)_forecast_spread", t)
                let analysis = try file.spreadRecord("\(c)_analysis_spread", t)
                for (f, a) in zip(forecast, analysis) where f > 0 {
                    elements += 1
                    sum += 1 - (a * a) / (f * f)
                }
            }
            table.append([.text(c), .int(records.count), .int(elements), .number(sum),
                          elements > 0 ? .number(sum / Double(elements)) : .missing])
        }
        return table
    }
}
