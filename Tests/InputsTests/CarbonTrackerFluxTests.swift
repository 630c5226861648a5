import Foundation
import Geometry
import Inputs
import SyntheticWorld
import ModelTime
import Testing

/// Two days of undamaged flux files, written once for the tests that only read them.
let twoDaysOfFluxes = Result { try writeCarbonTracker("fluxes", ["--days", "2"]) }

/// CarbonTracker flux files as carbontracker.py writes them (values in its
/// docstring), read on test-small.
@Suite struct CarbonTrackerFluxTests {
    let start = ModelHour(year: 2016, month: 1, day: 1)

    func provider(_ folder: URL, pattern: String = "CT2019B.flux1x1.*.nc") throws -> any PriorFluxProvider {
        try PriorFluxSettings(source: .carbonTracker(.directory(folder.path, pattern: pattern)))
            .makeProvider(domain: loadDomain("test-small"))
    }

    /// The exact latitude/longitude area of the fire cell 39-40° N, 116-117° E.
    func fireCellArea(_ grid: HorizontalGrid) -> Double {
        let r = grid.projection.earthRadius
        return r * r * .pi / 180 * (sin(40 * .pi / 180) - sin(39 * .pi / 180))
    }

    /// Every hour takes its 3-hour period: bio 2 (1 + 0.1 k), ocean −0.1,
    /// fossil 0.3 (1 + 0.05 k) µmol m⁻² s⁻¹ everywhere (k = hour / 3), and
    /// the fire cell's 5 µmol m⁻² s⁻¹ keeps its total.
    @Test func eachHourTakesItsThreeHourPeriod() throws {
        let (folder, files) = try twoDaysOfFluxes.get()
        #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["CT2019B.flux1x1.20160101.nc", "CT2019B.flux1x1.20160102.nc"])
        let flux = try provider(folder)
        let grid = try loadDomain("test-small").grid
        let areas = grid.cellAreas()
        for h in 0..<48 {
            let k = Double(h / 3)
            let f = try flux.fluxes(at: start.advanced(by: h))
            #expect(f.time == start.advanced(by: h))
            #expect(f.bio.allSatisfy { abs($0 / (2 * (1 + 0.1 * k)) - 1) < 1e-6 }, "hour \(h)")
            #expect(f.ocn.allSatisfy { abs($0 / -0.1 - 1) < 1e-6 })
            #expect(f.fossil.allSatisfy { abs($0 / (0.3 * (1 + 0.05 * k)) - 1) < 1e-6 })
            let fire = zip(f.fire, areas).reduce(0) { $0 + $1.0 * $1.1 }
            #expect(abs(fire / (5 * fireCellArea(grid)) - 1) < 1e-5)
        }
    }

    @Test func hoursOutsideTheFilesAreRefused() throws {
        let (folder, _) = try twoDaysOfFluxes.get()
        let flux = try provider(folder)
        expectError(containing: ["prior flux component biosphere", "2016-01-03T00:00:00Z", "not covered"]) {
            _ = try flux.fluxes(at: start.advanced(by: 48))
        }
        expectError(containing: ["2015-12-31T23:00:00Z", "not covered"]) { _ = try flux.fluxes(at: start.advanced(by: -1)) }
    }

    @Test func aMissingDayIsNamed() throws {
        let (folder, _) = try writeCarbonTracker("fluxes", ["--days", "3", "--damage", "gap"])
        let flux = try provider(folder)
        _ = try flux.fluxes(at: start.advanced(by: 23))
        _ = try flux.fluxes(at: start.advanced(by: 48))
        expectError(containing: ["2016-01-02T06:00:00Z", "jump from 2016-01-02T00:00:00Z", "CT2019B.flux1x1.20160101.nc",
                                 "CT2019B.flux1x1.20160103.nc"]) { _ = try flux.fluxes(at: start.advanced(by: 30)) }
    }

    /// The pre-2016 layout (date axis, lat/lon, fossil_imp) reads the same.
    @Test func theOldLayoutReadsTheSame() throws {
        let (new, _) = try twoDaysOfFluxes.get()
        let (old, _) = try writeCarbonTracker("fluxes", ["--days", "1", "--old-layout"])
        let a = try provider(new), b = try provider(old)
        for h in [0, 5, 23] { #expect(try a.fluxes(at: start.advanced(by: h)) == b.fluxes(at: start.advanced(by: h))) }
        #expect(b.componentSources[.fossil]!.contains("fossil_imp"))
    }

    /// Bad values in a file: the error names the file, the variable, the
    /// index and the value, when the period holding them is read.
    @Test(arguments: [("nan", "NaN"), ("default-fill", "the NetCDF default fill value"), ("missing", "_FillValue/missing_value"),
                      ("inf", "infinite"), ("huge", "implausible flux")])
    func badValuesAreNamed(damage: String, reason: String) throws {
        let (folder, _) = try writeCarbonTracker("fluxes", ["--days", "1", "--damage", damage])
        let flux = try provider(folder)
        _ = try flux.fluxes(at: start.advanced(by: 5))
        expectError(containing: ["CT2019B.flux1x1.20160101.nc", "fossil_flux_imp", "[time 2, latitude 125, longitude 296]", reason]) {
            _ = try flux.fluxes(at: start.advanced(by: 6))
        }
    }

    /// A rank's cells: the whole grid's fluxes there bit for bit and NaN
    /// elsewhere. Only the block those cells overlap is read and checked, so
    /// a bad value outside it is not seen, and inside it is named as before.
    @Test func fluxesOfSomeCellsAreTheWholeGridsThereAndNaNElsewhere() throws {
        let grid = try loadDomain("test-small").grid
        let fireCell = try #require(grid.cell(containing: GeoPoint(latitude: 39.5, longitude: 116.5)))
        let west = (0..<grid.ny).flatMap { j in (0..<7).map { grid.index($0, j) } }
        let cells = Array((west + [grid.index(fireCell.i, fireCell.j)]).reversed())
        let (folder, _) = try twoDaysOfFluxes.get()
        let whole = try provider(folder), part = try provider(folder)
        for h in [0, 7, 7, 30] {
            let a = try whole.fluxes(at: start.advanced(by: h)), b = try part.fluxes(at: start.advanced(by: h), cells: cells)
            for (x, y) in [(a.bio, b.bio), (a.ocn, b.ocn), (a.fossil, b.fossil), (a.fire, b.fire)] {
                for c in 0..<grid.cellCount {
                    #expect(cells.contains(c) ? x[c].bitPattern == y[c].bitPattern : y[c].isNaN, "hour \(h), cell \(c)")
                }
            }
            #expect(b.fire.filter { !$0.isNaN }.reduce(0, +) > 0)
        }
        let (damaged, _) = try writeCarbonTracker("fluxes", ["--days", "1", "--damage", "nan"])
        let hour = start.advanced(by: 6)
        #expect(try provider(damaged).fluxes(at: hour, cells: west).fossil.count == grid.cellCount)
        let hit = try #require(grid.cell(containing: GeoPoint(latitude: 35.5, longitude: 116.5)))
        expectError(containing: ["CT2019B.flux1x1.20160101.nc", "fossil_flux_imp", "[time 2, latitude 125, longitude 296]", "NaN"]) {
            _ = try provider(damaged).fluxes(at: hour, cells: [grid.index(hit.i, hit.j)])
        }
    }

    @Test func aMissingVariableFailsWhenTheProviderIsMade() throws {
        let (folder, _) = try writeCarbonTracker("fluxes", ["--days", "1", "--damage", "drop"])
        expectError(containing: ["CT2019B.flux1x1.20160101.nc", "fossil_flux_imp' or 'fossil_imp", "variable not found"]) {
            _ = try provider(folder)
        }
    }

    @Test func wrongDimensionsFailWhenTheProviderIsMade() throws {
        let (folder, _) = try writeCarbonTracker("fluxes", ["--days", "1", "--damage", "transposed"])
        expectError(containing: ["CT2019B.flux1x1.20160101.nc", "bio_flux_opt", "(time, longitude, latitude)", "must end with latitude, longitude"]) {
            _ = try provider(folder)
        }
    }

    @Test func missingFilesAreNamed() throws {
        let (folder, _) = try twoDaysOfFluxes.get()
        expectError(containing: [folder.path, "no file matches 'CT2022.*'", "prior_flux"]) { _ = try provider(folder, pattern: "CT2022.*") }
        let missing = folder.appendingPathComponent("CT2019B.flux1x1.20160105.nc").path
        expectError(containing: [missing, "does not exist"]) {
            _ = try PriorFluxSettings(source: .carbonTracker(.list([missing]))).makeProvider(domain: loadDomain("test-small"))
        }
    }

    /// `rcas inputs check` numbers: Tg C per year at the first hour's rate.
    @Test func inputCheckReportsDomainTotals() throws {
        let (folder, _) = try twoDaysOfFluxes.get()
        let grid = try loadDomain("test-small").grid
        let report = try InputCheck.priorFlux(provider(folder), grid: grid, hour: start)
        #expect(report.map(\.component) == [.biosphere, .ocean, .fossil, .fire])
        let area = grid.cellAreas().reduce(0, +)
        // µmol m⁻² s⁻¹ x m² x s/yr x g C/µmol / (g/Tg).
        func teragrams(_ flux: Double, _ area: Double) -> Double { flux * area * 365.2425 * 86_400 * 12.011e-6 / 1e12 }
        #expect(abs(report[0].domainTotalTgCPerYear / teragrams(2, area) - 1) < 1e-6)
        #expect(abs(report[1].domainTotalTgCPerYear / teragrams(-0.1, area) - 1) < 1e-6)
        #expect(abs(report[3].domainTotalTgCPerYear / teragrams(5, fireCellArea(grid)) - 1) < 1e-5)
        #expect(report[0].source.contains("bio_flux_opt") && report[0].source.contains("3-hourly"))
    }

    /// Several threads asking for hours at once get what one thread gets.
    @Test func concurrentCallersGetTheSameFluxes() throws {
        let (folder, _) = try twoDaysOfFluxes.get()
        let shared = try provider(folder)
        let single = try provider(folder)
        let reference = try (0..<24).map { try single.fluxes(at: start.advanced(by: $0)) }
        nonisolated(unsafe) var results = [FluxComponents?](repeating: nil, count: 24)
        let lock = NSLock()
        DispatchQueue.concurrentPerform(iterations: 24) { h in
            let f = try? shared.fluxes(at: start.advanced(by: (h * 7) % 24))
            lock.lock(); results[(h * 7) % 24] = f; lock.unlock()
        }
        #expect(results == reference.map { Optional($0) })
    }
}
