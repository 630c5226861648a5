import Geometry

/// The surface CO2 flux of one hour for a block of ensemble members,
/// µmol m-2 s-1, positive upward (into the atmosphere), the sum of all flux
/// components: per member a 2-D field on the grid (`j * nx + i`), or only
/// the columns of one rank's cells, members innermost, as that rank's
/// transport reads them (no whole-grid field per member on every rank).
public struct SurfaceFlux: Sendable {
    public let nx: Int
    public let ny: Int
    /// The global member indices the fluxes belong to, in order.
    public let members: Range<Int>
    private enum Storage: Sendable {
        /// One whole-grid field per member.
        case fields([[Double]])
        /// The columns of `cells` (ascending), members innermost: n * members.count + m for cells[n].
        case columns(cells: [Int], values: [Double])
    }
    private let storage: Storage

    /// Checks that there is one field of nx·ny values per member.
    public init(nx: Int, ny: Int, members: Range<Int>, fields: [[Double]]) throws(TransportError) {
        guard fields.count == members.count else {
            throw .invalidInput("surface flux has \(fields.count) member fields for \(members.count) members")
        }
        for (offset, field) in fields.enumerated() where field.count != nx * ny {
            throw .invalidInput("surface flux of member \(members.lowerBound + offset) has \(field.count) values, grid has \(nx * ny)")
        }
        self.nx = nx
        self.ny = ny
        self.members = members
        storage = .fields(fields)
    }

    /// The fluxes of `cells` only (grid cells j * nx + i, ascending):
    /// `columns[n * members.count + m]` for cell `cells[n]`. Checks the
    /// cells and that there is one value per cell and member.
    public init(nx: Int, ny: Int, members: Range<Int>, cells: [Int], columns: [Double]) throws(TransportError) {
        guard let first = cells.first, first >= 0, cells.last! < nx * ny, zip(cells, cells.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw .invalidInput("surface flux cells must be ascending grid cells of the \(nx) x \(ny) grid")
        }
        guard columns.count == cells.count * members.count else {
            throw .invalidInput("surface flux of \(cells.count) cells has \(columns.count) values for \(members.count) members")
        }
        self.nx = nx
        self.ny = ny
        self.members = members
        storage = .columns(cells: cells, values: columns)
    }

    /// Zero flux for `members`.
    public static func zero(nx: Int, ny: Int, members: Range<Int>) -> SurfaceFlux {
        try! SurfaceFlux(nx: nx, ny: ny, members: members,
                         fields: Array(repeating: [Double](repeating: 0, count: nx * ny), count: members.count))
    }

    /// The flux of `member` (global index) at cell (i, j), µmol m-2 s-1; a
    /// flux of some cells' columns holds only those cells.
    public func value(member: Int, _ i: Int, _ j: Int) -> Double {
        switch storage {
        case .fields(let fields):
            return fields[member - members.lowerBound][j * nx + i]
        case .columns(let cells, let values):
            var low = 0, high = cells.count
            while low < high {
                let mid = (low + high) / 2
                if cells[mid] < j * nx + i { low = mid + 1 } else { high = mid }
            }
            precondition(low < cells.count && cells[low] == j * nx + i, "cell (\(i), \(j)) is not one of the surface flux's cells")
            return values[low * members.count + member - members.lowerBound]
        }
    }

    /// The columns of the cells of `tile` (row by row) for exactly
    /// `members`, members innermost, when they are stored so (no copy);
    /// nil otherwise.
    func columns(of tile: CellRegion, members wanted: Range<Int>) -> [Double]? {
        guard case .columns(let cells, let values) = storage, members == wanted,
              cells.count == tile.i.count * tile.j.count else { return nil }
        var n = 0
        for j in tile.j {
            for i in tile.i {
                guard cells[n] == j * nx + i else { return nil }
                n += 1
            }
        }
        return values
    }

    /// The whole-grid field of `member`, when the fluxes are stored as fields.
    func field(member: Int) -> [Double]? {
        guard case .fields(let fields) = storage else { return nil }
        return fields[member - members.lowerBound]
    }
}

/// The CO2 mole fraction (ppm) that air flowing into the domain carries, for
/// the ghost cells just outside the domain: (i, j) with i = -1 or nx (west
/// and east sides, 0 <= j < ny) or j = -1 or ny (south and north sides,
/// 0 <= i < nx), every layer k and member. Outflow faces do not use it
/// (zero-gradient outflow). Values are stored, not computed per step.
public struct LateralBoundary: Sendable {
    private enum Storage: Sendable {
        case uniform(Double)
        /// ((k * ringLength + position) * members.count + m), positions: west
        /// side j = 0..<ny, east side j = 0..<ny, south side i = 0..<nx, north side i = 0..<nx.
        case ring(nx: Int, ny: Int, members: Range<Int>, values: [Double])
    }
    private let storage: Storage

    /// The same mole fraction everywhere on the boundary.
    public static func uniform(_ ppm: Double) -> LateralBoundary { LateralBoundary(storage: .uniform(ppm)) }

    private init(storage: Storage) { self.storage = storage }

    /// Evaluates `value(member, i, j, k)` once for every ghost cell, layer and member.
    public init(nx: Int, ny: Int, nz: Int, members: Range<Int>,
                value: (_ member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double) {
        let ring = Self.ring(nx: nx, ny: ny)
        var values: [Double] = []
        values.reserveCapacity(nz * ring.count * members.count)
        for k in 0..<nz { for (i, j) in ring { for member in members { values.append(value(member, i, j, k)) } } }
        storage = .ring(nx: nx, ny: ny, members: members, values: values)
    }

    /// `base(i, j, k)` of every ghost cell and layer times a factor per ghost
    /// cell and member that is the same in every layer, `scale[position *
    /// members.count + m]` in ``ring(nx:ny:)`` order, plus `offset(member, i,
    /// j, k)` when given: base evaluated once per ghost cell and layer, not
    /// per member. With `region`, only the ghost cells next to its cells are
    /// computed (a tile's transport reads no others); the rest are NaN.
    public init(nx: Int, ny: Int, nz: Int, members: Range<Int>, base: (_ i: Int, _ j: Int, _ k: Int) -> Double,
                scale: [Double], offset: ((_ member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double)? = nil,
                region: CellRegion? = nil) {
        let ring = Self.ring(nx: nx, ny: ny), M = members.count
        precondition(scale.count == ring.count * M, "one factor per ghost cell and member")
        let computed = ring.map { i, j in region?.contains(i: min(max(i, 0), nx - 1), j: min(max(j, 0), ny - 1)) ?? true }
        var values = [Double](repeating: region == nil ? 0 : .nan, count: nz * ring.count * M)
        values.withUnsafeMutableBufferPointer { values in
            scale.withUnsafeBufferPointer { scale in
                for k in 0..<nz {
                    for (position, (i, j)) in ring.enumerated() where computed[position] {
                        let value = base(i, j, k), start = (k * ring.count + position) * M
                        if let offset {
                            for m in 0..<M {
                                values[start + m] = value * scale[position * M + m] + offset(members.lowerBound + m, i, j, k)
                            }
                        } else {
                            for m in 0..<M { values[start + m] = value * scale[position * M + m] }
                        }
                    }
                }
            }
        }
        storage = .ring(nx: nx, ny: ny, members: members, values: values)
    }

    /// The ghost cells (i, j) in storage order: the west side (i = -1,
    /// j = 0..<ny), the east side (i = nx), the south side (j = -1,
    /// i = 0..<nx), the north side (j = ny).
    public static func ring(nx: Int, ny: Int) -> [(i: Int, j: Int)] {
        (0..<ny).map { (-1, $0) } + (0..<ny).map { (nx, $0) } + (0..<nx).map { ($0, -1) } + (0..<nx).map { ($0, ny) }
    }

    /// The mole fraction (ppm) of `member` at ghost cell (i, j) in layer k.
    @inline(__always) public func value(member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double {
        switch storage {
        case .uniform(let ppm):
            return ppm
        case .ring(let nx, let ny, let members, let values):
            let position = i < 0 ? j : i == nx ? ny + j : j < 0 ? 2 * ny + i : 2 * ny + nx + i
            return values[((k * (2 * (nx + ny)) + position) * members.count) + member - members.lowerBound]
        }
    }

    /// One side of the domain's ring of ghost cells.
    public enum Side: Sendable {
        /// i = -1, along j; i = nx, along j; j = -1, along i; j = ny, along i.
        case west, east, south, north
    }

    /// Copies the values of `side` for `members` into `out`, ordered
    /// `(k * sideLength + along) * members.count + m` (sideLength ny for west
    /// and east, nx for south and north): the numbers ``value(member:_:_:_:)``
    /// gives, in bulk. `out` is resized only when its length differs, so a
    /// buffer kept between hours is reused.
    func copySide(_ side: Side, nx: Int, ny: Int, nz: Int, members wanted: Range<Int>, into out: inout [Double]) {
        let length = side == .west || side == .east ? ny : nx
        let M = wanted.count
        if out.count != nz * length * M { out = [Double](repeating: 0, count: nz * length * M) }
        switch storage {
        case .uniform(let ppm):
            out.withUnsafeMutableBufferPointer { $0.update(repeating: ppm) }
        case .ring(let rx, let ry, let members, let values):
            precondition(rx == nx && ry == ny, "lateral boundary is for a \(rx) x \(ry) grid, not \(nx) x \(ny)")
            let start = switch side { case .west: 0; case .east: ny; case .south: 2 * ny; case .north: 2 * ny + nx }
            let ring = 2 * (nx + ny), stored = members.count, skip = wanted.lowerBound - members.lowerBound
            values.withUnsafeBufferPointer { v in
                out.withUnsafeMutableBufferPointer { o in
                    for k in 0..<nz {
                        for a in 0..<length {
                            (o.baseAddress! + (k * length + a) * M)
                                .update(from: v.baseAddress! + (k * ring + start + a) * stored + skip, count: M)
                        }
                    }
                }
            }
        }
    }

    /// Whether the boundary has values for these members on this grid.
    func covers(nx: Int, ny: Int, members wanted: Range<Int>) -> Bool {
        switch storage {
        case .uniform: return true
        case .ring(let bx, let by, let members, _):
            return bx == nx && by == ny && members.lowerBound <= wanted.lowerBound && members.upperBound >= wanted.upperBound
        }
    }
}

/// Inputs the transport model cannot use.
public enum TransportError: Error, CustomStringConvertible {
    case invalidInput(String)
    public var description: String {
        switch self { case .invalidInput(let message): "transport: \(message)" }
    }
}
