import Foundation
import Geometry
import ModelTime
import NetCDFIO

/// Where `rcas evaluate` finds what the run directory does not hold.
public struct EvaluationOptions: Sendable {
    /// A domain folder or `domain.yaml` whose `land_sea` mask gives the land
    /// fraction; nil = resolve the `domain` attribute of `fluxes.nc`.
    public var domainPath: String?
    /// A file with `land_fraction(y, x)`; overrides the domain's mask.
    public var landSeaMaskPath: String?
    /// A province mask file (``ProvinceMasks``); overrides the domain's `provinces` mask.
    public var provinceMasksPath: String?
    /// Also report daily budgets (table `budget_daily`).
    public var daily: Bool
    /// Extra regions: (file, variable) of a (y, x) weight field in [0, 1].
    public var regionMasks: [(file: String, variable: String)]
    /// The period evaluated (e.g. after spin-up): observations with `time`
    /// inside it and the flux records (or their parts) inside it.
    public var window: TimeWindow

    public init(domainPath: String? = nil, landSeaMaskPath: String? = nil, provinceMasksPath: String? = nil,
                regionMasks: [(file: String, variable: String)] = [], window: TimeWindow = .all, daily: Bool = false) {
        self.domainPath = domainPath
        self.landSeaMaskPath = landSeaMaskPath
        self.provinceMasksPath = provinceMasksPath
        self.daily = daily
        self.regionMasks = regionMasks
        self.window = window
    }
}

/// Everything `rcas evaluate` reports (Docs/evaluation.md lists the tables
/// and their columns).
public struct EvaluationReport: Sendable {
    public let runDirectory: String
    /// Facts a reader must know to interpret the numbers (scaled years,
    /// missing runs, omitted land/ocean split).
    public let notes: [String]
    /// Period of the flux records and of the evaluated observations.
    public let period: [(String, ReportValue)]
    /// In the order: observation_statistics, bias_distribution,
    /// site_statistics, filter_diagnostics (runs with diagnostics.nc), regions, budget_monthly, budget_annual,
    /// uncertainty_reduction, information_content, then (with province masks)
    /// province_budget_monthly and province_budget_annual, then (when asked
    /// for) budget_daily.
    public let tables: [ReportTable]

    /// The table called `name`.
    public func table(_ name: String) -> ReportTable? { tables.first { $0.name == name } }

    /// One JSON object: `run_directory`, `period`, `notes`, then one array per table.
    public var json: String {
        var parts = ["\"run_directory\": \(jsonString(runDirectory))"]
        parts.append("\"period\": {" + period.map { "\(jsonString($0.0)): \($0.1.json)" }.joined(separator: ", ") + "}")
        parts.append("\"notes\": [" + notes.map(jsonString).joined(separator: ", ") + "]")
        for table in tables { parts.append("\(jsonString(table.name)): \(table.json)") }
        return "{\n" + parts.joined(separator: ",\n") + "\n}\n"
    }

    /// Writes `<table>.csv` for every table into `directory` (created if needed).
    public func writeCSV(directory: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for table in tables {
            let url = URL(fileURLWithPath: directory).appendingPathComponent("\(table.name).csv")
            try table.csv.write(to: url, atomically: true, encoding: .utf8)
        }
    }

    /// The report for a terminal: every table except the monthly budgets
    /// (too long to read; they are in the JSON and CSV output), with the
    /// annual budgets as one row per region, component and year.
    public var text: String {
        var out = "RCAS evaluation of \(runDirectory)\n"
        out += period.map { "  \($0.0): \($0.1.display)" }.joined(separator: "\n") + "\n"
        for note in notes { out += "Note: \(note)\n" }
        for table in tables {
            switch table.name {
            case "budget_monthly", "province_budget_monthly", "budget_daily":
                out += "\n\(table.name): \(table.rows.count) rows (see --json or --csv-dir)\n"
            case "budget_annual":
                out += "\nbudget_annual (Pg C per year, scaled to the full year where scaled_to_full_year):\n"
                out += Self.estimateColumns(table, value: "PgC_per_year").text() + "\n"
            default:
                out += "\n\(table.name):\n" + table.text() + "\n"
            }
        }
        return out
    }

    /// `table` (region, component, estimate, year, ...) with one column per
    /// estimate holding `value`, one row per region, component and year.
    static func estimateColumns(_ table: ReportTable, value: String) -> ReportTable {
        let estimates = ["prior", "forecast", "analysis", "truth", "prescribed"]
        var keys: [[ReportValue]] = []
        var cells: [[ReportValue]: [String: ReportValue]] = [:]
        var extra: [[ReportValue]: [ReportValue]] = [:]
        for r in table.rows.indices {
            let key = ["region", "component", "year"].map { table.value($0, row: r)! }
            if cells[key] == nil {
                keys.append(key)
                extra[key] = ["covered_hours", "scaled_to_full_year"].map { table.value($0, row: r)! }
            }
            if case .text(let estimate) = table.value("estimate", row: r)! {
                cells[key, default: [:]][estimate] = table.value(value, row: r)!
            }
        }
        let present = estimates.filter { e in cells.values.contains { $0[e] != nil } }
        var pivot = ReportTable(name: table.name, columns: ["region", "component", "year", "covered_hours", "scaled"] + present)
        for key in keys { pivot.append(key + extra[key]! + present.map { cells[key]![$0] ?? .missing }) }
        return pivot
    }
}

/// Evaluation of a run directory (run-directory contract): observation-space
/// statistics of AN, CTRL and FC, and regional flux budgets.
public enum RunEvaluation {
    /// The runs whose observation files are compared, with their paths
    /// relative to the run directory. AN is required, CTRL and FC optional.
    public static let runs: [(name: String, path: String)] = [("CTRL", "ctrl/observations.nc"),
                                                               ("FC", "fc/observations.nc"),
                                                               ("AN", "observations.nc")]

    /// Evaluates `runDirectory`. Throws naming the file and variable on any
    /// missing or malformed input.
    public static func evaluate(runDirectory: String, options: EvaluationOptions = EvaluationOptions()) throws -> EvaluationReport {
        let dir = URL(fileURLWithPath: runDirectory)
        var notes: [String] = []
        var period: [(String, ReportValue)] = []
        if let from = options.window.from { period.append(("window_from", .text(from.iso))) }
        if let to = options.window.to { period.append(("window_to", .text(to.iso))) }

        // Observations: AN first (it defines the subsets), then CTRL and FC.
        let an = try ObservationTable.read(dir.appendingPathComponent("observations.nc").path)
        var tables: [(name: String, table: ObservationTable, classifiedBy: ObservationTable)] = []
        for run in runs {
            let path = dir.appendingPathComponent(run.path).path
            if run.name == "AN" {
                tables.append((run.name, an, an))
                continue
            }
            guard FileManager.default.fileExists(atPath: path) else {
                notes.append("\(run.name) not evaluated: \(path) does not exist")
                continue
            }
            let table = try ObservationTable.read(path)
            if table.isRowAligned(with: an) {
                tables.append((run.name, table, an))
            } else {
                notes.append("\(run.name) observations are not row-aligned with AN's; its own kind/set/status columns select its rows")
                tables.append((run.name, table, table))
            }
        }
        let observationTables = try observationStatistics(tables, window: options.window)
        let anRows = ObservationSubset.allCases.flatMap { $0.rows(of: an) }
            .filter { options.window.contains(secondsSince1970: an.time[$0]) }
        if let first = anRows.map({ an.time[$0] }).min(), let last = anRows.map({ an.time[$0] }).max() {
            period.append(("observations_first", .text(ModelHour(secondsSince1970: first).iso)))
            period.append(("observations_last", .text(ModelHour(secondsSince1970: last).iso)))
        }

        // Fluxes.
        let fluxes = try FluxFile(dir.appendingPathComponent("fluxes.nc").path)
        let regions = try RunRegions.regions(fluxes: fluxes, options: options, runDirectory: dir, notes: &notes)
        let budget = try FluxBudget.compute(file: fluxes, regions: regions, window: options.window)
        period.append(("fluxes_start", .text(ModelHour(Int(budget.periodStart.rounded(.down))).iso)))
        period.append(("fluxes_end", .text(ModelHour(Int(budget.periodEnd.rounded(.down))).iso)))
        period.append(("fluxes_covered_hours", .number(budget.coveredHours)))
        for year in Set(budget.annual.map(\.year)).sorted() {
            if let row = budget.annual.first(where: { $0.year == year }), row.isScaled {
                notes.append("year \(year): fluxes cover \(row.coveredHours) of \(hoursInYear(year)) hours; PgC_per_year is PgC scaled by \(hoursInYear(year))/\(row.coveredHours)")
            }
        }
        let totalsPath = dir.appendingPathComponent(EnsembleTotals.fileName).path
        var ensemble: [String: [String: (prior: Double, posterior: Double)]] = [:]
        if FileManager.default.fileExists(atPath: totalsPath) {
            ensemble = try EnsembleTotals.sigmas(path: totalsPath, fluxes: fluxes, window: options.window)
            let unknown = Set(ensemble.values.flatMap(\.keys)).subtracting(regions.map(\.name))
            if !unknown.isEmpty {
                notes.append("\(EnsembleTotals.fileName) regions not in this report are ignored: \(unknown.sorted().joined(separator: ", "))")
            }
        } else {
            notes.append("uncertainty_reduction: no \(EnsembleTotals.fileName), so only per-cell spreads are known; the regional sigma is given for uncorrelated and for fully correlated cell errors (Docs/evaluation.md)")
        }

        var reportTables = observationTables
        if let diagnostics = try FilterDiagnosticsTable.make(runDirectory: dir, fluxes: fluxes, land: regions.first { $0.kind == .land },
                                                             window: options.window) {
            reportTables.append(diagnostics)
        } else {
            notes.append("filter_diagnostics: no diagnostics.nc in the run directory (not an assimilation run)")
        }
        reportTables += budgetTables(budget, regions: regions, cellAreas: fluxes.cellAreas, ensemble: ensemble)
        reportTables.append(try InformationContent.table(fluxes: fluxes, observations: dir.appendingPathComponent("observations.nc").path, window: options.window))
        reportTables += ProvinceBudgetTables.make(budget, provinces: regions.filter { $0.kind == .province }.map(\.name))
        if options.daily {
            reportTables.append(ProvinceBudgetTables.daily(try FluxBudget.daily(file: fluxes, regions: regions, window: options.window)))
        }
        return EvaluationReport(runDirectory: runDirectory, notes: notes, period: period, tables: reportTables)
    }

    /// Tables 1, 3 and 4 of Kou2023 for every run present.
    static func observationStatistics(_ runs: [(name: String, table: ObservationTable, classifiedBy: ObservationTable)],
                                      window: TimeWindow) throws -> [ReportTable] {
        var statistics = ReportTable(name: "observation_statistics",
                                     columns: ["run", "subset", "year", "month", "num", "rmse", "mae", "corr", "mean_bias"])
        var distribution = ReportTable(name: "bias_distribution",
                                       columns: ["run", "subset", "year", "month", "num", "p_m4_4", "p_m3_3", "p_m2_2",
                                                 "p_m1_1", "p_0_4", "p_0_3", "p_0_2", "bias_sd"])
        var sites = ReportTable(name: "site_statistics",
                                columns: ["site", "run", "num", "latitude", "longitude", "mean_obs", "mean_model", "rmse", "mae",
                                          "rmse_improvement_percent", "mae_improvement_percent"])
        var controlBySite: [String: ObservationStatistics] = [:]
        for run in runs {
            let table = run.table
            for subset in [ObservationSubset.assimilated, .independent] {
                let rows = subset.rows(of: run.classifiedBy).filter { window.contains(secondsSince1970: table.time[$0]) }
                try table.checkFinite(rows: rows)
                // Months in time order, then each year (month = missing).
                var groups: [(year: Int, month: Int?, rows: [Int])] = []
                let byMonth = Dictionary(grouping: rows) { table.month(ofRow: $0) }
                for month in byMonth.keys.sorted() { groups.append((month.year, month.month, byMonth[month]!)) }
                let byYear = Dictionary(grouping: rows) { table.month(ofRow: $0).year }
                for year in byYear.keys.sorted() { groups.append((year, nil, byYear[year]!)) }
                for group in groups {
                    let model = group.rows.map { table.model[$0] }, observed = group.rows.map { table.value[$0] }
                    let s = ObservationStatistics.compute(model: model, observed: observed)
                    let key: [ReportValue] = [.text(run.name), .text(subset.rawValue), .int(group.year),
                                              group.month.map { .int($0) } ?? .missing]
                    statistics.append(key + [.int(s.count), .optional(s.rmse), .optional(s.mae),
                                             .optional(s.correlation), .optional(s.meanBias)])
                    let d = BiasDistribution.compute(model: model, observed: observed)
                    let percents = d.percentInInterval.map { $0.map { ReportValue.number($0) } }
                        ?? [ReportValue](repeating: .missing, count: BiasDistribution.intervals.count)
                    distribution.append(key + [.int(d.count)] + percents + [.optional(d.standardDeviation)])
                }
            }
            let rows = ObservationSubset.insitu.rows(of: run.classifiedBy).filter { window.contains(secondsSince1970: table.time[$0]) }
            try table.checkFinite(rows: rows)
            let bySite = Dictionary(grouping: rows) { table.site[$0] }
            for site in bySite.keys.sorted() {
                let siteRows = bySite[site]!
                let s = ObservationStatistics.compute(model: siteRows.map { table.model[$0] },
                                                      observed: siteRows.map { table.value[$0] })
                if run.name == "CTRL" { controlBySite[site] = s }
                let control = run.name == "CTRL" ? nil : controlBySite[site]
                let rmseRate = control?.rmse.flatMap { c in s.rmse.flatMap { improvementRate(control: c, experiment: $0) } }
                let maeRate = control?.mae.flatMap { c in s.mae.flatMap { improvementRate(control: c, experiment: $0) } }
                func mean(_ column: [Double]) -> ReportValue { .number(siteRows.reduce(0) { $0 + column[$1] } / Double(siteRows.count)) }
                sites.append([.text(site), .text(run.name), .int(s.count), mean(table.latitude), mean(table.longitude),
                              mean(table.value), mean(table.model), .optional(s.rmse), .optional(s.mae),
                              .optional(rmseRate), .optional(maeRate)])
            }
        }
        return [statistics, distribution, sites]
    }

    static func budgetTables(_ budget: FluxBudgetReport, regions: [Region], cellAreas: [Double],
                             ensemble: [String: [String: (prior: Double, posterior: Double)]]) -> [ReportTable] {
        var regionTable = ReportTable(name: "regions", columns: ["region", "kind", "cells", "area_km2"])
        for region in regions {
            regionTable.append([.text(region.name), .text(region.kind.rawValue), .int(region.cellCount),
                                .number(region.area(cellAreas: cellAreas) / 1e6)])
        }
        var monthly = ReportTable(name: "budget_monthly",
                                  columns: ["region", "component", "estimate", "year", "month", "covered_hours",
                                            "hours_in_month", "TgC"])
        for row in budget.monthly {
            monthly.append([.text(row.region), .text(row.component), .text(row.estimate), .int(row.month.year),
                            .int(row.month.month), .number(row.coveredHours), .int(row.month.hours),
                            .number(row.teragramsCarbon)])
        }
        var annual = ReportTable(name: "budget_annual",
                                 columns: ["region", "component", "estimate", "year", "covered_hours", "hours_in_year",
                                           "PgC", "PgC_per_year", "scaled_to_full_year"])
        for row in budget.annual {
            annual.append([.text(row.region), .text(row.component), .text(row.estimate), .int(row.year),
                           .number(row.coveredHours), .int(hoursInYear(row.year)), .number(row.petagramsCarbon),
                           .number(row.petagramsCarbonPerYear), .bool(row.isScaled)])
        }
        var ur = ReportTable(name: "uncertainty_reduction",
                             columns: ["region", "component", "prior_sigma_uncorrelated_TgC_per_yr",
                                       "posterior_sigma_uncorrelated_TgC_per_yr", "ur_uncorrelated_percent",
                                       "prior_sigma_correlated_TgC_per_yr", "posterior_sigma_correlated_TgC_per_yr",
                                       "ur_correlated_percent", "prior_sigma_ensemble_TgC_per_yr",
                                       "posterior_sigma_ensemble_TgC_per_yr", "ur_ensemble_percent"])
        for row in budget.uncertaintyReduction {
            let members = ensemble[row.component]?[row.region]
            ur.append([.text(row.region), .text(row.component), .number(row.priorSigmaUncorrelated),
                       .number(row.posteriorSigmaUncorrelated), .optional(row.urUncorrelated),
                       .number(row.priorSigmaCorrelated), .number(row.posteriorSigmaCorrelated),
                       .optional(row.urCorrelated), .optional(members?.prior), .optional(members?.posterior),
                       .optional(members.flatMap { uncertaintyReduction(priorSigma: $0.prior, posteriorSigma: $0.posterior) })])
        }
        return [regionTable, monthly, annual, ur]
    }
}
