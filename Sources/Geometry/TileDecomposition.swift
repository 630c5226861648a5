/// One rectangle of the grid owned by one rank, plus the halo it reads.
public struct Tile: Sendable, Equatable {
    /// Position in the decomposition (row-major over px x py).
    public let index: Int
    /// Owned columns (i) and rows (j), global indices.
    public let iRange: Range<Int>
    public let jRange: Range<Int>
    /// Halo width in cells on each side (cells outside the domain are not
    /// part of the halo: the extended ranges are clipped to the grid).
    public let halo: Int

    /// Owned plus halo columns, clipped to 0..<nx.
    public func haloIRange(nx: Int) -> Range<Int> { max(0, iRange.lowerBound - halo)..<min(nx, iRange.upperBound + halo) }
    /// Owned plus halo rows, clipped to 0..<ny.
    public func haloJRange(ny: Int) -> Range<Int> { max(0, jRange.lowerBound - halo)..<min(ny, jRange.upperBound + halo) }

    /// Number of owned cells.
    public var cellCount: Int { iRange.count * jRange.count }
}

/// The grid cut into px x py rectangular tiles, as evenly as possible.
public struct TileDecomposition: Sendable, Equatable {
    public let nx: Int
    public let ny: Int
    public let px: Int
    public let py: Int
    public let tiles: [Tile]

    /// Splits an nx x ny grid into `count` tiles, choosing px x py = count with
    /// the smallest largest tile (the slowest rank sets the pace), then the
    /// shortest total tile boundary (least halo traffic).
    public init(nx: Int, ny: Int, count: Int, halo: Int) throws(TilingError) {
        guard count >= 1 else { throw .invalid("tile count \(count) must be at least 1") }
        let candidates = (1...count).filter { count % $0 == 0 }.map { ($0, count / $0) }
            .filter { $0.0 <= nx && $0.1 <= ny }
        func largestTile(_ p: (Int, Int)) -> Int { ((nx + p.0 - 1) / p.0) * ((ny + p.1 - 1) / p.1) }
        func boundary(_ p: (Int, Int)) -> Double { Double(nx) / Double(p.0) + Double(ny) / Double(p.1) }
        guard let best = candidates.min(by: { a, b in
            (largestTile(a), boundary(a)) < (largestTile(b), boundary(b))
        }) else {
            throw .invalid("cannot cut a \(nx) x \(ny) grid into \(count) tiles of at least one cell")
        }
        self.nx = nx
        self.ny = ny
        px = best.0
        py = best.1
        var list: [Tile] = []
        for tj in 0..<py {
            for ti in 0..<px {
                list.append(Tile(index: tj * best.0 + ti, iRange: Self.block(ti, of: best.0, length: nx),
                                 jRange: Self.block(tj, of: best.1, length: ny), halo: halo))
            }
        }
        tiles = list
    }

    /// Part `part` of `length` cut into `parts` near-equal blocks (the first
    /// `length % parts` one longer).
    static func block(_ part: Int, of parts: Int, length: Int) -> Range<Int> {
        let base = length / parts, extra = length % parts
        let start = part * base + min(part, extra)
        return start..<(start + base + (part < extra ? 1 : 0))
    }

    /// The tile that owns cell (i, j).
    public func owner(_ i: Int, _ j: Int) -> Int {
        tiles.first { $0.iRange.contains(i) && $0.jRange.contains(j) }!.index
    }
}

/// A decomposition that cannot be made.
public enum TilingError: Error, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let message): "invalid tiling: \(message)" }
    }
}
