@testable import Evaluation
import Foundation
import ModelTime
import NetCDFIO
import Testing

/// Writes `diagnostics.nc` with one record per hour from `start` (hours since
/// 1970): `counts` observations and `chi2`, `innovation` per record, the
/// other statistics constant.
private func writeDiagnostics(_ path: String, start: Double, counts: [Double], chi2: [Double], innovation: [Double]) throws {
    let file = try NetCDFFile.create(path)
    let root = file.root
    try root.addDimension("time", length: nil)
    let n = counts.count
    let time = try root.addVariable("time", type: .double, dimensions: ["time"])
    try time.setAttribute("units", .text("minutes since 1970-01-01 00:00:00"))
    try time.write((0..<n).map { 60 * (start + Double($0)) }, start: [0], count: [n])
    let columns: [(String, [Double])] = [("observation_count", counts), ("chi2_per_observation", chi2),
                                         ("mean_innovation_ppm", innovation)]
        + [("simulated_spread_ppm", 0.3), ("desroziers_hbh_ppm2", 0.1), ("desroziers_r_ppm2", 0.5),
           ("background_variance_ppm2", 0.09), ("error_variance_ppm2", 0.4)].map { ($0.0, [Double](repeating: $0.1, count: n)) }
    for (name, values) in columns {
        try root.addVariable(name, type: .double, dimensions: ["time"]).write(values, start: [0], count: [n])
    }
    try file.commit()
}

@Suite struct FilterDiagnosticsTests {
    /// Count-weighted over the hours with observations, in any CF time unit,
    /// inside `rcas evaluate`'s window; printed as the filter_diagnostics table.
    @Test func countWeightedMeansInTheWindow() throws {
        let run = try RunDirectory(label: "evaluation-diagnostics")
        let start = Fixture.hours(2016, 7, 1)
        try writeDiagnostics(run.url.appendingPathComponent("diagnostics.nc").path, start: start,
                             counts: [2, 0, 6], chi2: [1, .nan, 3], innovation: [0.4, .nan, -0.2])
        let all = try RunFilterDiagnostics(path: run.url.appendingPathComponent("diagnostics.nc").path)
        #expect(all.observations == 8 && all.analysisHours == 2)
        #expect(abs(all.chiSquarePerObservation - 2.5) < 1e-12 && abs(all.meanInnovation + 0.05) < 1e-12)
        #expect(all.desroziersR == 0.5 && all.errorVariance == 0.4)

        let window = TimeWindow(from: ModelHour(Int(start) + 1), to: nil)
        let report = try RunEvaluation.evaluate(runDirectory: run.path,
                                                options: EvaluationOptions(domainPath: Fixture.domainPath, window: window))
        let table = try #require(report.table("filter_diagnostics"))
        func value(_ name: String) -> ReportValue? {
            table.rows.first { $0[0] == .text(name) }.map { $0[1] }
        }
        func number(_ name: String) -> Double? {
            if case .number(let x) = value(name) { return x } else { return nil }
        }
        #expect(value("observations") == .int(6) && abs((number("chi2_per_observation") ?? 0) - 3) < 1e-12)
        #expect(abs((number("mean_innovation_ppm") ?? 0) + 0.2) < 1e-12)
        // The fixture is a twin whose analysis equals its forecast: no increment to correlate.
        #expect(value("increment_correlation") == .missing && value("forecast_flux_error") == .number(0))
        #expect(report.text.contains("filter_diagnostics:") && report.json.contains("\"filter_diagnostics\""))
    }

    @Test func runsWithoutDiagnosticsSayWhy() throws {
        let run = try RunDirectory(label: "evaluation-no-diagnostics")
        let report = try RunEvaluation.evaluate(runDirectory: run.path, options: EvaluationOptions(domainPath: Fixture.domainPath))
        #expect(report.table("filter_diagnostics") == nil)
        #expect(report.notes.contains { $0.contains("no diagnostics.nc") })
    }

    @Test func badCountsAndLengthsNameTheVariable() throws {
        let run = try RunDirectory(label: "evaluation-bad-diagnostics")
        let path = run.url.appendingPathComponent("diagnostics.nc").path
        try writeDiagnostics(path, start: 0, counts: [2, -1], chi2: [1, 1], innovation: [0, 0])
        let message = errorMessage { _ = try RunFilterDiagnostics(path: path) }
        #expect(message.contains("diagnostics.nc") && message.contains("observation_count") && message.contains("not a count"))
        try FileManager.default.removeItem(atPath: path)
        try writeDiagnostics(path, start: 0, counts: [2, 1], chi2: [1, .nan], innovation: [0, 0])
        #expect(errorMessage { _ = try RunFilterDiagnostics(path: path) }.contains("chi2_per_observation"))
    }
}
