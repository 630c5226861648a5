import Evaluation
import Foundation
import Geometry
import ModelTime
import Observations

/// The scores of a twin experiment (written as `summary.json`).
public struct TwinSummary: Sendable {
    public struct RegionTotal: Sendable, Codable {
        public let region: String
        /// Natural (bio + ocn) flux integrated over the assessed period, Tg C.
        public let prior: Double
        public let posterior: Double
        public let truth: Double
    }

    public let obsAssimilated: Int
    public let obsValidation: Int
    public let obsRejected: Int
    /// RMSE over land cells of the period-mean natural flux against the truth (µmol m-2 s-1).
    public let rmseFluxPrior: Double
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

    init(config: ExperimentConfig, records: [FluxHourRecord], analysis: [ObservationRecord],
         ctrl: [ObservationRecord], fc: [ObservationRecord], report: SelectionReport, landFraction: [Double]) {
        let grid = config.domain.grid
        let assessed = records.filter { $0.hour >= config.firstAssessedHour }
        assessedHours = assessed.count
        let n = grid.cellCount
        func natural(_ pick: (FluxHourRecord) -> [[Double]]) -> [Double] {
            var sum = [Double](repeating: 0, count: n)
            for record in assessed {
                let f = pick(record)
                for cell in 0..<n { sum[cell] += f[0][cell] + f[1][cell] }
            }
            return sum.map { $0 / Double(max(1, assessed.count)) }
        }
        let prior = natural(\.priorMean), posterior = natural(\.analysisMean), truth = natural { $0.truth ?? $0.priorMean }
        let land = (0..<n).filter { landFraction[$0] > 0.5 }
        func rmse(_ field: [Double]) -> Double {
            ObservationStatistics.compute(model: land.map { field[$0] }, observed: land.map { truth[$0] }).rmse ?? .nan
        }
        rmseFluxPrior = rmse(prior)
        rmseFluxPosterior = rmse(posterior)
        // Land (weighted by land fraction), the whole domain, and the China
        // regions and ecological areas of seed 000 Fig. 3, from Evaluation.
        let regions = RegionSet.landSea(landFraction: landFraction).filter { $0.kind == .land }
            + RegionSet.seed000(grid: grid).regions
        let areas = grid.cellAreas(), seconds = Double(assessed.count) * 3600
        func totals(_ field: [Double]) -> [Double] {
            FluxBudget.regionTotals(flux: field, cellAreas: areas, regions: regions, seconds: seconds)
        }
        let p = totals(prior), q = totals(posterior), t = totals(truth)
        regionTotals = regions.indices.map { RegionTotal(region: regions[$0].name, prior: p[$0], posterior: q[$0], truth: t[$0]) }
        let first = config.firstAssessedHour
        let assessedRows = analysis.filter { $0.analysisHour > first }
        obsAssimilated = assessedRows.filter { $0.status == .assimilated }.count
        obsRejected = assessedRows.filter { $0.status == .rejectedOMBGate }.count
        obsValidation = assessedRows.filter { $0.set == 1 }.count
        func score(_ rows: [ObservationRecord], set: Int8, kind: Int8? = nil, model: (ObservationRecord) -> Double) -> Double {
            let chosen = rows.filter {
                $0.analysisHour > first && $0.set == set && (set == 1 || $0.status == .assimilated) && (kind == nil || $0.kind == kind)
            }
            return ObservationStatistics.compute(model: chosen.map(model), observed: chosen.map(\.value)).rmse ?? .nan
        }
        func validation(kind: Int8?) -> [String: Double] {
            ["CTRL": score(ctrl, set: 1, kind: kind) { $0.backgroundMean }, "FC": score(fc, set: 1, kind: kind) { $0.backgroundMean },
             "AN": score(analysis, set: 1, kind: kind) { $0.analysisMean }]
        }
        validationRMSE = validation(kind: nil)
        validationRMSEXCO2 = validation(kind: 0)
        validationRMSEInSitu = validation(kind: 1)
        assimilatedRMSE = ["CTRL": score(ctrl, set: 0) { $0.backgroundMean }, "FC": score(fc, set: 0) { $0.backgroundMean },
                           "background": score(analysis, set: 0) { $0.backgroundMean },
                           "AN": score(analysis, set: 0) { $0.analysisMean }]
        selection = report.description
    }

    /// The summary as a JSON object.
    public var json: String {
        func number(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : "null" }
        let regions = regionTotals.map {
            "    \"\($0.region)\": {\"prior\": \(number($0.prior)), \"posterior\": \(number($0.posterior)), \"truth\": \(number($0.truth))}"
        }.joined(separator: ",\n")
        func table(_ t: [String: Double]) -> String {
            t.keys.sorted().map { "\"\($0)\": \(number(t[$0]!))" }.joined(separator: ", ")
        }
        return """
            {
              "obs_assimilated": \(obsAssimilated),
              "obs_validation": \(obsValidation),
              "obs_rejected_omb": \(obsRejected),
              "assessed_hours": \(assessedHours),
              "rmse_flux_prior": \(number(rmseFluxPrior)),
              "rmse_flux_posterior": \(number(rmseFluxPosterior)),
              "rmse_flux_units": "umol m-2 s-1, period-mean natural flux over land cells",
              "region_totals_units": "Tg C over the assessed period (natural flux); land weighted by land fraction",
              "region_totals": {
            \(regions)
              },
              "validation_rmse": {\(table(validationRMSE))},
              "validation_rmse_xco2": {\(table(validationRMSEXCO2))},
              "validation_rmse_insitu": {\(table(validationRMSEInSitu))},
              "assimilated_rmse": {\(table(assimilatedRMSE))}
            }

            """
    }

    /// A readable table.
    public var table: String {
        var lines = ["Twin experiment: \(assessedHours) assessed hours, \(obsAssimilated) XCO2 assimilated, "
                     + "\(obsValidation) for validation, \(obsRejected) rejected by the OMB gate",
                     String(format: "flux RMSE vs truth over land (period mean, umol m-2 s-1): prior %.4f  posterior %.4f",
                            rmseFluxPrior, rmseFluxPosterior),
                     "region".padding(toLength: 22, withPad: " ", startingAt: 0)
                        + [("prior Tg C", 11), ("posterior Tg C", 16), ("truth Tg C", 12), ("|err| prior", 13), ("|err| post", 12)]
                        .map { " " + String(repeating: " ", count: $0.1 - $0.0.count) + $0.0 }.joined()]
        for r in regionTotals {
            lines.append(r.region.padding(toLength: 22, withPad: " ", startingAt: 0)
                         + String(format: " %11.3f %16.3f %12.3f %13.3f %12.3f", r.prior, r.posterior, r.truth,
                                  abs(r.prior - r.truth), abs(r.posterior - r.truth)))
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
        return lines.joined(separator: "\n")
    }
}
