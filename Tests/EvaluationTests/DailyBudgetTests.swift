@testable import Evaluation
import Foundation
import Geometry
import ModelTime
import TestSupport
import Testing

@Suite struct DailyBudgetTests {
    /// Tg C of `flux` µmol m⁻² s⁻¹ over `area` m² for `seconds`.
    func teragrams(area: Double, seconds: Double, flux: Double) -> Double {
        flux * area * seconds * 12.011e-6 / 1e12
    }

    @Test func recordsSplitAtMidnightWithTheirSpreads() throws {
        let dir = try TestEnvironment.temporaryDirectory("evaluation-daily")
        let path = dir.appendingPathComponent("fluxes.nc").path
        let cells = Fixture.grid.nx * Fixture.grid.ny
        // One 4 h record from 22:00 (2 h on each day), then 1 h on the second day.
        let a = Fixture.hours(2016, 7, 1, 22)
        try Fixture.writeFluxes(path, periods: [(a, a + 4), (a + 4, a + 5)], value: { name, _ in
            [Double](repeating: name.hasSuffix("spread") ? 0.5 : 2, count: cells)
        }, extra: ["bio_truth"])
        let file = try FluxFile(path)
        let regions = RegionSet.seed000(grid: Fixture.grid).regions
        let rows = try FluxBudget.daily(file: file, regions: regions)
        let areas = Fixture.grid.cellAreas()
        let area = areas.reduce(0, +)
        func row(_ component: String, _ estimate: String, day: Int) -> DailyBudget {
            rows.first { $0.region == "domain" && $0.component == component && $0.estimate == estimate
                && $0.day == ModelHour(year: 2016, month: 7, day: day) }!
        }
        let first = row("bio", "analysis", day: 1), second = row("bio", "analysis", day: 2)
        #expect(first.coveredHours == 2 && second.coveredHours == 3)
        #expect(abs(first.teragramsCarbon - teragrams(area: area, seconds: 7200, flux: 2)) <= 1e-12)
        #expect(abs(second.teragramsCarbon - teragrams(area: area, seconds: 10800, flux: 2)) <= 1e-12)
        // σ of the day's total: Σ_t σ_t Δt with σ_t = sqrt(Σ (a σ)²) (independent cells) or Σ a σ.
        let independent = areas.reduce(0) { $0 + $1 * $1 * 0.25 }.squareRoot()
        #expect(abs(second.sigmaUncorrelated! - independent * 10800 * 12.011e-6 / 1e12) <= 1e-15)
        #expect(abs(second.sigmaCorrelated! - teragrams(area: area, seconds: 10800, flux: 0.5)) <= 1e-12)
        // natural = bio + ocn, without a spread; truth has none either.
        let natural = row("natural", "analysis", day: 2)
        #expect(abs(natural.teragramsCarbon - 2 * second.teragramsCarbon) <= 1e-12 && natural.sigmaCorrelated == nil)
        #expect(row("bio", "truth", day: 1).sigmaUncorrelated == nil)
        #expect(rows.count == regions.count * (3 * 2 + 1 + 3) * 2)   // (bio, ocn) x 3 + bio truth + natural x 3, 2 days

        // A window that starts mid-record keeps only the part inside.
        let clipped = try FluxBudget.daily(file: file, regions: regions,
                                           window: TimeWindow(from: ModelHour(year: 2016, month: 7, day: 2, hour: 1)))
        let only = clipped.filter { $0.region == "domain" && $0.component == "bio" && $0.estimate == "prior" }
        #expect(only.count == 1 && only[0].coveredHours == 2)
    }

    @Test func provinceTablesPivotTheProvincialBudgets() throws {
        let run = try RunDirectory(label: "evaluation-provinces")
        let report = try RunEvaluation.evaluate(runDirectory: run.path,
                                                options: EvaluationOptions(domainPath: Fixture.domainPath, daily: true))
        let annual = try #require(report.table("province_budget_annual"))
        let budget = try #require(report.table("budget_annual"))
        #expect(annual.rows.count == 34)
        for r in annual.rows.indices {
            guard case .text(let province) = annual.value("province", row: r)!,
                  case .number(let prior) = annual.value("prior_TgC_per_year", row: r)!,
                  case .number(let posterior) = annual.value("posterior_TgC_per_year", row: r)!,
                  case .number(let difference) = annual.value("posterior_minus_prior_TgC_per_year", row: r)! else {
                Issue.record("row \(r) lacks numbers")
                continue
            }
            #expect(difference == posterior - prior)
            let source = budget.rows.indices.first {
                budget.value("region", row: $0) == .text(province) && budget.value("component", row: $0) == .text("bio")
                    && budget.value("estimate", row: $0) == .text("prior")
            }!
            #expect(budget.value("PgC_per_year", row: source) == .number(prior / 1000))
        }
        // The fixture's fluxes are −1 everywhere: Anhui's prior is minus its land area times 2 h, scaled to 2016.
        let anhui = annual.rows.indices.first { annual.value("province", row: $0) == .text("anhui") }!
        let masks = try ProvinceMasks.read(path: Fixture.domain.maskFiles[ProvinceMasks.maskName]!,
                                           ny: Fixture.grid.ny, nx: Fixture.grid.nx)
        let land = zip(masks.fractions[masks.names.firstIndex(of: "anhui")!], Fixture.grid.cellAreas()).reduce(0) { $0 + $1.0 * $1.1 }
        guard case .number(let prior) = annual.value("prior_TgC_per_year", row: anhui)! else { return }
        let expected = -land * 7200 * 12.011e-6 / 1e12 * 8784 / 2
        #expect(abs(prior - expected) <= 1e-9 * abs(expected))
        #expect(report.table("province_budget_monthly")!.rows.count == 34)
        #expect(report.table("budget_daily")!.rows.contains { $0.first == .text("heilongjiang") })
        #expect(report.table("regions")!.rows.contains { $0.first == .text("north_china_land") })
    }
}
