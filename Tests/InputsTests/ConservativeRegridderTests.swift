import Foundation
import Geometry
import Inputs
import Testing
import TestSupport

func loadDomain(_ name: String) throws -> Domain {
    try Domain.load(TestEnvironment.packageRoot.appendingPathComponent("Domains/\(name)").path)
}

/// CarbonTracker's global 1° x 1° flux grid: centres -89.5 ... 89.5, -179.5 ... 179.5.
func carbonTrackerFluxGrid() throws -> LatLonGrid {
    try LatLonGrid(latitudes: (0..<180).map { -89.5 + Double($0) }, longitudes: (0..<360).map { -179.5 + Double($0) })
}

/// china-64km and its regridder from CarbonTracker's 1° grid, built once for
/// all tests (seconds in a debug build).
let chinaFromCarbonTracker = Result { () throws -> (grid: HorizontalGrid, regridder: ConservativeRegridder) in
    let grid = try loadDomain("china-64km").grid
    return (grid, try ConservativeRegridder(from: carbonTrackerFluxGrid(), to: grid))
}

/// A fixed irregular value for source cell `cell`, in [0.5, 1.5).
func irregular(_ cell: Int) -> Double {
    let x = sin(Double(cell) * 12.9898 + 78.233) * 43758.5453
    return 0.5 + (x - x.rounded(.down))
}

@Suite struct ConservativeRegridderTests {
    /// The block of source values a regridder reads, from a function of (row, column).
    func block(_ regridder: ConservativeRegridder, _ value: (Int, Int) -> Double) -> [Double] {
        regridder.rows.flatMap { row in regridder.columns.map { value(row, $0) } }
    }

    func domainTotal(_ density: [Double], _ grid: HorizontalGrid) -> Double {
        zip(density, grid.cellAreas()).reduce(0) { $0 + $1.0 * $1.1 }
    }

    @Test func aUniformFluxGivesTheDomainAreaTimesTheFlux() throws {
        let (grid, regridder) = try chinaFromCarbonTracker.get()
        let flux = 2.5
        let density = regridder.regrid(block: block(regridder) { _, _ in flux })
        #expect(density.allSatisfy { abs($0 - flux) < 1e-12 })
        let areas = grid.cellAreas().reduce(0, +)
        #expect(abs(domainTotal(density, grid) / (flux * areas) - 1) < 1e-12)
    }

    /// Irregular values in a 10° x 10° block of whole source cells inside the
    /// domain: the domain total equals the exact latitude/longitude total
    /// Σ F_g A_g (A_g = R² Δλ Δ sin φ). The tolerance covers the outlines'
    /// chords (measured difference: printed by the test).
    @Test(arguments: [("china-64km", 30.0, 105.0), ("test-small", 25.0, 100.0)])
    func aBlockOfSourceCellsKeepsItsTotal(name: String, south: Double, west: Double) throws {
        let source = try carbonTrackerFluxGrid()
        let (grid, regridder) = name == "china-64km" ? try chinaFromCarbonTracker.get()
            : try { let g = try loadDomain(name).grid; return (g, try ConservativeRegridder(from: source, to: g)) }()
        func inBlock(_ row: Int, _ column: Int) -> Bool {
            source.latitudes[row] > south && source.latitudes[row] < south + 10
                && source.longitudes[column] > west && source.longitudes[column] < west + 10
        }
        let density = regridder.regrid(block: block(regridder) { inBlock($0, $1) ? irregular($0 * 360 + $1) : 0 })
        var exact = 0.0
        for row in 0..<180 { for column in 0..<360 where inBlock(row, column) {
            exact += irregular(row * 360 + column) * source.cellArea(row: row, column: column, radius: grid.projection.earthRadius)
        } }
        let difference = abs(domainTotal(density, grid) / exact - 1)
        print("regridding: block total on \(name) differs by \(difference) (relative)")
        #expect(difference < 1e-5)
    }

    /// A flux in the one 1° cell 39-40° N, 116-117° E (Beijing) lands in the
    /// domain cells that overlap that cell, and nowhere else.
    @Test func aFluxInOneSourceCellLandsInTheCellsOverlappingIt() throws {
        let (grid, regridder) = try chinaFromCarbonTracker.get()
        let source = try carbonTrackerFluxGrid()
        let row = 129, column = 296   // centres 39.5° N, 116.5° E
        #expect(source.latitudes[row] == 39.5 && source.longitudes[column] == 116.5)
        let flux = 7.0
        let density = regridder.regrid(block: block(regridder) { $0 == row && $1 == column ? flux : 0 })
        // Where the cell's points project: a dense grid of points inside it.
        var hit = Set<Int>()
        for a in 0..<60 { for b in 0..<60 {
            let point = GeoPoint(latitude: 39 + (Double(a) + 0.5) / 60, longitude: 116 + (Double(b) + 0.5) / 60)
            if let (i, j) = grid.cell(containing: point) { hit.insert(j * grid.nx + i) }
        } }
        let receiving = Set(density.indices.filter { density[$0] != 0 })
        #expect(hit.isSubset(of: receiving))
        // A receiving cell that no sample hit holds at most a sliver of the source cell.
        for c in receiving.subtracting(hit) { #expect(density[c] / flux < 0.02, "cell \(c) gets \(density[c] / flux) of the flux") }
        let exact = flux * source.cellArea(row: row, column: column, radius: grid.projection.earthRadius)
        #expect(abs(domainTotal(density, grid) / exact - 1) < 1e-5)
    }

    /// A global irregular field integrated over a block of domain cells
    /// (i 4..<12, j 3..<9 of test-small, with source cells cut by its edges)
    /// equals the latitude/longitude integral over the same area, measured
    /// independently: each source cell near the block sampled at 32 x 32
    /// points of equal area, a point counting when the forward projection
    /// puts it in the block. The sampling limits the reference to about 1e-4.
    @Test func aGlobalFieldKeepsItsIntegralOverAnyBlockOfDomainCells() throws {
        let grid = try loadDomain("test-small").grid
        let source = try carbonTrackerFluxGrid()
        let regridder = try ConservativeRegridder(from: source, to: grid)
        let density = regridder.regrid(block: block(regridder) { irregular($0 * 360 + $1) })
        let areas = grid.cellAreas()
        let iBlock = 4..<12, jBlock = 3..<9
        var regridded = 0.0
        for j in jBlock { for i in iBlock { regridded += density[j * grid.nx + i] * areas[j * grid.nx + i] } }
        // The block's latitude/longitude extent, from its densely sampled outline, plus 1°.
        var outline: [GeoPoint] = []
        for t in 0...400 {
            let s = Double(t) / 400
            let x0 = grid.xOrigin + Double(iBlock.lowerBound) * grid.dx, x1 = grid.xOrigin + Double(iBlock.upperBound) * grid.dx
            let y0 = grid.yOrigin + Double(jBlock.lowerBound) * grid.dy, y1 = grid.yOrigin + Double(jBlock.upperBound) * grid.dy
            outline += [grid.projection.inverse(x: x0 + s * (x1 - x0), y: y0), grid.projection.inverse(x: x0 + s * (x1 - x0), y: y1),
                        grid.projection.inverse(x: x0, y: y0 + s * (y1 - y0)), grid.projection.inverse(x: x1, y: y0 + s * (y1 - y0))]
        }
        let latitudes = (outline.map(\.latitude).min()! - 1)...(outline.map(\.latitude).max()! + 1)
        let longitudes = (outline.map(\.longitude).min()! - 1)...(outline.map(\.longitude).max()! + 1)
        var reference = 0.0
        let samples = 32
        for row in 0..<180 where latitudes.contains(source.latitudes[row]) {
            let μ0 = sin(source.southEdges[row] * .pi / 180), μ1 = sin(source.northEdges[row] * .pi / 180)
            for column in 0..<360 where longitudes.contains(source.longitudes[column]) {
                var inside = 0
                for a in 0..<samples { for b in 0..<samples {
                    let μ = μ0 + (Double(a) + 0.5) / Double(samples) * (μ1 - μ0)
                    let point = GeoPoint(latitude: asin(μ) * 180 / .pi,
                                         longitude: source.westEdges[column] + (Double(b) + 0.5) / Double(samples))
                    if let (i, j) = grid.cell(containing: point), iBlock.contains(i), jBlock.contains(j) { inside += 1 }
                } }
                guard inside > 0 else { continue }
                reference += irregular(row * 360 + column) * source.cellArea(row: row, column: column, radius: grid.projection.earthRadius)
                    * Double(inside) / Double(samples * samples)
            }
        }
        let difference = abs(regridded / reference - 1)
        print("regridding: block of domain cells differs from the sampled reference by \(difference) (relative)")
        #expect(difference < 5e-4)
    }

    @Test func aGridThatDoesNotCoverTheDomainIsRefused() throws {
        // CarbonTracker's North American 1° zoom region.
        let america = try LatLonGrid(latitudes: (0..<70).map { 10.5 + Double($0) }, longitudes: (0..<120).map { -169.5 + Double($0) })
        do {
            _ = try ConservativeRegridder(from: america, to: loadDomain("test-small").grid)
            Issue.record("accepted a grid over North America for a domain over China")
        } catch let error as RegriddingError {
            #expect(error.description.contains("must cover the whole domain"))
        }
    }

    /// Longitudes 0.5 ... 359.5 (instead of -179.5 ... 179.5) give the same weights' results.
    @Test func longitudesFrom0To360GiveTheSameResult() throws {
        let grid = try loadDomain("test-small").grid
        let a = try ConservativeRegridder(from: carbonTrackerFluxGrid(), to: grid)
        let shifted = try LatLonGrid(latitudes: (0..<180).map { 89.5 - Double($0) }, longitudes: (0..<360).map { 0.5 + Double($0) })
        let b = try ConservativeRegridder(from: shifted, to: grid)
        // The same physical field: value by (latitude, longitude).
        func field(_ latitude: Double, _ longitude: Double) -> Double { irregular(Int((latitude + 90) * 1000 + (longitude + 360).truncatingRemainder(dividingBy: 360))) }
        let carbonTracker = try carbonTrackerFluxGrid()
        let x = a.regrid(block: block(a) { field(carbonTracker.latitudes[$0], carbonTracker.longitudes[$1]) })
        let y = b.regrid(block: block(b) { field(shifted.latitudes[$0], shifted.longitudes[$1]) })
        #expect(zip(x, y).allSatisfy { abs($0 - $1) < 1e-12 })
    }
}
