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
}
