@testable import Evaluation
import Foundation
import Geometry
import ModelTime
import TestSupport
import Testing

@Suite struct BudgetTests {
    /// Tg C of 1 µmol m⁻² s⁻¹ over `area` m² for `seconds`.
    func teragrams(area: Double, seconds: Double, flux: Double = 1) -> Double {
        flux * area * seconds * 12.011e-6 / 1e12
    }

    @Test func constantFluxOverTheDomainForOneHour() throws {
        let dir = try TestEnvironment.temporaryDirectory("evaluation-budget")
        let path = dir.appendingPathComponent("fluxes.nc").path
        let start = Fixture.hours(2016, 7, 1, 5)
        try Fixture.writeFluxes(path, periods: [(start, start + 1)], value: { _, _ in
            [Double](repeating: 1, count: Fixture.grid.nx * Fixture.grid.ny)
        })
        let file = try FluxFile(path)
        let regions = RegionSet.seed000(grid: Fixture.grid).regions
        let report = try FluxBudget.compute(file: file, regions: regions)
        let area = Fixture.grid.cellAreas().reduce(0, +)
        let expected = teragrams(area: area, seconds: 3600)

        let bio = report.monthly.filter { $0.region == "domain" && $0.component == "bio" }
        #expect(bio.count == 3)   // prior, forecast, analysis
        for row in bio {
            #expect(row.month == CalendarMonth(year: 2016, month: 7) && row.coveredHours == 1)
            #expect(abs(row.teragramsCarbon - expected) <= 1e-12 * expected)
        }
        let natural = report.monthly.first { $0.region == "domain" && $0.component == "natural" && $0.estimate == "analysis" }!
        #expect(abs(natural.teragramsCarbon - 2 * expected) <= 1e-12 * expected)

        // One hour of 2016 scaled to the whole (leap) year.
        let annual = report.annual.first { $0.region == "domain" && $0.component == "bio" && $0.estimate == "prior" }!
        #expect(annual.isScaled && annual.coveredHours == 1)
        #expect(abs(annual.petagramsCarbon - expected / 1000) <= 1e-12 * expected / 1000)
        #expect(abs(annual.petagramsCarbonPerYear - 8784 * expected / 1000) <= 1e-12 * 8784 * expected / 1000)

        // A box region integrates only its own cells.
        let west = regions.first { $0.name == "west_china" }!
        let westRow = report.monthly.first { $0.region == "west_china" && $0.component == "ocn" && $0.estimate == "forecast" }!
        let westArea = west.area(cellAreas: Fixture.grid.cellAreas())
        #expect(westArea > 0 && westArea < area)
        #expect(abs(westRow.teragramsCarbon - teragrams(area: westArea, seconds: 3600)) <= 1e-12 * expected)

        // Equal prior and analysis spreads: no uncertainty reduction.
        let ur = report.uncertaintyReduction.first { $0.region == "domain" && $0.component == "bio" }!
        #expect(ur.urCorrelated == 0 && ur.urUncorrelated == 0)
    }

    @Test func recordsSplitAtMonthAndYearBoundaries() throws {
        let dir = try TestEnvironment.temporaryDirectory("evaluation-months")
        let path = dir.appendingPathComponent("fluxes.nc").path
        let cells = Fixture.grid.nx * Fixture.grid.ny
        // A 24 h record from 2015-12-31T12 (half in each year), then a 24 h
        // record from 2016-01-31T12 (half in January, half in February).
        let a = Fixture.hours(2015, 12, 31, 12), b = Fixture.hours(2016, 1, 31, 12)
        try Fixture.writeFluxes(path, periods: [(a, a + 24), (b, b + 24)], components: ["bio"], value: { name, t in
            // Prior spread 2, analysis spread 1 in every cell; flux 2 then 3.
            if name.hasSuffix("spread") { return [Double](repeating: name.contains("analysis") ? 1 : 2, count: cells) }
            return [Double](repeating: t == 0 ? 2 : 3, count: cells)
        })
        let report = try FluxBudget.compute(file: try FluxFile(path), regions: RegionSet.seed000(grid: Fixture.grid).regions)
        let area = Fixture.grid.cellAreas().reduce(0, +)
        let rows = report.monthly.filter { $0.region == "domain" && $0.estimate == "analysis" }
        #expect(rows.map(\.month) == [CalendarMonth(year: 2015, month: 12), CalendarMonth(year: 2016, month: 1),
                                      CalendarMonth(year: 2016, month: 2)])
        #expect(rows.map(\.coveredHours) == [12, 24, 12])
        let expected = [teragrams(area: area, seconds: 43200, flux: 2),
                        teragrams(area: area, seconds: 43200, flux: 2) + teragrams(area: area, seconds: 43200, flux: 3),
                        teragrams(area: area, seconds: 43200, flux: 3)]
        for (row, value) in zip(rows, expected) { #expect(abs(row.teragramsCarbon - value) <= 1e-12 * value) }
        #expect(!report.monthly.contains { $0.component == "natural" })   // only one natural component

        let years = report.annual.filter { $0.region == "domain" && $0.estimate == "analysis" }
        #expect(years.map(\.year) == [2015, 2016] && years.map(\.coveredHours) == [12, 36])
        let perYear2016 = (expected[1] + expected[2]) / 1000 * 8784 / 36
        #expect(abs(years[1].petagramsCarbonPerYear - perYear2016) <= 1e-12 * perYear2016)
        #expect(report.coveredHours == 48)
        let total = report.total(region: "domain", component: "bio", estimate: "analysis")!
        #expect(abs(total - expected.reduce(0, +)) <= 1e-12 * total)
        #expect(report.total(region: "domain", component: "ocn", estimate: "analysis") == nil)

        // January only: the first record's second half and the second record's first half.
        let january = try FluxBudget.compute(file: try FluxFile(path), regions: RegionSet.seed000(grid: Fixture.grid).regions,
                                             window: TimeWindow(from: ModelHour(year: 2016, month: 1, day: 1),
                                                                to: ModelHour(year: 2016, month: 2, day: 1)))
        let janRows = january.monthly.filter { $0.region == "domain" && $0.estimate == "analysis" }
        #expect(janRows.map(\.month) == [CalendarMonth(year: 2016, month: 1)] && janRows[0].coveredHours == 24)
        #expect(abs(janRows[0].teragramsCarbon - expected[1]) <= 1e-12 * expected[1])
        #expect(january.periodStart == Fixture.hours(2016, 1, 1) && january.periodEnd == Fixture.hours(2016, 2, 1))
        let outside = errorMessage {
            _ = try FluxBudget.compute(file: try FluxFile(path), regions: [],
                                       window: TimeWindow(from: ModelHour(year: 2017, month: 1, day: 1)))
        }
        #expect(outside.contains(path) && outside.contains("no flux record"))

        // Uniform spreads: σ_post / σ_prior = 1/2 under either assumption, UR = 50 %.
        let ur = report.uncertaintyReduction.first { $0.region == "domain" }!
        #expect(abs(ur.urCorrelated! - 50) < 1e-12 && abs(ur.urUncorrelated! - 50) < 1e-12)
        // Fully correlated σ of the domain total = Σ area × σ, in Tg C per 365-day year.
        let perYear = 12.011e-6 / 1e12 * 365 * 86400
        #expect(abs(ur.priorSigmaCorrelated - 2 * area * perYear) <= 1e-12 * ur.priorSigmaCorrelated)
        let squares = Fixture.grid.cellAreas().reduce(0) { $0 + (2 * $1) * (2 * $1) }
        #expect(abs(ur.priorSigmaUncorrelated - squares.squareRoot() * perYear) <= 1e-12 * ur.priorSigmaUncorrelated)
    }

    @Test func regionTotalsWeightFractionalCells() {
        // Two cells of 1e6 and 3e6 m²; land fraction 0.25 and 1.
        let regions = RegionSet.landSea(landFraction: [0.25, 1])
        let totals = FluxBudget.regionTotals(flux: [2, 4], cellAreas: [1e6, 3e6], regions: regions, seconds: 10)
        #expect(abs(totals[0] - (0.25 * 2 * 1e6 + 4 * 3e6) * 10 * 12.011e-6 / 1e12) < 1e-24)
        #expect(abs(totals[1] - 0.75 * 2 * 1e6 * 10 * 12.011e-6 / 1e12) < 1e-24)
    }
}
