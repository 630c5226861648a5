import Evaluation
import Foundation
import Geometry
import ModelTime

/// The scores of a twin experiment (written as `summary.json`), computed from
/// the run folder's files. The posterior is scored against the truth beside
/// the prior and the forecast ensemble mean, so a shift of the ensemble mean
/// away from the prior is never counted as assimilation skill.
public struct TwinSummary: Sendable {
    public struct RegionTotal: Sendable, Codable {
        public let region: String
        /// Optimised flux (sum of the state components) integrated over the
        /// assessed period, Tg C.
        public let prior: Double
        public let forecast: Double
        public let posterior: Double
        public let truth: Double
    }

    public let obsAssimilated: Int
    public let obsValidation: Int
    public let obsRejected: Int
    /// RMSE over land cells of the period-mean optimised flux against the
    /// truth (µmol m-2 s-1).
    public let rmseFluxPrior: Double
    public let rmseFluxForecast: Double
    public let rmseFluxPosterior: Double
    public let regionTotals: [RegionTotal]
    /// RMSE of the model against all independent observations (thinned-out
    /// XCO2 and in-situ sites), ppm, for CTRL, FC and AN.
    public let validationRMSE: [String: Double]
    /// The same for the independent XCO2 only and for the in-situ sites only.
    public let validationRMSEXCO2: [String: Double]
    public let validationRMSEInSitu: [String: Double]
    public let assimilatedRMSE: [String: Double]
    public let assessedHours: Int
    public let selection: String
    /// Filter health over the assessed analyses (diagnostics.nc).
    public let filter: RunFilterDiagnostics
    /// Flux corrections against the needed ones, over land cells.
    public let flux: TwinFluxDiagnostics
    /// The boundary-bias elements' estimates (nil without a `boundary_bias:` section).
    public let boundaryBias: BoundaryBiasSummary?
    /// The EnKS's DOFS in the span of each hour's forecast anomalies, summed
    /// over the assessed hours, cells and components (nil without
    /// `outputs.ensemble_averaging_kernel`).
    public let dofsEnsembleSubspace: Double?

    /// The scores of the twin run in `folder` (fluxes.nc, observations.nc,
    /// ctrl/ and fc/).
    init(config: ExperimentConfig, folder: URL, selection: String, landFraction: [Double]) throws {
        let grid = config.domain.grid, n = grid.cellCount
        let fluxes = try FluxFile(folder.appendingPathComponent("fluxes.nc").path)
        let first = Double(config.firstAssessedHour.value)
        // Hour-weighted period means of the optimised flux (sum of the state components).
        var sums = [[Double]](repeating: [Double](repeating: 0, count: n), count: 4)
        var hours = 0.0
        for (t, period) in fluxes.periods.enumerated() where period.start >= first {
            let weight = period.end - period.start
            hours += weight
            for (e, estimate) in ["prior_mean", "forecast_mean", "analysis_mean", "truth"].enumerated() {
                for component in fluxes.components {
                    let field = try fluxes.record("\(component)_\(estimate)", t)
                    for cell in 0..<n { sums[e][cell] += weight * field[cell] }
                }
            }
        }
        assessedHours = Int(hours)
        let means = sums.map { $0.map { $0 / max(1, hours) } }
        let (prior, forecast, posterior, truth) = (means[0], means[1], means[2], means[3])
        let land = (0..<n).filter { landFraction[$0] > 0.5 }
        func rmse(_ field: [Double]) -> Double {
            ObservationStatistics.compute(model: land.map { field[$0] }, observed: land.map { truth[$0] }).rmse ?? .nan
        }
        filter = try RunFilterDiagnostics(path: folder.appendingPathComponent("diagnostics.nc").path, from: first)
        flux = try TwinFluxDiagnostics(file: fluxes, from: first, cells: land)
        let assessedPeriod = TimeWindow(from: config.firstAssessedHour)
        let subspace = try fluxes.components.compactMap {
            try InformationContent.ensembleSubspace(fluxes: fluxes, component: $0, window: assessedPeriod)?.sum
        }
        dofsEnsembleSubspace = subspace.isEmpty ? nil : subspace.reduce(0, +)
        rmseFluxPrior = rmse(prior)
        rmseFluxForecast = rmse(forecast)
        rmseFluxPosterior = rmse(posterior)
        // Land (weighted by land fraction), the whole domain, the China
        // regions of Kou2023 Fig. 3 (boxes, then land only) and ecological
        // areas, then the provinces when the domain has their masks.
        var regions = RegionSet.landSea(landFraction: landFraction).filter { $0.kind == .land }
            + RegionSet.seed000WithLandOnlyBoxes(centres: grid.centers(), landFraction: landFraction)
        if let path = config.domain.maskFiles[ProvinceMasks.maskName] {
            regions += try ProvinceMasks.read(path: path, ny: grid.ny, nx: grid.nx).regions
        }
        let areas = grid.cellAreas(), seconds = hours * 3600
        func totals(_ field: [Double]) -> [Double] {
            FluxBudget.regionTotals(flux: field, cellAreas: areas, regions: regions, seconds: seconds)
        }
        let p = totals(prior), f = totals(forecast), q = totals(posterior), t = totals(truth)
        regionTotals = regions.indices.map {
            RegionTotal(region: regions[$0].name, prior: p[$0], forecast: f[$0], posterior: q[$0], truth: t[$0])
        }

        let analysis = try ObservationTable.read(folder.appendingPathComponent("observations.nc").path)
        let ctrl = try ObservationTable.read(folder.appendingPathComponent("ctrl/observations.nc").path)
        let fc = try ObservationTable.read(folder.appendingPathComponent("fc/observations.nc").path)
        let assessed = (0..<analysis.count).filter { analysis.analysisHour[$0] > first }
        obsAssimilated = assessed.filter { analysis.status[$0] == .assimilated }.count
        obsRejected = assessed.filter { analysis.status[$0] == .rejectedOmBGate }.count
        obsValidation = assessed.filter { analysis.set[$0] == 1 }.count
        func score(_ table: ObservationTable, set: Int8, kind: Int8? = nil, model: [Double]) -> Double {
            let rows = (0..<table.count).filter {
                table.analysisHour[$0] > first && table.set[$0] == set && (set == 1 || table.status[$0] == .assimilated)
                    && (kind == nil || table.kind[$0] == kind)
            }
            return ObservationStatistics.compute(model: rows.map { model[$0] }, observed: rows.map { table.value[$0] }).rmse ?? .nan
        }
        func validation(kind: Int8?) -> [String: Double] {
            ["CTRL": score(ctrl, set: 1, kind: kind, model: ctrl.background),
             "FC": score(fc, set: 1, kind: kind, model: fc.background),
             "AN": score(analysis, set: 1, kind: kind, model: analysis.model)]
        }
        validationRMSE = validation(kind: nil)
        validationRMSEXCO2 = validation(kind: 0)
        validationRMSEInSitu = validation(kind: 1)
        assimilatedRMSE = ["CTRL": score(ctrl, set: 0, model: ctrl.background), "FC": score(fc, set: 0, model: fc.background),
                           "background": score(analysis, set: 0, model: analysis.background),
                           "AN": score(analysis, set: 0, model: analysis.model)]
        self.selection = selection
        boundaryBias = try config.boundaryBias.map { _ in
            try BoundaryBiasSummary(file: folder.appendingPathComponent(BoundaryBiasFile.name).path,
                                    firstHour: config.firstAssessedHour.value, twin: true)
        }
    }

    /// The summary as a JSON object.
    public var json: String {
        func number(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : "null" }
        let regions = regionTotals.map {
            "    \(jsonString($0.region)): {\"prior\": \(number($0.prior)), \"forecast\": \(number($0.forecast)), "
                + "\"posterior\": \(number($0.posterior)), \"truth\": \(number($0.truth))}"
        }.joined(separator: ",\n")
        let kernelDOFS = dofsEnsembleSubspace.map { ",\n  \"dofs_ensemble_subspace\": " + number($0) } ?? ""
        func table(_ t: [String: Double]) -> String {
            t.keys.sorted().map { "\"\($0)\": \(number(t[$0]!))" }.joined(separator: ", ")
        }
        return """
            {
              "obs_assimilated": \(obsAssimilated),
              "obs_validation": \(obsValidation),
              "obs_rejected_omb": \(obsRejected),
              "assessed_hours": \(assessedHours),
              "chi2_per_observation": \(number(filter.chiSquarePerObservation)),
              "mean_innovation_ppm": \(number(filter.meanInnovation)),
              "simulated_spread_ppm": \(number(filter.meanSpread)),
              "desroziers_hbh_ppm2": \(number(filter.desroziersHBH)),
              "background_variance_ppm2": \(number(filter.backgroundVariance)),
              "desroziers_r_ppm2": \(number(filter.desroziersR)),
              "error_variance_ppm2": \(number(filter.errorVariance)),
              "increment_correlation": \(number(flux.incrementCorrelation)),
              "flux_forecast_spread": \(number(flux.forecastSpread)),
              "flux_forecast_error": \(number(flux.forecastError)),
              "rmse_flux_prior": \(number(rmseFluxPrior)),
              "rmse_flux_forecast": \(number(rmseFluxForecast)),
              "rmse_flux_posterior": \(number(rmseFluxPosterior)),
              "rmse_flux_units": "umol m-2 s-1, period-mean optimised flux over land cells",
              "region_totals_units": "Tg C over the assessed period (optimised flux); land weighted by land fraction",
              "region_totals": {
            \(regions)
              },
              "validation_rmse": {\(table(validationRMSE))},
              "validation_rmse_xco2": {\(table(validationRMSEXCO2))},
              "validation_rmse_insitu": {\(table(validationRMSEInSitu))},
              "assimilated_rmse": {\(table(assimilatedRMSE))}\(kernelDOFS)\(boundaryBias.map { ",\n  \"boundary_bias_ppm\": " + $0.json } ?? "")
            }

            """
    }

    /// A readable table.
    public var table: String {
        var lines = ["Twin experiment: \(assessedHours) assessed hours, \(obsAssimilated) XCO2 assimilated, "
                     + "\(obsValidation) for validation, \(obsRejected) rejected by the OMB gate",
                     String(format: "flux RMSE vs truth over land (period mean, umol m-2 s-1): prior %.4f  forecast %.4f  posterior %.4f",
                            rmseFluxPrior, rmseFluxForecast, rmseFluxPosterior),
                     String(format: "filter: chi2/n %.3f, mean innovation %.3f ppm, H(x) spread %.3f ppm, "
                            + "Desroziers HBH %.3f (filter %.3f) R %.3f (filter %.3f) ppm2",
                            filter.chiSquarePerObservation, filter.meanInnovation, filter.meanSpread, filter.desroziersHBH,
                            filter.backgroundVariance, filter.desroziersR, filter.errorVariance),
                     String(format: "flux increments: correlation with the needed correction %.3f; forecast spread %.3f "
                            + "vs error %.3f umol m-2 s-1 (land cells, hourly)",
                            flux.incrementCorrelation, flux.forecastSpread, flux.forecastError),
                     "region".padding(toLength: 22, withPad: " ", startingAt: 0)
                        + [("prior Tg C", 11), ("forecast Tg C", 14), ("posterior Tg C", 16), ("truth Tg C", 12),
                           ("|err| prior", 13), ("|err| fcst", 12), ("|err| post", 12)]
                        .map { " " + String(repeating: " ", count: $0.1 - $0.0.count) + $0.0 }.joined()]
        for r in regionTotals {
            lines.append(r.region.padding(toLength: 22, withPad: " ", startingAt: 0)
                         + String(format: " %11.3f %14.3f %16.3f %12.3f %13.3f %12.3f %12.3f", r.prior, r.forecast, r.posterior,
                                  r.truth, abs(r.prior - r.truth), abs(r.forecast - r.truth), abs(r.posterior - r.truth)))
        }
        for (name, table) in [("all independent", validationRMSE), ("independent XCO2", validationRMSEXCO2),
                              ("in-situ sites", validationRMSEInSitu)] {
            // No observation of that kind in the validation set: say so rather than print nan.
            guard !table.values.allSatisfy(\.isNaN) else {
                lines.append("validation RMSE, \(name) (ppm): none (no such validation observations)")
                continue
            }
            lines.append(String(format: "validation RMSE, %@ (ppm): CTRL %.3f  FC %.3f  AN %.3f", name,
                                table["CTRL"]!, table["FC"]!, table["AN"]!))
        }
        for e in boundaryBias?.elements ?? [] {
            lines.append(String(format: "boundary bias %@ (ppm): prior %.3f  posterior %.3f ± %.3f  (final %.3f, imposed %.3f)",
                                e.name, e.prior, e.posterior, e.sigma, e.final ?? .nan, e.imposed ?? .nan))
        }
        return lines.joined(separator: "\n")
    }
}
