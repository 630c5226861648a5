import Foundation
import NetCDFIO

/// The ensemble's estimates of the information content of a run
/// (Docs/assimilation.md, "Information content"), beside the synthesis
/// inversion's exact DOFS = tr(K H):
///
/// - observation space: tr(K H) = tr(H K) = Σ_o (H A Hᵀ)_oo / R_oo
///   (K = A Hᵀ R⁻¹, R diagonal; Cardinali et al. 2004, Liu et al. 2009),
///   estimated as Σ_o σ_a,o² / σ_o² with σ_a,o the analysis ensemble spread
///   of the simulated observation and σ_o its error, over the assimilated
///   observations of `observations.nc`. The spread is the one after the
///   observation's own analysis hour, before later hours' observations
///   reduce it further, so the estimate is at or above the batch value for
///   a smoother (a sum of incremental DOFS), besides its sampling noise.
/// - flux spread reduction: Σ (1 − σ_a² / σ_f²) over the cells and records
///   of every optimised component with forecast spread σ_f > 0 in
///   `fluxes.nc`. This is tr(K H) only for uncorrelated prior errors; with
///   correlated ones every cell near an observation counts its variance
///   reduction, and the sum is far above the DOFS (a spatial proxy, not the
///   DOFS). Terms are not clipped: elements whose spread grows count negative.
/// - ensemble subspace: Σ a_i over the cell-hours of the EnKS's per-cell
///   estimate of diag(K H) in the span of each hour's forecast anomalies
///   (`<component>_ensemble_averaging_kernel` in `fluxes.nc`, written with
///   `outputs.ensemble_averaging_kernel`; Assimilation's
///   `EnsembleAveragingKernel`): r − tr(P_a P_f⁺) per hour.
public enum InformationContent {
    /// Table `information_content`: rows `observation_space` (component
    /// `all`, elements = assimilated observations),
    /// `flux_spread_reduction` per component (elements = cell-records with
    /// σ_f > 0 wholly inside `window`) and, when the run wrote it,
    /// `ensemble_subspace` per component (elements = cell-hours), with the
    /// estimate and its mean per element.
    public static func table(fluxes: FluxFile, observations: String?, window: TimeWindow = .all) throws -> ReportTable {
        var table = ReportTable(name: "information_content",
                                columns: ["estimate", "component", "elements", "dofs", "mean_per_element"])
        func append(_ estimate: String, _ component: String, _ elements: Int, _ sum: Double) {
            table.append([.text(estimate), .text(component), .int(elements), .number(sum),
                          elements > 0 ? .number(sum / Double(elements)) : .missing])
        }
        if let observations, let (count, sum) = try observationSpace(path: observations, window: window) {
            append("observation_space", "all", count, sum)
        }
        let records = records(of: fluxes, inside: window)
        for c in fluxes.components {
            var elements = 0, sum = 0.0
            for t in records {
                let forecast = try fluxes.spreadRecord("\(c)_forecast_spread", t)
                let analysis = try fluxes.spreadRecord("\(c)_analysis_spread", t)
                for (f, a) in zip(forecast, analysis) where f > 0 {
                    elements += 1
                    sum += 1 - (a * a) / (f * f)
                }
            }
            append("flux_spread_reduction", c, elements, sum)
        }
        for c in fluxes.components {
            if let (elements, sum) = try ensembleSubspace(fluxes: fluxes, component: c, window: window) {
                append("ensemble_subspace", c, elements, sum)
            }
        }
        return table
    }

    /// The ensemble-subspace DOFS of `component`: Σ a_i over the cells and
    /// hours of the records wholly inside `window` (a daily record holds the
    /// mean of its hours, so it counts once per hour), and the cell-hours
    /// with forecast spread σ_f > 0 (the state elements; a_i = 0 elsewhere);
    /// nil when the run did not write the estimate.
    public static func ensembleSubspace(fluxes: FluxFile, component: String,
                                        window: TimeWindow) throws -> (elements: Int, sum: Double)? {
        let name = "\(component)_ensemble_averaging_kernel"
        guard fluxes.has(name) else { return nil }
        var elements = 0, sum = 0.0
        for t in records(of: fluxes, inside: window) {
            let hours = fluxes.periods[t].end - fluxes.periods[t].start
            let spread = try fluxes.spreadRecord("\(component)_forecast_spread", t)
            elements += spread.filter { $0 > 0 }.count * Int(hours)
            sum += hours * (try fluxes.record(name, t)).reduce(0, +)
        }
        return (elements, sum)
    }

    /// The records of `fluxes` wholly inside `window`.
    static func records(of fluxes: FluxFile, inside window: TimeWindow) -> [Int] {
        fluxes.periods.indices.filter { t in
            window.clip(start: fluxes.periods[t].start, end: fluxes.periods[t].end).map {
                $0.start == fluxes.periods[t].start && $0.end == fluxes.periods[t].end
            } ?? false
        }
    }

    /// Σ σ_a,o² / σ_o² over the assimilated observations (status 0) inside
    /// `window`, and their number; nil when the file has no analysis ensemble
    /// (`analysis_spread` absent: not an assimilation run).
    static func observationSpace(path: String, window: TimeWindow) throws -> (count: Int, sum: Double)? {
        let table = try ObservationTable.read(path)
        let file = try NetCDFFile.open(path)
        defer { file.close() }
        guard file.root.hasVariable("analysis_spread") else { return nil }
        func column(_ name: String, valid: (Double) -> Bool, rule: String) throws -> [Double] {
            guard file.root.hasVariable(name) else {
                throw NetCDFError(path: path, object: name, operation: "read observations", message: "variable missing")
            }
            let values = try file.root.variable(name).read(Double.self)
            guard values.count == table.count else {
                throw NetCDFError(path: path, object: name, operation: "read observations",
                                  message: "\(values.count) values for \(table.count) observations")
            }
            for r in table.status.indices where table.status[r] == .assimilated && !valid(values[r]) {
                throw NetCDFError(path: path, object: name, operation: "read observations",
                                  message: "observation \(r) is \(values[r]); \(rule)")
            }
            return values
        }
        let spread = try column("analysis_spread", valid: { $0 >= 0 && $0 < 1e30 }, rule: "a spread must be finite and ≥ 0")
        let error = try column("error", valid: { $0 > 0 && $0 < 1e30 }, rule: "an observation error must be finite and positive")
        var count = 0, sum = 0.0
        for r in table.status.indices where table.status[r] == .assimilated && window.contains(secondsSince1970: table.time[r]) {
            count += 1
            sum += spread[r] * spread[r] / (error[r] * error[r])
        }
        return (count, sum)
    }
}
