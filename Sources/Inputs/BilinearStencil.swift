import Foundation
import Geometry

/// Bilinear interpolation weights on a latitude/longitude grid of cell
/// centres: up to four (row, column, weight) entries, rows and columns in
/// file order. Longitudes wrap around a grid that is global in longitude.
/// Between the outermost centres and the grid's outer edges (e.g. within a
/// half cell of the pole) the outermost row or column is used unchanged.
struct BilinearStencil {
    let entries: [(row: Int, column: Int, weight: Double)]

    /// The stencil at `point`, or nil when the point lies outside the grid's cells.
    init?(at point: GeoPoint, on grid: LatLonGrid) {
        guard point.latitude.isFinite, point.longitude.isFinite,
              let rows = Self.latitudeWeights(point.latitude, grid),
              let columns = Self.longitudeWeights(point.longitude, grid) else { return nil }
        var entries: [(row: Int, column: Int, weight: Double)] = []
        for (row, a) in rows { for (column, b) in columns where a * b > 0 { entries.append((row, column, a * b)) } }
        self.entries = entries
    }

    private static func latitudeWeights(_ φ: Double, _ grid: LatLonGrid) -> [(Int, Double)]? {
        let n = grid.rowCount
        let ascending = grid.latitudes[1] > grid.latitudes[0]
        func row(_ k: Int) -> Int { ascending ? k : n - 1 - k }   // k-th row by increasing latitude
        let sorted = ascending ? grid.latitudes : grid.latitudes.reversed()
        if φ <= sorted[0] { return φ >= grid.southEdges[row(0)] ? [(row(0), 1)] : nil }
        if φ >= sorted[n - 1] { return φ <= grid.northEdges[row(n - 1)] ? [(row(n - 1), 1)] : nil }
        var k = 0
        while sorted[k + 1] < φ { k += 1 }
        let w = (φ - sorted[k]) / (sorted[k + 1] - sorted[k])
        return [(row(k), 1 - w), (row(k + 1), w)]
    }

    private static func longitudeWeights(_ λ: Double, _ grid: LatLonGrid) -> [(Int, Double)]? {
        let centres = grid.longitudes, n = grid.columnCount
        // The longitude in the turn starting at the grid's west edge.
        var x = λ
        while x < grid.westEdges[0] { x += 360 }
        while x >= grid.westEdges[0] + 360 { x -= 360 }
        if x >= centres[0] && x <= centres[n - 1] {
            var k = 0
            while centres[k + 1] < x { k += 1 }
            let w = (x - centres[k]) / (centres[k + 1] - centres[k])
            return [(k, 1 - w), (k + 1, w)]
        }
        if grid.isGlobalInLongitude {
            // Between the last centre and the first one, one turn later.
            let last = centres[n - 1], next = centres[0] + 360
            let y = x < centres[0] ? x + 360 : x
            let w = (y - last) / (next - last)
            return [(n - 1, 1 - w), (0, w)]
        }
        if x < centres[0] { return [(0, 1)] }
        return x <= grid.eastEdges[n - 1] ? [(n - 1, 1)] : nil
    }
}
