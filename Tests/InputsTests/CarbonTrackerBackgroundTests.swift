import Foundation
import Geometry
import Inputs
import ModelTime
import Testing

/// Two days of undamaged mole-fraction files, written once.
let twoDaysOfMoleFractions = Result { try writeCarbonTracker("molefractions", ["--days", "2"]) }

/// CarbonTracker mole-fraction files from carbontracker.py: co2 = 400 +
/// 0.05 lat + 0.01 lon − 0.0005 z + 0.01 t (z m above the ground, t hours
/// since 2016-01-01 00 UTC), stored as float32.
@Suite struct CarbonTrackerBackgroundTests {
    let start = ModelHour(year: 2016, month: 1, day: 1)

    static func analytic(_ point: GeoPoint, height: Double, hours: Double) -> Double {
        400 + 0.05 * point.latitude + 0.01 * point.longitude - 0.0005 * height + 0.01 * hours
    }

    func background(_ folder: URL, domain: String = "test-small") throws -> any BackgroundProvider {
        try BackgroundSettings(source: .carbonTracker(.directory(folder.path, pattern: "CT2019B.molefrac_glb3x2_*.nc")))
            .makeProvider(domain: loadDomain(domain))
    }

    /// The ghost-cell centres one cell outside the domain, in BoundaryValues order.
    func ghostCentres(_ grid: HorizontalGrid) -> (west: [GeoPoint], east: [GeoPoint], south: [GeoPoint], north: [GeoPoint]) {
        func point(_ i: Int, _ j: Int) -> GeoPoint {
            grid.projection.inverse(x: grid.xOrigin + (Double(i) + 0.5) * grid.dx, y: grid.yOrigin + (Double(j) + 0.5) * grid.dy)
        }
        return ((0..<grid.ny).map { point(-1, $0) }, (0..<grid.ny).map { point(grid.nx, $0) },
                (0..<grid.nx).map { point($0, -1) }, (0..<grid.nx).map { point($0, grid.ny) })
    }

    /// A field linear in latitude, longitude, height above ground and time is
    /// reproduced at every cell, layer and ghost cell, between two stamps of
    /// one file and across the midnight between two files. Tolerance 5e-5
    /// ppm: the files store float32 (a unit in the last place of 400 is 3e-5;
    /// measured: 1.5e-5).
    @Test(arguments: [("test-small", 12), ("test-small", 24), ("china-64km", 17)])
    func initialAndBoundaryFieldsReproduceALinearField(domain name: String, hour: Int) throws {
        let (folder, _) = try twoDaysOfMoleFractions.get()
        let domain = try loadDomain(name)
        let grid = domain.grid, layers = domain.layers
        let provider = try background(folder, domain: name)
        let time = start.advanced(by: hour)
        let field = try provider.initialField(at: time)
        #expect(field.count == grid.cellCount * layers.count)
        var worst = 0.0
        let centres = grid.centers()
        for k in 0..<layers.count {
            for c in 0..<grid.cellCount {
                let expected = Self.analytic(centres[c], height: layers.midHeight(k), hours: Double(hour))
                worst = max(worst, abs(field[k * grid.cellCount + c] - expected))
            }
        }
        let ring = try provider.boundary(at: time)
        let ghosts = ghostCentres(grid)
        for k in 0..<layers.count {
            let z = layers.midHeight(k)
            for j in 0..<grid.ny {
                worst = max(worst, abs(ring.value(-1, j, k) - Self.analytic(ghosts.west[j], height: z, hours: Double(hour))))
                worst = max(worst, abs(ring.value(grid.nx, j, k) - Self.analytic(ghosts.east[j], height: z, hours: Double(hour))))
            }
            for i in 0..<grid.nx {
                worst = max(worst, abs(ring.value(i, -1, k) - Self.analytic(ghosts.south[i], height: z, hours: Double(hour))))
                worst = max(worst, abs(ring.value(i, grid.ny, k) - Self.analytic(ghosts.north[i], height: z, hours: Double(hour))))
            }
        }
        print("background: \(name) at hour \(hour): largest difference from the analytic field \(worst) ppm")
        #expect(worst < 5e-5)
    }

    /// The ring of a region interpolates only the ghost cells next to it:
    /// bit for bit the whole ring's there and NaN elsewhere, at the first
    /// stamp's hour and between stamps.
    @Test func ringOfARegionIsTheWholeRingsNextToItAndNaNElsewhere() throws {
        let (folder, _) = try twoDaysOfMoleFractions.get()
        let grid = try loadDomain("test-small").grid
        for hour in [1, 13] {
            let time = start.advanced(by: hour)
            for region in regionsTouchingTheEdges(grid) {
                let part = try background(folder).boundary(at: time, region: region)
                expectRing(part, matches: try background(folder).boundary(at: time), nextTo: region)
            }
        }
    }

    /// Within half a step before the first stamp (01:30) the first stamp is
    /// used; half a step after the last (22:30 of day 2) the last one; beyond
    /// that the hour is refused.
    @Test func theEndsOfTheFilesAreHeldAndBeyondThemRefused() throws {
        let (folder, _) = try twoDaysOfMoleFractions.get()
        let provider = try background(folder)
        let grid = try loadDomain("test-small").grid
        let layers = try loadDomain("test-small").layers
        let first = try provider.initialField(at: start)
        #expect(abs(first[0] - Self.analytic(grid.center(0, 0), height: layers.midHeight(0), hours: 1.5)) < 5e-5)
        let last = try provider.initialField(at: start.advanced(by: 48))
        #expect(abs(last[0] - Self.analytic(grid.center(0, 0), height: layers.midHeight(0), hours: 46.5)) < 5e-5)
        expectError(containing: ["background", "2016-01-03T01:00:00Z", "not covered"]) { _ = try provider.boundary(at: start.advanced(by: 49)) }
        expectError(containing: ["2015-12-31T22:00:00Z", "not covered"]) { _ = try provider.initialField(at: start.advanced(by: -2)) }
    }

    @Test func aMissingDayIsNamed() throws {
        let (folder, _) = try writeCarbonTracker("molefractions", ["--days", "3", "--damage", "gap"])
        let provider = try background(folder)
        _ = try provider.initialField(at: start.advanced(by: 23))
        expectError(containing: ["2016-01-02T12:00:00Z", "jump from 2016-01-01T22:30:00Z", "CT2019B.molefrac_glb3x2_2016-01-03.nc"]) {
            _ = try provider.boundary(at: start.advanced(by: 36))
        }
    }

    @Test(arguments: [("nan", "NaN"), ("default-fill", "the NetCDF default fill value"), ("missing", "_FillValue/missing_value"),
                      ("inf", "infinite"), ("huge", "outside the plausible range 250.0...1000.0 ppm")])
    func badValuesAreNamed(damage: String, reason: String) throws {
        let (folder, _) = try writeCarbonTracker("molefractions", ["--days", "1", "--damage", damage])
        let provider = try background(folder)
        _ = try provider.initialField(at: start.advanced(by: 6))   // stamps 04:30 and 07:30
        expectError(containing: ["CT2019B.molefrac_glb3x2_2016-01-01.nc", "co2", "[time 3, level 0, latitude 62, longitude 98]", reason]) {
            _ = try provider.boundary(at: start.advanced(by: 9))
        }
    }

    @Test func aMissingVariableOrWrongDimensionsFailWhenTheProviderIsMade() throws {
        let (dropped, _) = try writeCarbonTracker("molefractions", ["--days", "1", "--damage", "drop"])
        expectError(containing: ["CT2019B.molefrac_glb3x2_2016-01-01.nc", "'gph'", "variable not found"]) { _ = try background(dropped) }
        let (transposed, _) = try writeCarbonTracker("molefractions", ["--days", "1", "--damage", "transposed"])
        expectError(containing: ["CT2019B.molefrac_glb3x2_2016-01-01.nc", "co2", "must end with latitude, longitude"]) {
            _ = try background(transposed)
        }
    }

    /// CarbonTracker's North-American 1° zoom files cannot give China's background.
    @Test func aGridThatDoesNotCoverTheDomainIsRefused() throws {
        let (folder, _) = try writeCarbonTracker("molefractions", ["--days", "1", "--grid", "nam1x1"])
        expectError(containing: ["CT2019B.molefrac_nam1x1_2016-01-01.nc", "does not cover domain cell (0, 0)"]) {
            _ = try BackgroundSettings(source: .carbonTracker(.directory(folder.path, pattern: "*.nc"))).makeProvider(domain: loadDomain("test-small"))
        }
    }

    /// `rcas inputs check`: the area-weighted layer-1 mean of the initial field.
    @Test func inputCheckReportsTheFirstLayerMean() throws {
        let (folder, _) = try twoDaysOfMoleFractions.get()
        let domain = try loadDomain("test-small")
        let mean = try InputCheck.initialMeanFirstLayer(background(folder), grid: domain.grid, time: start.advanced(by: 12))
        let areas = domain.grid.cellAreas()
        let expected = zip(domain.grid.centers(), areas).reduce(0) {
            $0 + $1.1 * Self.analytic($1.0, height: domain.layers.midHeight(0), hours: 12)
        } / areas.reduce(0, +)
        #expect(abs(mean - expected) < 5e-5)
    }
}
