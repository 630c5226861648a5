import Geometry
import Inputs
import ModelTime
import SyntheticWorld
import Testing

@Suite struct BoundaryValuesTests {
    @Test func edgesOfAFieldAreTheOutermostCellsOfEachSide() {
        let nx = 3, ny = 2, nz = 2
        // value = 100 k + 10 j + i identifies every cell.
        var field: [Double] = []
        for k in 0..<nz { for j in 0..<ny { for i in 0..<nx { field.append(Double(100 * k + 10 * j + i)) } } }
        let ring = BoundaryValues(edgesOf: field, nx: nx, ny: ny, nz: nz)
        #expect(ring.value(-1, 1, 1) == 110)   // west ghost of (0, 1, 1)
        #expect(ring.value(nx, 0, 0) == 2)     // east ghost of (2, 0, 0)
        #expect(ring.value(2, -1, 1) == 102)   // south ghost of (2, 0, 1)
        #expect(ring.value(1, ny, 0) == 11)    // north ghost of (1, 1, 0)
    }

    /// The synthetic background's ring of a region: the whole ring's values
    /// next to the region, NaN elsewhere.
    @Test func ringOfARegionIsTheWholeRingsNextToItAndNaNElsewhere() throws {
        let domain = try loadDomain("test-small")
        let background = SyntheticBackground(domain: domain)
        let time = ModelHour(year: 2016, month: 7, day: 1, hour: 5)
        for region in regionsTouchingTheEdges(domain.grid) {
            expectRing(try background.boundary(at: time, region: region), matches: try background.boundary(at: time), nextTo: region)
        }
    }
}

/// Regions that touch one, two or no sides of the grid.
func regionsTouchingTheEdges(_ grid: HorizontalGrid) -> [CellRegion] {
    let nx = grid.nx, ny = grid.ny
    return [CellRegion(i: 0..<(nx / 2), j: 0..<ny), CellRegion(i: (nx / 2)..<nx, j: 2..<(ny - 3)),
            CellRegion(i: 3..<(nx - 2), j: 4..<ny), CellRegion(i: 2..<5, j: 2..<5)]
}

/// Every ghost cell whose edge cell lies in `region` has the whole ring's
/// value bit for bit; every other is NaN.
func expectRing(_ part: BoundaryValues, matches whole: BoundaryValues, nextTo region: CellRegion,
                sourceLocation: SourceLocation = #_sourceLocation) {
    let nx = whole.nx, ny = whole.ny
    let ghosts = (0..<ny).flatMap { [(-1, $0, 0, $0), (nx, $0, nx - 1, $0)] }
        + (0..<nx).flatMap { [($0, -1, $0, 0), ($0, ny, $0, ny - 1)] }
    var wrong = 0
    for k in 0..<whole.nz {
        for (i, j, ei, ej) in ghosts {
            let value = part.value(i, j, k)
            let right = region.contains(i: ei, j: ej) ? value.bitPattern == whole.value(i, j, k).bitPattern : value.isNaN
            if !right { wrong += 1 }
        }
    }
    #expect(wrong == 0, "\(wrong) ghost values wrong for \(region)", sourceLocation: sourceLocation)
}
