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
    /// RMSE of the model against the independent validation XCO2 (ppm), for CTRL, FC and AN.
    public let validationRMSE: [String: Double]
    public let assimilatedRMSE: [String: Double]
    public let assessedHours: Int
    public let selection: String

    /// The four China regions of seed 000 Fig. 3.
    public static let regions = [
        LatLonBox(name: "west", south: 28, north: 48, west: 85, east: 104),
        LatLonBox(name: "north", south: 37, north: 52, west: 105, east: 135),
        LatLonBox(name: "central", south: 30, north: 36, west: 105, east: 120),
        LatLonBox(name: "south", south: 18, north: 29, west: 105, east: 123),
    ]

    init(config: ExperimentConfig, records: [FluxHourRecord], analysis: [ObservationRecord],
         ctrl: [ObservationRecord], fc: [ObservationRecord], report: SelectionReport, landFraction: [Double]) {
        let grid = config.domain.grid
        let assessed = records.filter { $0.hour >= config.firstAssessedHour }
        assessedHours = assessed.count
        let areas = grid.cellAreas()
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
            (land.map { (field[$0] - truth[$0]) * (field[$0] - truth[$0]) }.reduce(0, +) / Double(max(1, land.count))).squareRoot()
        }
        rmseFluxPrior = rmse(prior)
        rmseFluxPosterior = rmse(posterior)
        // µmol m-2 s-1 x m2 x s x 12.011e-6 g/µmol -> g; / 1e12 -> Tg C.
        let seconds = Double(assessed.count) * 3600
        func total(_ field: [Double], _ cells: [Int]) -> Double {
            cells.map { field[$0] * areas[$0] }.reduce(0, +) * seconds * 12.011e-6 / 1e12
        }
        let centres = grid.centers()
        var regions = [RegionTotal(region: "domain_land", prior: total(prior, land), posterior: total(posterior, land),
                                   truth: total(truth, land))]
        for box in Self.regions {
            let cells = (0..<n).filter { box.contains(centres[$0]) }
            regions.append(RegionTotal(region: box.name, prior: total(prior, cells), posterior: total(posterior, cells),
                                       truth: total(truth, cells)))
        }
        regionTotals = regions
        let first = config.firstAssessedHour
        let assessedRows = analysis.filter { $0.analysisHour > first }
        obsAssimilated = assessedRows.filter { $0.status == .assimilated }.count
        obsRejected = assessedRows.filter { $0.status == .rejectedOMBGate }.count
        obsValidation = assessedRows.filter { $0.set == 1 }.count
        func score(_ rows: [ObservationRecord], set: Int8, model: (ObservationRecord) -> Double) -> Double {
            let chosen = rows.filter { $0.analysisHour > first && $0.set == set && (set == 1 || $0.status == .assimilated) }
            guard !chosen.isEmpty else { return .nan }
            return (chosen.map { (model($0) - $0.value) * (model($0) - $0.value) }.reduce(0, +) / Double(chosen.count)).squareRoot()
        }
        validationRMSE = ["CTRL": score(ctrl, set: 1) { $0.backgroundMean }, "FC": score(fc, set: 1) { $0.backgroundMean },
                          "AN": score(analysis, set: 1) { $0.analysisMean }]
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
              "region_totals_units": "Tg C over the assessed period (natural flux)",
              "region_totals": {
            \(regions)
              },
              "validation_rmse": {\(table(validationRMSE))},
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
                     "region            prior Tg C   posterior Tg C   truth Tg C   |err| prior   |err| post"]
        for r in regionTotals {
            lines.append(r.region.padding(toLength: 16, withPad: " ", startingAt: 0)
                         + String(format: " %11.3f %16.3f %12.3f %13.3f %12.3f", r.prior, r.posterior, r.truth,
                                  abs(r.prior - r.truth), abs(r.posterior - r.truth)))
        }
        lines.append(String(format: "validation XCO2 RMSE (ppm): CTRL %.3f  FC %.3f  AN %.3f",
                            validationRMSE["CTRL"]!, validationRMSE["FC"]!, validationRMSE["AN"]!))
        return lines.joined(separator: "\n")
    }
}
