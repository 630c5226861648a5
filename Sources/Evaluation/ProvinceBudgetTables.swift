import Foundation
import ModelTime

/// Provincial budgets as Kou2023 reports them (its Fig. 7 and section 3.4):
/// prior and posterior (analysis) biosphere carbon per province, their
/// difference and the relative modification |post − prior| / |prior|, plus
/// the truth in twins; and the daily budget table.
enum ProvinceBudgetTables {
    /// The component of Kou2023's provincial table.
    static let component = "bio"

    /// `province_budget_monthly` (Tg C per month) and `province_budget_annual`
    /// (Tg C per year, scaled to the full year where only part is covered),
    /// from the budgets of the province regions; empty when there are none.
    static func make(_ budget: FluxBudgetReport, provinces: [String]) -> [ReportTable] {
        guard !provinces.isEmpty else { return [] }
        let wanted = Set(provinces)
        var monthly = ReportTable(name: "province_budget_monthly",
                                  columns: ["province", "component", "year", "month", "covered_hours",
                                            "prior_TgC", "posterior_TgC", "posterior_minus_prior_TgC", "truth_TgC"])
        let monthRows = budget.monthly.filter { wanted.contains($0.region) && $0.component == component }
        var byKey: [String: [CalendarMonth: [String: MonthlyBudget]]] = [:]
        for row in monthRows { byKey[row.region, default: [:]][row.month, default: [:]][row.estimate] = row }
        for province in provinces {
            for month in (byKey[province] ?? [:]).keys.sorted() {
                let cells = byKey[province]![month]!
                guard let prior = cells["prior"], let posterior = cells["analysis"] else { continue }
                monthly.append([.text(province), .text(component), .int(month.year), .int(month.month),
                                .number(prior.coveredHours), .number(prior.teragramsCarbon),
                                .number(posterior.teragramsCarbon),
                                .number(posterior.teragramsCarbon - prior.teragramsCarbon),
                                .optional(cells["truth"]?.teragramsCarbon)])
            }
        }
        var annual = ReportTable(name: "province_budget_annual",
                                 columns: ["province", "component", "year", "covered_hours", "prior_TgC_per_year",
                                           "posterior_TgC_per_year", "posterior_minus_prior_TgC_per_year",
                                           "modification_percent", "truth_TgC_per_year", "scaled_to_full_year"])
        var byYear: [String: [Int: [String: AnnualBudget]]] = [:]
        for row in budget.annual where wanted.contains(row.region) && row.component == component {
            byYear[row.region, default: [:]][row.year, default: [:]][row.estimate] = row
        }
        for province in provinces {
            for year in (byYear[province] ?? [:]).keys.sorted() {
                let cells = byYear[province]![year]!
                guard let prior = cells["prior"], let posterior = cells["analysis"] else { continue }
                let p = prior.petagramsCarbonPerYear * 1000, q = posterior.petagramsCarbonPerYear * 1000
                annual.append([.text(province), .text(component), .int(year), .number(prior.coveredHours), .number(p),
                               .number(q), .number(q - p), .optional(p == 0 ? nil : abs(q - p) / abs(p) * 100),
                               .optional(cells["truth"].map { $0.petagramsCarbonPerYear * 1000 }), .bool(prior.isScaled)])
            }
        }
        return [monthly, annual]
    }

    /// `budget_daily`: one row per region, component, estimate and UTC day.
    static func daily(_ rows: [DailyBudget]) -> ReportTable {
        var table = ReportTable(name: "budget_daily",
                                columns: ["region", "component", "estimate", "date", "covered_hours", "TgC",
                                          "sigma_uncorrelated_TgC", "sigma_correlated_TgC"])
        for row in rows {
            table.append([.text(row.region), .text(row.component), .text(row.estimate), .text(String(row.day.iso.prefix(10))),
                          .number(row.coveredHours), .number(row.teragramsCarbon), .optional(row.sigmaUncorrelated),
                          .optional(row.sigmaCorrelated)])
        }
        return table
    }
}
