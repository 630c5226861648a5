import Geometry

/// The CO2 mole fractions (ppm, dry air) of a block of ensemble members on one
/// tile. Storage has the members innermost, so every kernel's inner loop runs
/// over members that share the same winds and coefficients (and vectorises):
/// `values[((k * localNy + lj) * localNx + li) * memberCount + m]` with local
/// indices counting from two cells west/south of the tile (li = i - tile.iRange.lowerBound + margin).
/// The two-cell margin holds the halo from neighbouring tiles or, outside the
/// domain, the lateral-boundary ghost cells.
public struct TracerEnsemble: Sendable {
    /// Width of the margin around the tile (cells); the limited scheme reads
    /// two cells upwind of a face.
    public static let margin = 2

    public let tile: Tile
    public let nz: Int
    /// The global member indices held, in order.
    public let members: Range<Int>
    public var memberCount: Int { members.count }
    /// Local extents including the margin.
    public let localNx: Int
    public let localNy: Int
    /// Global (i, j) of local cell (0, 0).
    public let iOffset: Int
    public let jOffset: Int
    /// Mole fractions (ppm), layout above.
    public var values: [Double]

    /// An ensemble filled with `initial(member, i, j, k)` on the tile's cells
    /// (margin cells start at 0 and are filled by the model).
    public init(tile: Tile, nz: Int, members: Range<Int>,
                initial: (_ member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double) {
        self.tile = tile
        self.nz = nz
        self.members = members
        localNx = tile.iRange.count + 2 * Self.margin
        localNy = tile.jRange.count + 2 * Self.margin
        iOffset = tile.iRange.lowerBound - Self.margin
        jOffset = tile.jRange.lowerBound - Self.margin
        values = [Double](repeating: 0, count: nz * localNy * localNx * members.count)
        for k in 0..<nz {
            for j in tile.jRange {
                for i in tile.iRange {
                    let base = offset(i, j, k)
                    for (m, member) in members.enumerated() { values[base + m] = initial(member, i, j, k) }
                }
            }
        }
    }

    /// Position in ``values`` of member 0 at global cell (i, j, k) (which must
    /// lie on the tile or its margin).
    @inline(__always) public func offset(_ i: Int, _ j: Int, _ k: Int) -> Int {
        ((k * localNy + (j - jOffset)) * localNx + (i - iOffset)) * members.count
    }

    /// The mole fraction of `member` (global index) at an owned cell.
    public func value(member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double {
        values[offset(i, j, k) + member - members.lowerBound]
    }

    /// The owned cells of one member, `(k * tileNy + j) * tileNx + i` with
    /// tile-relative (i, j).
    public func ownedField(member: Int) -> [Double] {
        var out: [Double] = []
        out.reserveCapacity(tile.cellCount * nz)
        let m = member - members.lowerBound
        for k in 0..<nz { for j in tile.jRange { for i in tile.iRange { out.append(values[offset(i, j, k) + m]) } } }
        return out
    }
}
