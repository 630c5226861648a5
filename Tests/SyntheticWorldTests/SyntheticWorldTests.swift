import Foundation
import Geometry
import ModelTime
import NetCDFIO
import SyntheticWorld
import Testing
import TestSupport

func loadDomain(_ name: String) throws -> Domain {
    try Domain.load(TestEnvironment.packageRoot.appendingPathComponent("Domains/\(name)").path)
}

func cellIndex(_ grid: HorizontalGrid, latitude: Double, longitude: Double) -> Int {
    let cell = grid.cell(containing: GeoPoint(latitude: latitude, longitude: longitude))!
    return grid.index(cell.i, cell.j)
}

@Test func landSeaMaskKnowsLandFromSea() throws {
    let domain = try loadDomain("china-64km")
    let mask = try LandSeaMask(domain: domain)
    let grid = domain.grid
    #expect(mask.source.contains("GLOBE"))
    for (lat, lon) in [(39.9, 116.4), (30.6, 104.1), (34.3, 108.9), (45.8, 126.5), (28.6, 90.0)] {
        #expect(mask.landFraction[cellIndex(grid, latitude: lat, longitude: lon)] > 0.9, "land at \(lat), \(lon)")
    }
    // Pacific east of Japan, South China Sea, Bay of Bengal.
    for (lat, lon) in [(36.0, 150.0), (15.0, 115.0), (15.0, 89.0)] {
        #expect(mask.landFraction[cellIndex(grid, latitude: lat, longitude: lon)] == 0, "sea at \(lat), \(lon)")
    }
    let land = mask.landFraction.reduce(0, +) / Double(grid.cellCount)
    #expect(land > 0.45 && land < 0.65)
    // test-small has its own mask of the right size.
    let small = try loadDomain("test-small")
    #expect(try LandSeaMask(domain: small).landFraction.count == small.grid.cellCount)
}

@Test func landSeaMaskRefusesAMaskForAnotherGrid() throws {
    let small = try loadDomain("test-small")
    let china = try loadDomain("china-64km")
    let path = china.maskFiles["land_sea"]!
    let text: String
    do { _ = try LandSeaMask(file: path, grid: small.grid); text = "" } catch { text = "\(error)" }
    #expect(text.contains(path) && text.contains("'land_fraction'") && text.contains("shape"), "\(text)")
}

@Test func biosphereTakesUpByDayInSummerAndReleasesAtNightAndInWinter() throws {
    let domain = try loadDomain("china-64km")
    let flux = try SyntheticPriorFlux(domain: domain)
    let wuhan = cellIndex(domain.grid, latitude: 30.6, longitude: 114.3)
    let harbin = cellIndex(domain.grid, latitude: 45.8, longitude: 126.5)
    // Local solar time ≈ UTC + 7.6 h (Wuhan) and + 8.4 h (Harbin).
    let julyNoon = flux.components(at: ModelHour(year: 2016, month: 7, day: 15, hour: 4))
    let julyNight = flux.components(at: ModelHour(year: 2016, month: 7, day: 15, hour: 16))
    let januaryNoon = flux.components(at: ModelHour(year: 2016, month: 1, day: 15, hour: 4))
    for c in [wuhan, harbin] {
        #expect(julyNoon.bio[c] < -4 && julyNoon.bio[c] > -20)
        #expect(julyNight.bio[c] > 1 && julyNight.bio[c] < 10)
    }
    #expect(januaryNoon.bio[harbin] > 0 && januaryNoon.bio[harbin] < 3)
    // Sea cells have no biosphere, land cells no ocean flux; ocean stays small.
    let sea = cellIndex(domain.grid, latitude: 36.0, longitude: 150.0)
    #expect(julyNoon.bio[sea] == 0 && julyNoon.ocn[wuhan] == 0)
    #expect(julyNoon.ocn.allSatisfy { abs($0) <= 0.2 } && januaryNoon.ocn.allSatisfy { abs($0) <= 0.2 })
    #expect(januaryNoon.ocn[sea] < 0)
}

/// A rank asks for the prior of its own columns only: those values must be
/// the whole grid's, bit for bit (sea cells included: bio and fire 0), and
/// every other cell NaN.
@Test func priorOfSomeCellsIsTheWholeGridsThereAndNaNElsewhere() throws {
    let domain = try loadDomain("china-64km")
    let flux = try SyntheticPriorFlux(domain: domain)
    let hour = ModelHour(year: 2016, month: 7, day: 1, hour: 5)
    let whole = flux.components(at: hour)
    let cells = Array(stride(from: 17, to: domain.grid.cellCount, by: 3))
    let part = flux.components(at: hour, cells: cells)
    let chosen = Set(cells)
    #expect(cells.contains { whole.bio[$0] == 0 } && cells.contains { whole.bio[$0] != 0 }, "land and sea cells both chosen")
    for (name, a, b) in [("bio", whole.bio, part.bio), ("ocn", whole.ocn, part.ocn), ("fossil", whole.fossil, part.fossil),
                         ("fire", whole.fire, part.fire)] {
        let wrong = a.indices.filter { chosen.contains($0) ? a[$0].bitPattern != b[$0].bitPattern : !b[$0].isNaN }
        #expect(wrong.isEmpty, "\(name): \(wrong.count) cells wrong")
    }
}

@Test func fossilHotSpotsSitAtTheCities() throws {
    let domain = try loadDomain("china-64km")
    let flux = try SyntheticPriorFlux(domain: domain)
    let grid = domain.grid
    let areas = grid.cellAreas()
    #expect(flux.fossilSources.contains { $0.name == "Beijing" } && flux.fossilSources.contains { $0.name == "Tokyo" })
    let beijing = cellIndex(grid, latitude: 39.9, longitude: 116.4)
    let tibet = cellIndex(grid, latitude: 33.0, longitude: 88.0)
    #expect(flux.fossilAnnualMean[beijing] > 5)
    #expect(flux.fossilAnnualMean[tibet] < 0.01)
    // Sources inside the grid emit their totals exactly (kernels normalised on the grid).
    let total = zip(flux.fossilAnnualMean, areas).reduce(0) { $0 + $1.0 * $1.1 }
        * SyntheticPriorFlux.secondsPerYear * SyntheticPriorFlux.gramsCarbonPerMicromole / 1e12
    let expected = flux.fossilSources.reduce(0) { $0 + $1.annualEmission }
    #expect(abs(total - expected) < 1e-9 * expected)
}

@Test func annualBudgetsArePlausible() throws {
    // Every 7th hour of 2016 on the coarse test domain (a 7-hour stride
    // walks through all hours of the day).
    let domain = try loadDomain("test-small")
    let flux = try SyntheticPriorFlux(domain: domain)
    let budget = flux.annualBudget(year: 2016, strideHours: 7)
    #expect(budget.bio < -0.2 && budget.bio > -3)
    #expect(abs(budget.ocn) < 0.3)
    #expect(budget.fossil > 2 && budget.fossil < 5)
    #expect(budget.fire > 0 && budget.fire < 0.3)
}

@Test func backgroundGrowsAbout2point3PpmPerYearWithANorthSouthGradient() throws {
    func annualMean(_ year: Int, latitude: Double, height: Double = 10) -> Double {
        let start = ModelHour(year: year, month: 1, day: 1), end = ModelHour(year: year + 1, month: 1, day: 1)
        let hours = stride(from: start, to: end, by: 6).map { SyntheticBackground.mixingRatio(latitude: latitude, height: height, hours: SyntheticClimate.hours($0)) }
        return hours.reduce(0, +) / Double(hours.count)
    }
    let growth = annualMean(2017, latitude: 40) - annualMean(2016, latitude: 40)
    #expect(abs(growth - 2.3) < 0.02)
    #expect(abs(annualMean(2016, latitude: 20) - 402.8) < 1)
    #expect(annualMean(2016, latitude: 45) > annualMean(2016, latitude: 10))
    // Seasonal cycle: maximum in May, minimum at the end of September, peak to
    // peak 2 × 7.5 ppm at 50° N near the ground (less the growth between the
    // two dates) and much less in the tropics.
    func seasonalRange(latitude: Double) -> (max: Int, min: Int, range: Double) {
        let days = (0..<366).map { day in
            SyntheticBackground.mixingRatio(latitude: latitude, height: 0,
                                            hours: SyntheticClimate.hours(ModelHour(year: 2016, month: 1, day: 1).advanced(by: 24 * day)))
        }
        return (days.indices.max { days[$0] < days[$1] }!, days.indices.min { days[$0] < days[$1] }!, days.max()! - days.min()!)
    }
    let north = seasonalRange(latitude: 50), tropics = seasonalRange(latitude: 10)
    #expect((125...145).contains(north.max) && (255...275).contains(north.min))
    #expect(abs(north.range - (15 - 2.3 * Double(north.min - north.max) / 365.2425)) < 0.1)
    #expect(tropics.range < north.range / 3)

    let domain = try loadDomain("test-small")
    let field = SyntheticBackground(domain: domain).field(at: ModelHour(year: 2016, month: 3, day: 1))
    let cells = domain.grid.cellCount
    #expect(field.count == cells * domain.layers.count)
    #expect(field.allSatisfy { $0 > 390 && $0 < 420 })
    // Vertical gradient: the top layer is lower than the surface.
    #expect(field[(domain.layers.count - 1) * cells] < field[0])
}

@Test func climateSunAndSeasonsAreRight() {
    // Local noon at 116° E is 04:16 UTC; the sun is up at noon and down at midnight.
    let noon = SyntheticClimate.hours(ModelHour(year: 2016, month: 6, day: 21, hour: 4), plus: 0.27)
    #expect(SyntheticClimate.cosSolarZenith(latitude: 39.9, longitude: 116.4, noon) > 0.95)
    #expect(SyntheticClimate.cosSolarZenith(latitude: 39.9, longitude: 116.4, noon + 12) < -0.3)
    let january = SyntheticClimate.hours(ModelHour(year: 2016, month: 1, day: 20))
    let july = SyntheticClimate.hours(ModelHour(year: 2016, month: 7, day: 20))
    #expect(SyntheticClimate.dailyMeanSurfaceTemperature(latitude: 45, january) < 265)
    #expect(SyntheticClimate.dailyMeanSurfaceTemperature(latitude: 45, july) > 290)
}

/// The meteorology and the prior make the hour's and the cell's trigonometry
/// once (`Moment`, `Place`); the values must be the formulas' bit for bit.
@Test func hourAndPlaceTermsGiveTheFormulasValues() {
    for (latitude, longitude) in [(39.9, 116.4), (-3.2, 71.0), (52.5, 133.25)] {
        let place = SyntheticClimate.Place(latitude: latitude, longitude: longitude)
        for hour in stride(from: 0.0, to: 8784, by: 173.5) {
            let t = SyntheticClimate.hours(ModelHour(year: 2016, month: 1, day: 1), plus: hour)
            let moment = SyntheticClimate.Moment(t)
            let φ = latitude * .pi / 180, δ = SyntheticClimate.solarDeclination(t)
            for lag in [0, 1.5] {
                let h = (SyntheticClimate.localSolarTime(longitude: longitude, t) - lag - 12) * Double.pi / 12
                let direct = sin(φ) * sin(δ) + cos(φ) * cos(δ) * cos(h)
                #expect(SyntheticClimate.cosSolarZenith(at: place, moment, lagHours: lag).bitPattern == direct.bitPattern)
            }
            let mean = (latitude < 15 ? 300 : 300 - 0.6 * (latitude - 15))
                - 0.45 * max(0, latitude - 5) * cos(SyntheticClimate.annualPhase(t))
            #expect(SyntheticClimate.dailyMeanSurfaceTemperature(latitude: latitude, moment).bitPattern == mean.bitPattern)
        }
    }
}

@Test func budgetCommandPrintsTheModelsAnnualTotals() throws {
    let path = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path
    let result = try TestEnvironment.rcas(["world", "budget", "--domain", path, "--year", "2016", "--stride-hours", "23"])
    #expect(result.status == 0, "\(result.stderr)")
    let budget = try SyntheticPriorFlux(domain: try loadDomain("test-small")).annualBudget(year: 2016, strideHours: 23)
    let row = "whole domain".padding(toLength: 36, withPad: " ", startingAt: 0)
        + String(format: " %8.3f %8.3f %8.3f %8.3f %8.3f", budget.bio, budget.ocn, budget.fossil, budget.fire, budget.total)
    #expect(result.stdout.contains(row))
    let bad = try TestEnvironment.rcas(["world", "budget", "--domain", path, "--stride-hours", "0"])
    #expect(bad.status != 0)
}

@Test func writeCommandStoresTheWorldsFields() throws {
    let path = try TestEnvironment.temporaryDirectory("world-write").appendingPathComponent("world.nc").path
    let domainPath = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path
    let result = try TestEnvironment.rcas(["world", "write", "--domain", domainPath, "--start", "2016-04-01T12",
                                           "--hours", "2", "--output", path])
    #expect(result.status == 0, "\(result.stderr)")
    let domain = try loadDomain("test-small")
    let second = ModelHour(year: 2016, month: 4, day: 1, hour: 13)
    let file = try NetCDFFile.open(path)
    defer { file.close() }
    let n = domain.grid.cellCount, nz = domain.layers.count
    let flux = try SyntheticPriorFlux(domain: domain).components(at: second)
    #expect(try file.root.variable("bio").read(Double.self, start: [1, 0, 0], count: [1, 16, 20]) == flux.bio)
    #expect(try file.root.variable("fossil").read(Double.self, start: [1, 0, 0], count: [1, 16, 20]) == flux.fossil)
    #expect(try file.root.variable("co2_background").read(Double.self, start: [1, 0, 0, 0], count: [1, nz, 16, 20])
            == SyntheticBackground(domain: domain).field(at: second))
    #expect(try file.root.variable("land_fraction").read(Double.self).count == n)
}
