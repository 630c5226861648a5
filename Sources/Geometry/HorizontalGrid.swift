import Foundation

/// A regular grid of cells on a map projection, IOAPI-style: `xOrigin`,
/// `yOrigin` are the lower-left corner of the lower-left cell (not its centre).
/// Cell (i, j) has i counting west to east (0..<nx) and j south to north
/// (0..<ny); 2-D fields are stored row by row, `index = j * nx + i`.
public struct HorizontalGrid: Sendable, Equatable {
    public let projection: Projection
    public let nx: Int
    public let ny: Int
    public let dx: Double
    public let dy: Double
    public let xOrigin: Double
    public let yOrigin: Double

    public init(projection: Projection, nx: Int, ny: Int, dx: Double, dy: Double, xOrigin: Double, yOrigin: Double) {
        precondition(nx > 0 && ny > 0 && dx > 0 && dy > 0, "grid sizes and spacings must be positive")
        self.projection = projection
        self.nx = nx
        self.ny = ny
        self.dx = dx
        self.dy = dy
        self.xOrigin = xOrigin
        self.yOrigin = yOrigin
    }

    /// Number of columns (cells in one layer).
    public var cellCount: Int { nx * ny }

    /// Flat index of cell (i, j).
    @inline(__always) public func index(_ i: Int, _ j: Int) -> Int { j * nx + i }

    /// Projected x (m) of the centre of column i.
    public func x(_ i: Int) -> Double { xOrigin + (Double(i) + 0.5) * dx }
    /// Projected y (m) of the centre of row j.
    public func y(_ j: Int) -> Double { yOrigin + (Double(j) + 0.5) * dy }

    /// Latitude/longitude of the centre of cell (i, j).
    public func center(_ i: Int, _ j: Int) -> GeoPoint { projection.inverse(x: x(i), y: y(j)) }

    /// Centres of all cells, in flat-index order.
    public func centers() -> [GeoPoint] {
        var points: [GeoPoint] = []
        points.reserveCapacity(cellCount)
        for j in 0..<ny { for i in 0..<nx { points.append(center(i, j)) } }
        return points
    }

    /// The map-scale factor at the centre of cell (i, j).
    public func mapScaleFactor(_ i: Int, _ j: Int) -> Double { projection.scaleFactor(at: center(i, j)) }

    /// True area (m²) of cell (i, j) on the sphere. A conformal projection
    /// scales areas by k², so the area is the integral of 1/k² over the cell's
    /// square in projected coordinates, here by 4x4-point Gauss-Legendre
    /// quadrature (exact to well below 1e-9 relative for cells much smaller
    /// than the earth).
    public func cellArea(_ i: Int, _ j: Int) -> Double {
        let nodes = [-0.861_136_311_594_052_6, -0.339_981_043_584_856_3, 0.339_981_043_584_856_3, 0.861_136_311_594_052_6]
        let weights = [0.347_854_845_137_453_9, 0.652_145_154_862_546_1, 0.652_145_154_862_546_1, 0.347_854_845_137_453_9]
        var sum = 0.0
        for (a, wa) in zip(nodes, weights) {
            for (b, wb) in zip(nodes, weights) {
                let p = projection.inverse(x: x(i) + a * dx / 2, y: y(j) + b * dy / 2)
                let k = projection.scaleFactor(at: p)
                sum += wa * wb / (k * k)
            }
        }
        return sum * dx * dy / 4
    }

    /// Areas of all cells (m²), in flat-index order.
    public func cellAreas() -> [Double] {
        var areas: [Double] = []
        areas.reserveCapacity(cellCount)
        for j in 0..<ny { for i in 0..<nx { areas.append(cellArea(i, j)) } }
        return areas
    }

    /// Continuous grid coordinates of `point`, in units of cells and measured
    /// from the centre of cell (0, 0): (0, 0) is that centre, (-0.5, -0.5) the
    /// domain's lower-left corner.
    public func gridCoordinates(of point: GeoPoint) -> (fi: Double, fj: Double) {
        let (px, py) = projection.forward(point)
        return ((px - xOrigin) / dx - 0.5, (py - yOrigin) / dy - 0.5)
    }

    /// The cell containing `point`, or nil outside the domain or for a point
    /// that is not on the sphere (|latitude| > 90°, non-finite values).
    public func cell(containing point: GeoPoint) -> (i: Int, j: Int)? {
        guard abs(point.latitude) <= 90, point.longitude.isFinite else { return nil }
        let (fi, fj) = gridCoordinates(of: point)
        let x = (fi + 0.5).rounded(.down), y = (fj + 0.5).rounded(.down)
        // Checked before the conversion: NaN or a far-away point must not trap.
        guard x >= 0, x < Double(nx), y >= 0, y < Double(ny) else { return nil }
        return (Int(x), Int(y))
    }

    /// Latitude/longitude of the four outer corners: lower-left, lower-right,
    /// upper-right, upper-left.
    public var corners: [GeoPoint] {
        let x1 = xOrigin + Double(nx) * dx, y1 = yOrigin + Double(ny) * dy
        return [(xOrigin, yOrigin), (x1, yOrigin), (x1, y1), (xOrigin, y1)].map { projection.inverse(x: $0.0, y: $0.1) }
    }

    /// Latitude/longitude of the centres of the four corner cells, in the same
    /// order as ``corners``.
    public var cornerCellCenters: [GeoPoint] {
        [center(0, 0), center(nx - 1, 0), center(nx - 1, ny - 1), center(0, ny - 1)]
    }
}
