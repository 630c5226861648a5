/// How the ranks of a job are arranged: `memberGroups` groups, each holding a
/// contiguous block of ensemble members and dividing the grid into
/// `tilesPerGroup` spatial tiles. World rank r is tile `r % tilesPerGroup` of
/// group `r / tilesPerGroup`.
public struct ParallelLayout: Sendable, Equatable, CustomStringConvertible {
    public let worldSize: Int
    public let memberGroups: Int
    public var tilesPerGroup: Int { worldSize / memberGroups }

    /// A layout with the given number of member groups; it must divide the
    /// world size.
    public init(worldSize: Int, memberGroups: Int) throws(LayoutError) {
        guard worldSize >= 1 else { throw .invalid("world size \(worldSize) must be at least 1") }
        guard memberGroups >= 1, worldSize % memberGroups == 0 else {
            throw .invalid("\(memberGroups) member groups do not divide \(worldSize) ranks evenly")
        }
        self.worldSize = worldSize
        self.memberGroups = memberGroups
    }

    /// Smallest tile (owned grid columns) the automatic layout makes: below
    /// about 20 x 20 columns the two-cell halo costs more than a tile saves.
    public static let smallestAutomaticTile = 400

    /// The default layout: as few member groups as possible, i.e. as many
    /// tiles as keep at least ``smallestAutomaticTile`` columns each. Tiles
    /// split the work that does not depend on the member count (air-mass
    /// fluxes, column factorisations, sweep coefficients), which member groups
    /// repeat: on china-64km with 50 members 2 tiles ran 1.74-1.79x faster
    /// than one rank, 2 member groups 1.35-1.43x (Docs/performance.md). When
    /// no layout gives tiles that large (tiny grids), as many groups as the
    /// member count allows.
    public static func automatic(worldSize: Int, memberCount: Int, columnCount: Int) throws(LayoutError) -> ParallelLayout {
        let size = max(1, worldSize)
        let groupCounts = (1...size).filter { size % $0 == 0 && $0 <= max(1, memberCount) }
        let groups = groupCounts.first { columnCount / (size / $0) >= smallestAutomaticTile } ?? groupCounts.last ?? 1
        return try ParallelLayout(worldSize: worldSize, memberGroups: groups)
    }

    public func group(ofRank rank: Int) -> Int { rank / tilesPerGroup }
    public func tile(ofRank rank: Int) -> Int { rank % tilesPerGroup }

    /// The members a group carries: a contiguous block, the first
    /// `memberCount % memberGroups` groups one member larger.
    public func members(ofGroup group: Int, memberCount: Int) -> Range<Int> {
        let base = memberCount / memberGroups
        let extra = memberCount % memberGroups
        let start = group * base + min(group, extra)
        return start..<(start + base + (group < extra ? 1 : 0))
    }

    /// The group that carries `member`.
    public func group(ofMember member: Int, memberCount: Int) -> Int {
        (0..<memberGroups).first { members(ofGroup: $0, memberCount: memberCount).contains(member) }!
    }

    public var description: String { "\(memberGroups) member group(s) x \(tilesPerGroup) tile(s)" }
}

/// A layout that cannot be built.
public enum LayoutError: Error, CustomStringConvertible {
    case invalid(String)
    public var description: String {
        switch self { case .invalid(let message): "invalid parallel layout: \(message)" }
    }
}

/// The communicators a rank needs under a ``ParallelLayout``.
public struct LayoutCommunicators {
    public let layout: ParallelLayout
    public let world: any Communicator
    /// The tiles of this rank's member group (halo exchange happens here).
    public let group: any Communicator
    /// The same tile in every group (ensemble statistics of one tile).
    public let tileAcrossGroups: any Communicator

    /// Splits `world` according to `layout` (collective over `world`).
    public init(world: any Communicator, layout: ParallelLayout) {
        precondition(world.size == layout.worldSize, "layout is for \(layout.worldSize) ranks, world has \(world.size)")
        self.layout = layout
        self.world = world
        group = world.split(color: layout.group(ofRank: world.rank), key: layout.tile(ofRank: world.rank))
        tileAcrossGroups = world.split(color: layout.tile(ofRank: world.rank), key: layout.group(ofRank: world.rank))
    }

    public var memberGroupIndex: Int { layout.group(ofRank: world.rank) }
    public var tileIndex: Int { layout.tile(ofRank: world.rank) }
}
