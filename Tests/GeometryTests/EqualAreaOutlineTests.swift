import Foundation
import Geometry
import Testing

@Suite struct EqualAreaOutlineTests {
    let radius = 6_370_000.0

    /// A latitude/longitude cell has the exact area R² Δλ (sin φ₁ − sin φ₀).
    func rectangle(_ west: Double, _ east: Double, _ south: Double, _ north: Double) -> EqualAreaPolygon {
        let μ0 = sin(south * .pi / 180), μ1 = sin(north * .pi / 180)
        return EqualAreaPolygon([EqualAreaPoint(longitude: west, sineLatitude: μ0), EqualAreaPoint(longitude: east, sineLatitude: μ0),
                                 EqualAreaPoint(longitude: east, sineLatitude: μ1), EqualAreaPoint(longitude: west, sineLatitude: μ1)])
    }

    func exactArea(_ west: Double, _ east: Double, _ south: Double, _ north: Double) -> Double {
        radius * radius * (east - west) * .pi / 180 * (sin(north * .pi / 180) - sin(south * .pi / 180))
    }

    @Test func latitudeLongitudeCellsHaveTheirSphericalArea() {
        let cell = rectangle(110, 111, 35, 36)
        #expect(abs(cell.area(radius: radius) / exactArea(110, 111, 35, 36) - 1) < 1e-12)
        // The whole sphere: 4πR².
        #expect(abs(rectangle(-180, 180, -90, 90).area(radius: radius) / (4 * .pi * radius * radius) - 1) < 1e-12)
    }

    @Test func clippingTwoRectanglesGivesTheirIntersection() {
        let a = rectangle(100, 120, 20, 40)
        let clipped = a.clipped(longitudes: 115...130, sineLatitudes: sin(30 * .pi / 180)...sin(50 * .pi / 180))
        #expect(abs(clipped.area(radius: radius) / exactArea(115, 120, 30, 40) - 1) < 1e-12)
        #expect(a.clipped(longitudes: 121...130, sineLatitudes: -1...1).area(radius: radius) == 0)
    }

    @Test func clippingAConcavePolygonKeepsTheRightArea() {
        // An L shape: [0,2]x[0,1] plus [0,1]x[1,2] in (λ, μ) units.
        let l = EqualAreaPolygon([(0.0, 0.0), (2, 0), (2, 1), (1, 1), (1, 2), (0, 2)].map {
            EqualAreaPoint(longitude: $0.0, sineLatitude: $0.1 / 4)
        })
        let unit = radius * radius * .pi / 180 / 4
        #expect(abs(l.area(radius: radius) / (3 * unit) - 1) < 1e-12)
        // Clipping away the middle column leaves the two separate squares' parts.
        let right = l.clipped(longitudes: 0.5...2, sineLatitudes: -1...1)
        #expect(abs(right.area(radius: radius) / (2 * unit) - 1) < 1e-12)
    }

    /// The outlines' areas agree with the grid's quadrature areas (an
    /// independent method: Gauss-Legendre integration of 1/k²).
    @Test(arguments: ["china-64km", "test-small"])
    func outlineAreasMatchTheQuadratureAreas(name: String) throws {
        let grid = try loadDomain(name).grid
        let outlines = try GridCellOutlines(grid: grid)
        var worst = 0.0
        for j in 0..<grid.ny { for i in 0..<grid.nx {
            let a = outlines.area(i, j), b = grid.cellArea(i, j)
            worst = max(worst, abs(a - b) / b)
        } }
        #expect(worst < 3e-6, "largest relative difference \(worst)")
    }

    /// Polar grids: the pole at a cell corner (even counts, centred) and
    /// inside a cell (odd counts, centred). Sides passing near the pole curve
    /// strongly in the equal-area plane and need many chords, hence the wider
    /// tolerance (measured: 4.4e-5 in the cell holding the pole).
    @Test(arguments: [(nx: 8, ny: 6), (nx: 7, ny: 5)])
    func cellsTouchingOrHoldingThePoleHaveTheirArea(size: (nx: Int, ny: Int)) throws {
        let projection = Projection(.northPolarStereographic(standardParallel: 60, centralLongitude: -45))
        let d = 200_000.0
        let grid = HorizontalGrid(projection: projection, nx: size.nx, ny: size.ny, dx: d, dy: d,
                                  xOrigin: -Double(size.nx) * d / 2, yOrigin: -Double(size.ny) * d / 2)
        let outlines = try GridCellOutlines(grid: grid)
        for j in 0..<grid.ny { for i in 0..<grid.nx {
            let a = outlines.area(i, j), b = grid.cellArea(i, j)
            #expect(a > 0 && abs(a - b) / b < 5e-5, "cell (\(i), \(j)): outline \(a), quadrature \(b)")
        } }
    }

    @Test func aPoleOnAGridLineBetweenSamplesIsRefused() {
        let projection = Projection(.northPolarStereographic(standardParallel: 60, centralLongitude: 0))
        // The pole sits on the line x = 0, a third of the way up a cell side.
        let grid = HorizontalGrid(projection: projection, nx: 2, ny: 2, dx: 300_000, dy: 300_000,
                                  xOrigin: -300_000, yOrigin: -400_000)
        #expect(throws: GridOutlineError.self) { try GridCellOutlines(grid: grid, pointsPerEdge: 2, sliverFraction: 1e-7) }
        #expect(throws: Never.self) { try GridCellOutlines(grid: grid, pointsPerEdge: 3, sliverFraction: 1e-7) }
    }

    @Test func lambertCellsMatchTheQuadratureAreas() throws {
        let projection = Projection(.lambertConformal(standardParallel1: 25, standardParallel2: 47,
                                                      latitudeOfOrigin: 36, centralLongitude: 105))
        let grid = HorizontalGrid(projection: projection, nx: 30, ny: 20, dx: 150_000, dy: 150_000,
                                  xOrigin: -2_250_000, yOrigin: -1_500_000)
        let outlines = try GridCellOutlines(grid: grid)
        let total = (0..<grid.ny).flatMap { j in (0..<grid.nx).map { outlines.area($0, j) } }.reduce(0, +)
        let reference = grid.cellAreas().reduce(0, +)
        #expect(abs(total - reference) / reference < 3e-6)
    }
}
