/// The surface CO2 flux of one hour for a block of ensemble members: per
/// member a 2-D field on the grid (`j * nx + i`), µmol m-2 s-1, positive
/// upward (into the atmosphere), the sum of all flux components.
public struct SurfaceFlux: Sendable {
    public let nx: Int
    public let ny: Int
    /// The global member indices the fields belong to, in order.
    public let members: Range<Int>
    /// One field per member of ``members``.
    public let fields: [[Double]]

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
        self.fields = fields
    }

    /// Zero flux for `members`.
    public static func zero(nx: Int, ny: Int, members: Range<Int>) -> SurfaceFlux {
        try! SurfaceFlux(nx: nx, ny: ny, members: members,
                         fields: Array(repeating: [Double](repeating: 0, count: nx * ny), count: members.count))
    }

    /// The flux of `member` (global index) at cell (i, j), µmol m-2 s-1.
    @inline(__always) public func value(member: Int, _ i: Int, _ j: Int) -> Double {
        fields[member - members.lowerBound][j * nx + i]
    }
}

/// The CO2 mole fraction (ppm) that air flowing into the domain carries. It is
/// asked for the ghost cells just outside the domain: (i, j) with i = -1 or nx
/// (west and east sides, 0 <= j < ny) or j = -1 or ny (south and north sides,
/// 0 <= i < nx), for layer k and a global member index. Outflow faces do not
/// use it (zero-gradient outflow).
public struct LateralBoundary: Sendable {
    /// ppm for (member, i, j, k).
    public let value: @Sendable (_ member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double

    public init(_ value: @escaping @Sendable (_ member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double) {
        self.value = value
    }

    /// The same mole fraction everywhere on the boundary.
    public static func uniform(_ ppm: Double) -> LateralBoundary { LateralBoundary { _, _, _, _ in ppm } }
}

/// Inputs the transport model cannot use.
public enum TransportError: Error, CustomStringConvertible {
    case invalidInput(String)
    public var description: String {
        switch self { case .invalidInput(let message): "transport: \(message)" }
    }
}
