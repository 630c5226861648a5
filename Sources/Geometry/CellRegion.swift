/// A rectangle of grid cells: columns `i` (west-east) and rows `j` (south-north).
public struct CellRegion: Sendable, Hashable, CustomStringConvertible {
    public let i: Range<Int>
    public let j: Range<Int>

    public init(i: Range<Int>, j: Range<Int>) {
        self.i = i
        self.j = j
    }

    /// This region grown by `cells` on every side, clipped to an nx x ny grid.
    public func grown(by cells: Int, nx: Int, ny: Int) -> CellRegion {
        CellRegion(i: max(0, i.lowerBound - cells)..<min(nx, i.upperBound + cells),
                   j: max(0, j.lowerBound - cells)..<min(ny, j.upperBound + cells))
    }

    /// The x-faces bounding the region's cells along a row (i0...i1, as a range).
    public var xFaces: Range<Int> { i.lowerBound..<(i.upperBound + 1) }
    /// The y-faces bounding the region's cells along a column (j0...j1, as a range).
    public var yFaces: Range<Int> { j.lowerBound..<(j.upperBound + 1) }

    /// Whether every cell of `other` is in this region.
    public func contains(_ other: CellRegion) -> Bool {
        i.lowerBound <= other.i.lowerBound && other.i.upperBound <= i.upperBound
            && j.lowerBound <= other.j.lowerBound && other.j.upperBound <= j.upperBound
    }

    /// Whether cell (`ci`, `cj`) is in this region.
    public func contains(i ci: Int, j cj: Int) -> Bool { i.contains(ci) && j.contains(cj) }

    public var description: String {
        "columns \(i.lowerBound)..<\(i.upperBound), rows \(j.lowerBound)..<\(j.upperBound)"
    }
}
