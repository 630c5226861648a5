@testable import Evaluation
import Foundation
import ModelTime
import NetCDFIO
import TestSupport
import Testing

/// A small twin-experiment run directory: AN, CTRL and FC observation files
/// (row-aligned) and two hours of fluxes on the test domain.
struct RunDirectory {
    let url: URL
    var path: String { url.path }

    /// AN biases: assimilated XCO2 +1, −1 (January) and +2, 0 (February);
    /// validation XCO2 +0.5, −0.5; site ABC ±1 (CTRL ±2, FC ±1.5).
    static func rows(siteBias: Double, validationScale: Double = 1) -> [Fixture.Row] {
        [Fixture.Row(time: Fixture.seconds(2016, 1, 10), value: 400, model: 401),
         Fixture.Row(time: Fixture.seconds(2016, 1, 20), value: 402, model: 401),
         Fixture.Row(time: Fixture.seconds(2016, 2, 3), value: 400, model: 402),
         Fixture.Row(time: Fixture.seconds(2016, 2, 4), value: 403, model: 403),
         Fixture.Row(time: Fixture.seconds(2016, 2, 4), status: 1, value: 403, model: 420),      // rejected: not used
         Fixture.Row(time: Fixture.seconds(2016, 1, 5), set: 1, status: 2, value: 400, model: 400 + 0.5 * validationScale),
         Fixture.Row(time: Fixture.seconds(2016, 1, 6), set: 1, status: 2, value: 401, model: 401 - 0.5 * validationScale),
         Fixture.Row(time: Fixture.seconds(2016, 1, 7), kind: 1, set: 1, status: 2, site: "ABC", value: 410, model: 410 + siteBias),
         Fixture.Row(time: Fixture.seconds(2016, 1, 8), kind: 1, set: 1, status: 2, site: "ABC", value: 411, model: 411 - siteBias)]
    }

    init(label: String, withForwardRuns: Bool = true) throws {
        url = try TestEnvironment.temporaryDirectory(label)
        try Fixture.writeObservations(url.appendingPathComponent("observations.nc").path, rows: Self.rows(siteBias: 1), runKind: "AN")
        if withForwardRuns {
            try Fixture.writeObservations(url.appendingPathComponent("ctrl/observations.nc").path,
                                          rows: Self.rows(siteBias: 2, validationScale: 2), runKind: "CTRL")
            try Fixture.writeObservations(url.appendingPathComponent("fc/observations.nc").path,
                                          rows: Self.rows(siteBias: 1.5), runKind: "FC")
        }
        let start = Fixture.hours(2016, 7, 1)
        let cells = Fixture.grid.nx * Fixture.grid.ny
        try Fixture.writeFluxes(url.appendingPathComponent("fluxes.nc").path, periods: [(start, start + 1), (start + 1, start + 2)],
                                value: { name, _ in [Double](repeating: name.hasSuffix("spread") ? 0.5 : -1, count: cells) },
                                extra: ["bio_truth", "ocn_truth", "fossil", "fire"])
    }
}

/// The error message `body` throws ("" when it does not throw).
func errorMessage(_ body: () throws -> Void) -> String {
    do { try body() } catch { return "\(error)" }
    return ""
}

@Suite struct RunDirectoryTests {
    @Test func statisticsOfARunDirectory() throws {
        let run = try RunDirectory(label: "evaluation-run")
        let report = try RunEvaluation.evaluate(runDirectory: run.path, options: EvaluationOptions(domainPath: Fixture.domainPath))
        let stats = report.table("observation_statistics")!
        func row(_ table: ReportTable, _ match: [String: ReportValue]) -> Int? {
            table.rows.indices.first { r in match.allSatisfy { table.value($0.key, row: r) == $0.value } }
        }
        // AN assimilated: January biases ±1, February 2 and 0, the year all four.
        let jan = row(stats, ["run": .text("AN"), "subset": .text("assimilated"), "month": .int(1)])!
        #expect(stats.value("num", row: jan) == .int(2) && stats.value("rmse", row: jan) == .number(1))
        let feb = row(stats, ["run": .text("AN"), "subset": .text("assimilated"), "month": .int(2)])!
        #expect(stats.value("rmse", row: feb) == .number(2.squareRoot()) && stats.value("mae", row: feb) == .number(1))
        let year = row(stats, ["run": .text("AN"), "subset": .text("assimilated"), "month": .missing])!
        #expect(stats.value("num", row: year) == .int(4) && stats.value("rmse", row: year) == .number(1.5.squareRoot()))
        #expect(stats.value("mean_bias", row: year) == .number(0.5))
        // Validation: AN ±0.5, CTRL ±1.
        let anValidation = row(stats, ["run": .text("AN"), "subset": .text("independent"), "month": .missing])!
        #expect(stats.value("rmse", row: anValidation) == .number(0.5))
        let ctrlValidation = row(stats, ["run": .text("CTRL"), "subset": .text("independent"), "month": .missing])!
        #expect(stats.value("rmse", row: ctrlValidation) == .number(1))

        let bias = report.table("bias_distribution")!
        let b = row(bias, ["run": .text("CTRL"), "subset": .text("independent"), "month": .missing])!
        #expect(bias.value("p_m1_1", row: b) == .number(100) && bias.value("p_0_2", row: b) == .number(50))

        // Site ABC: RMSE CTRL 2, FC 1.5, AN 1; improvement 25 % and 50 %.
        let sites = report.table("site_statistics")!
        let fc = row(sites, ["site": .text("ABC"), "run": .text("FC")])!
        #expect(sites.value("rmse", row: fc) == .number(1.5) && sites.value("rmse_improvement_percent", row: fc) == .number(25))
        #expect(sites.value("mean_obs", row: fc) == .number(410.5) && sites.value("latitude", row: fc) == .number(35))
        let an = row(sites, ["site": .text("ABC"), "run": .text("AN")])!
        #expect(sites.value("mae_improvement_percent", row: an) == .number(50))
        let ctrl = row(sites, ["site": .text("ABC"), "run": .text("CTRL")])!
        #expect(sites.value("rmse_improvement_percent", row: ctrl) == .missing)

        // Only February: the two February assimilated rows, no validation or in-situ rows.
        let february = try RunEvaluation.evaluate(runDirectory: run.path, options: EvaluationOptions(
            domainPath: Fixture.domainPath, window: TimeWindow(from: ModelHour(year: 2016, month: 2, day: 1))))
        let febStats = february.table("observation_statistics")!
        #expect(febStats.rows.allSatisfy { $0[1] == .text("assimilated") && $0[4] == .int(2) })
        #expect(february.table("site_statistics")!.rows.isEmpty)

        // Library path the twin experiment uses.
        let table = try ObservationTable.read(run.url.appendingPathComponent("observations.nc").path)
        #expect(try table.statistics(.independent).rmse == 0.5)

        // Land and ocean come from the domain's mask; budgets cover 2 h of July 2016.
        let regions = report.table("regions")!
        #expect(regions.rows.map { $0[0] }.prefix(3) == [.text("domain"), .text("land"), .text("ocean")])
        #expect(report.notes.contains { $0.contains("year 2016") && $0.contains("scaled") })
        let annual = report.table("budget_annual")!
        #expect(row(annual, ["region": .text("land"), "component": .text("bio"), "estimate": .text("truth")]) != nil)
        #expect(row(annual, ["region": .text("domain"), "component": .text("fossil"), "estimate": .text("prescribed")]) != nil)
    }

    @Test func missingForwardRunsAreNotedAndLandSeaNeedsAMask() throws {
        let run = try RunDirectory(label: "evaluation-an-only", withForwardRuns: false)
        // An explicit land/sea mask file; a missing one is an error naming the file.
        let report = try RunEvaluation.evaluate(runDirectory: run.path,
                                                options: EvaluationOptions(landSeaMaskPath: Fixture.domain.maskFiles["land_sea"]))
        #expect(report.notes.contains { $0.hasPrefix("CTRL not evaluated") })
        #expect(!report.table("observation_statistics")!.rows.contains { $0[0] == .text("FC") })
        let missing = errorMessage {
            _ = try RunEvaluation.evaluate(runDirectory: run.path, options: EvaluationOptions(landSeaMaskPath: "/nonexistent/mask.nc"))
        }
        #expect(missing.contains("/nonexistent/mask.nc") && missing.contains("does not exist"))
    }

    @Test func badInputsNameFileAndVariable() throws {
        let run = try RunDirectory(label: "evaluation-bad", withForwardRuns: false)
        let observations = run.url.appendingPathComponent("observations.nc").path
        let fluxes = run.url.appendingPathComponent("fluxes.nc").path

        try Fixture.writeObservations(observations, rows: RunDirectory.rows(siteBias: 1), runKind: "AN", omit: "analysis_mean")
        let noModel = errorMessage { _ = try RunEvaluation.evaluate(runDirectory: run.path) }
        #expect(noModel.contains(observations) && noModel.contains("'analysis_mean'") && noModel.contains("missing"))

        try Fixture.writeObservations(observations, rows: RunDirectory.rows(siteBias: 1), runKind: "AN",
                                      timeUnits: "hours since 1970-01-01 00:00:00")
        let hours = errorMessage { _ = try RunEvaluation.evaluate(runDirectory: run.path) }
        #expect(hours.contains(observations) && hours.contains("'time'") && hours.contains("units"))

        var rows = RunDirectory.rows(siteBias: 1)
        rows[2].value = .nan
        try Fixture.writeObservations(observations, rows: rows, runKind: "AN")
        let nan = errorMessage { _ = try RunEvaluation.evaluate(runDirectory: run.path) }
        #expect(nan.contains(observations) && nan.contains("'value'") && nan.contains("row 2"))

        try Fixture.writeObservations(observations, rows: RunDirectory.rows(siteBias: 1), runKind: "AN")
        let start = Fixture.hours(2016, 7, 1)
        let cells = Fixture.grid.nx * Fixture.grid.ny
        try Fixture.writeFluxes(fluxes, periods: [(start, start + 1)], value: { name, _ in
            var v = [Double](repeating: 1, count: cells)
            if name == "ocn_analysis_mean" { v[7] = .nan }
            return v
        })
        let nanFlux = errorMessage { _ = try RunEvaluation.evaluate(runDirectory: run.path) }
        #expect(nanFlux.contains(fluxes) && nanFlux.contains("'ocn_analysis_mean'") && nanFlux.contains("nan"))

        try FileManager.default.removeItem(atPath: fluxes)
        let noFile = errorMessage { _ = try RunEvaluation.evaluate(runDirectory: run.path) }
        #expect(noFile.contains(fluxes) && noFile.contains("does not exist"))
    }

    @Test func ensembleTotalsGiveTheRegionalSpread() throws {
        let run = try RunDirectory(label: "evaluation-ensemble", withForwardRuns: false)
        let path = run.url.appendingPathComponent("ensemble_totals.nc").path
        func write(times: [Double]) throws {
            let file = try NetCDFFile.create(path)
            let root = file.root
            try root.addDimension("time", length: nil)
            try root.addDimension("member", length: 3)
            try root.addDimension("region", length: 2)
            try root.addVariable("region", type: .string, dimensions: ["region"]).writeStrings(["domain", "nowhere"])
            try root.addVariable("time", type: .double, dimensions: ["time"]).write(times, start: [0], count: [times.count])
            // Members (rows) x regions (columns), the same for both records:
            // bio prior σ = 1, analysis σ = 0.5 (domain); ocn analysis σ = 0.
            let fields: [String: [Double]] = ["bio_prior": [1, 0, 2, 0, 3, 0], "bio_analysis": [1, 0, 1.5, 0, 2, 0],
                                              "ocn_prior": [0, 0, 0, 0, 2, 0], "ocn_analysis": [5, 0, 5, 0, 5, 0]]
            for (name, values) in fields {
                let variable = try root.addVariable(name, type: .double, dimensions: ["time", "member", "region"])
                for t in times.indices { try variable.write(values, start: [t, 0, 0], count: [1, 3, 2]) }
            }
            try file.commit()
        }
        let start = Fixture.hours(2016, 7, 1)
        try write(times: [start, start + 1])
        let report = try RunEvaluation.evaluate(runDirectory: run.path, options: EvaluationOptions(domainPath: Fixture.domainPath))
        let ur = report.table("uncertainty_reduction")!
        let bio = ur.rows.indices.first { ur.rows[$0][0] == .text("domain") && ur.rows[$0][1] == .text("bio") }!
        // σ of 1 Tg C per 1 h record = 8760 Tg C per 365-day year.
        #expect(ur.value("prior_sigma_ensemble_TgC_per_yr", row: bio) == .number(8760))
        #expect(ur.value("ur_ensemble_percent", row: bio) == .number(50))
        let ocn = ur.rows.indices.first { ur.rows[$0][0] == .text("domain") && ur.rows[$0][1] == .text("ocn") }!
        #expect(ur.value("ur_ensemble_percent", row: ocn) == .number(100))
        let west = ur.rows.indices.first { ur.rows[$0][0] == .text("west_china") }!
        #expect(ur.value("ur_ensemble_percent", row: west) == .missing)
        #expect(report.notes.contains { $0.contains("nowhere") })

        try write(times: [start])
        let mismatch = errorMessage { _ = try RunEvaluation.evaluate(runDirectory: run.path) }
        #expect(mismatch.contains(path) && mismatch.contains("'time'"))
    }

    @Test func incompleteFluxFileIsRefused() throws {
        let dir = try TestEnvironment.temporaryDirectory("evaluation-flux-shape")
        let path = dir.appendingPathComponent("fluxes.nc").path
        let start = Fixture.hours(2016, 7, 1)
        try Fixture.writeFluxes(path, periods: [(start, start + 1)], components: ["bio"],
                                value: { _, _ in [Double](repeating: 1, count: Fixture.grid.nx * Fixture.grid.ny) },
                                omit: "bio_forecast_spread")
        let message = errorMessage { _ = try FluxFile(path) }
        #expect(message.contains(path) && message.contains("'bio_forecast_spread'") && message.contains("missing"))
    }

    @Test func evaluateCommandWritesDocumentedJSONAndCSV() throws {
        let run = try RunDirectory(label: "evaluation-cli")
        let csv = run.url.appendingPathComponent("csv").path
        let result = try TestEnvironment.rcas(["evaluate", run.path, "--json", "--csv-dir", csv, "--domain", Fixture.domainPath])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
        let tables = ["observation_statistics", "bias_distribution", "site_statistics", "regions", "budget_monthly",
                      "budget_annual", "uncertainty_reduction", "information_content", "province_budget_monthly",
                      "province_budget_annual"]
        #expect(Set(object.keys) == Set(["run_directory", "period", "notes"] + tables))
        let period = object["period"] as! [String: Any]
        #expect(period["fluxes_start"] as? String == "2016-07-01T00:00:00Z" && period["fluxes_covered_hours"] as? Double == 2)
        let ur = (object["uncertainty_reduction"] as! [[String: Any]]).first!
        #expect(Set(ur.keys).isSuperset(of: ["region", "component", "ur_uncorrelated_percent", "ur_correlated_percent"]))
        for table in tables {
            #expect(FileManager.default.fileExists(atPath: "\(csv)/\(table).csv"), "\(table).csv")
        }
        let text = try TestEnvironment.rcas(["evaluate", run.path, "--domain", Fixture.domainPath])
        #expect(text.status == 0 && text.stdout.contains("site_statistics:") && text.stdout.contains("budget_annual (Pg C per year"))

        // Without --domain the `domain` attribute (test-small) resolves under Domains/ of the
        // working directory; an extra region comes from a mask file.
        let maskPath = run.url.appendingPathComponent("mask.nc").path
        let mask = try NetCDFFile.create(maskPath)
        try mask.root.addDimension("y", length: Fixture.grid.ny)
        try mask.root.addDimension("x", length: Fixture.grid.nx)
        let cells = Fixture.grid.nx * Fixture.grid.ny
        try mask.root.addVariable("south_half", type: .double, dimensions: ["y", "x"])
            .write((0..<cells).map { $0 < cells / 2 ? 1.0 : 0.0 })
        try mask.commit()
        let resolved = try TestEnvironment.rcas(["evaluate", run.path, "--json", "--region-mask", "\(maskPath):south_half"],
                                                directory: TestEnvironment.packageRoot)
        #expect(resolved.status == 0, "\(resolved.stderr)")
        let regions = (try JSONSerialization.jsonObject(with: Data(resolved.stdout.utf8)) as! [String: Any])["regions"]
            as! [[String: Any]]
        #expect(regions.map { $0["region"] as! String }.contains("land"))
        #expect(regions.last!["region"] as? String == "south_half" && regions.last!["cells"] as? Int == cells / 2)
        let unresolved = try TestEnvironment.rcas(["evaluate", run.path], directory: run.url)
        #expect(unresolved.status == 0 && unresolved.stdout.contains("land and ocean budgets omitted"))
        let badMask = try TestEnvironment.rcas(["evaluate", run.path, "--region-mask", "\(maskPath):nothing"])
        #expect(badMask.status != 0 && badMask.stderr.contains(maskPath) && badMask.stderr.contains("'nothing'"))

        let windowed = try TestEnvironment.rcas(["evaluate", run.path, "--json", "--from", "2016-07-01T01", "--domain", Fixture.domainPath])
        let windowPeriod = (try JSONSerialization.jsonObject(with: Data(windowed.stdout.utf8)) as! [String: Any])["period"]
            as! [String: Any]
        #expect(windowPeriod["window_from"] as? String == "2016-07-01T01:00:00Z" && windowPeriod["fluxes_covered_hours"] as? Double == 1)
        let badFrom = try TestEnvironment.rcas(["evaluate", run.path, "--from", "July"])
        #expect(badFrom.status != 0 && badFrom.stderr.contains("--from"))

        let bad = try TestEnvironment.rcas(["evaluate", run.url.appendingPathComponent("nothing").path])
        #expect(bad.status != 0 && bad.stderr.contains("observations.nc") && bad.stderr.contains("does not exist"))
    }
}

@Suite struct CharacterSiteTests {
    /// `site` as CF-1.8 fixed-length characters (what RCAS writes) reads as the same codes as strings.
    @Test func siteCodesReadFromACharArray() throws {
        let dir = try TestEnvironment.temporaryDirectory("char-sites")
        let rows = RunDirectory.rows(siteBias: 1)
        let characters = dir.appendingPathComponent("characters.nc").path, strings = dir.appendingPathComponent("strings.nc").path
        try Fixture.writeObservations(characters, rows: rows, runKind: "AN", characterSites: true)
        try Fixture.writeObservations(strings, rows: rows, runKind: "AN")
        let table = try ObservationTable.read(characters), reference = try ObservationTable.read(strings)
        #expect(table.site == rows.map(\.site) && table.site == reference.site)
        #expect(table.site.contains("ABC"))
    }
}
