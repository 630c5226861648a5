import Assimilation
import Geometry
import Inputs
import Meteorology
import ModelTime
import Parallel
import Transport

/// The ensemble as one rank holds it: the parallel layout, the transport
/// model with this rank's tile and members, and the one place where tile
/// pieces become whole-grid fields (outputs, checkpoints) or all-member
/// columns (flux generation, statistics). Every method that says
/// "collective" must be called by every rank in the same order.
final class EnsembleState {
    let grid: HorizontalGrid
    let layers: VerticalLayers
    let world: any Communicator
    let comms: LayoutCommunicators
    let transport: any EnsembleTransport
    /// Ensemble size N.
    let memberCount: Int

    /// The members this rank holds.
    var members: Range<Int> { transport.members }
    /// The grid cells of this rank's tile, ascending.
    var cells: [Int] { transport.ownedCells }

    /// The communicators of `world` for `memberCount` members on `columnCount`
    /// columns: `memberGroups` groups, or the automatic layout when nil (collective).
    static func communicators(world: any Communicator, memberCount: Int, memberGroups: Int?,
                              columnCount: Int) throws -> LayoutCommunicators {
        let layout: ParallelLayout
        do {
            layout = try memberGroups.map { try ParallelLayout(worldSize: world.size, memberGroups: $0) }
                ?? ParallelLayout.automatic(worldSize: world.size, memberCount: memberCount, columnCount: columnCount)
        } catch {
            throw ExperimentError.invalidInput("key 'parallel.member_groups': \(error)")
        }
        return LayoutCommunicators(world: world, layout: layout)
    }

    /// The ensemble of this rank under `comms`, each member starting at
    /// `initial(member, i, j, k)`.
    init(domain: Domain, memberCount: Int, comms: LayoutCommunicators, transport options: TransportOptions,
         initial: (_ member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double) throws {
        grid = domain.grid
        layers = domain.layers
        world = comms.world
        self.memberCount = memberCount
        self.comms = comms
        let decomposition = try TileDecomposition(nx: grid.nx, ny: grid.ny, count: comms.layout.tilesPerGroup,
                                                  halo: TracerEnsemble.margin)
        transport = TileEnsembleTransport(
            grid: grid, layers: layers, decomposition: decomposition, tileIndex: comms.tileIndex,
            members: comms.members(memberCount: memberCount), options: options, group: comms.group, initial: initial)
    }

    // MARK: transport

    /// Advances one hour. `memberFlux(slot)` is member `members.lowerBound +
    /// slot`'s total surface flux on this tile's cells (µmol m-2 s-1, in
    /// ``cells`` order); ghost cells take `boundary` scaled per member by
    /// `boundaryScale(member, cell)` of the nearest edge cell, plus
    /// `boundaryOffset(member, i, j, k)` (ppm) when given (collective over the group).
    func advance(met: MetFields, memberFlux: (Int) -> [Double], boundary: BoundaryValues,
                 boundaryScale: (_ member: Int, _ edgeCell: Int) -> Double,
                 boundaryOffset: ((_ member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double)? = nil) throws {
        let M = members.count
        var columns = [Double](repeating: 0, count: cells.count * M)
        for slot in 0..<M {
            for (c, value) in zip(cells.indices, memberFlux(slot)) { columns[c * M + slot] = value }
        }
        try advance(met: met, flux: try SurfaceFlux(nx: grid.nx, ny: grid.ny, members: members, cells: cells, columns: columns),
                    boundary: memberBoundary(boundary, ringScale: ringScale(boundaryScale), offset: boundaryOffset))
    }

    /// The held members' inflow: `boundary` times (1 + σ δ) per ghost cell
    /// and member (`scale`, from ``ringScale(_:)``) plus `offset(member, i,
    /// j, k)` (ppm) when given; only at the ghost cells next to the region
    /// the transport reads, so the ranks share the ring.
    func memberBoundary(_ boundary: BoundaryValues, ringScale scale: [Double],
                        offset: ((_ member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double)?) -> LateralBoundary {
        LateralBoundary(nx: grid.nx, ny: grid.ny, nz: layers.count, members: members, base: boundary.value, scale: scale,
                        offset: offset, region: transport.meteorologyRegion)
    }

    /// `scale(member, cell)` of the edge cell next to each ghost cell, for
    /// the held members, in ``LateralBoundary/ring(nx:ny:)`` order.
    func ringScale(_ scale: (_ member: Int, _ edgeCell: Int) -> Double) -> [Double] {
        let nx = grid.nx, ny = grid.ny
        return LateralBoundary.ring(nx: nx, ny: ny).flatMap { i, j in
            members.map { scale($0, min(max(j, 0), ny - 1) * nx + min(max(i, 0), nx - 1)) }
        }
    }

    /// Advances one hour with the held members' surface `flux` (this
    /// rank's columns, or whole-grid fields of which only they are read) and
    /// inflow `boundary` (collective over the group).
    func advance(met: MetFields, flux: SurfaceFlux, boundary: LateralBoundary) throws {
        try transport.advance(met: met, flux: flux, boundary: boundary)
    }

    // MARK: layouts

    /// Copies the concentrations of the tile's columns numbered `columns`
    /// (all when nil) into the block's concentration variables (variables
    /// 0..<nz of each column), or back.
    func copyConcentrations(_ block: inout ColumnEnsemble, columns: [Int]? = nil, toBlock: Bool) {
        let stride = block.columnStride, columns = columns ?? Array(cells.indices)
        if toBlock {
            block.values.withUnsafeMutableBufferPointer {
                transport.exportConcentrations(into: $0, columnStride: stride, columns: columns)
            }
        } else {
            block.values.withUnsafeBufferPointer {
                transport.importConcentrations(from: $0, columnStride: stride, columns: columns)
            }
        }
    }

    /// Every member's values of this tile, [column][member], from this rank's
    /// `mine` ([column][held member], flattened) and the other member groups'
    /// (collective over the tile's groups).
    func allMembers(_ mine: [Double]) -> [[Double]] {
        let packed = allMembersPacked(mine), N = memberCount
        return cells.indices.map { c in Array(packed[(c * N)..<((c + 1) * N)]) }
    }

    /// ``allMembers(_:)`` as one array, [column × N + member] (collective
    /// over the tile's groups). With one member group it is `mine` itself.
    func allMembersPacked(_ mine: [Double]) -> [Double] {
        guard comms.tileAcrossGroups.size > 1 else { return mine }
        let pieces = comms.tileAcrossGroups.allgather(mine)
        let widths = pieces.map { $0.count / max(1, cells.count) }
        var packed: [Double] = []
        packed.reserveCapacity(cells.count * widths.reduce(0, +))
        for c in cells.indices {
            for (piece, m) in zip(pieces, widths) { packed.append(contentsOf: piece[(c * m)..<((c + 1) * m)]) }
        }
        return packed
    }

    /// The ensemble mean and spread over all members of every column of this
    /// tile, from this rank's `mine` ([column][held member], flattened):
    /// ``allMembers(_:)`` then ``meanAndSpread(_:)``, with the same numbers
    /// (collective over the tile's groups). With one member group the held
    /// members are all members and are read in place.
    func columnStatistics(_ mine: [Double]) -> [(mean: Double, spread: Double)] {
        guard comms.tileAcrossGroups.size == 1 else { return allMembers(mine).map(meanAndSpread) }
        let M = members.count
        return mine.withUnsafeBufferPointer { values in
            cells.indices.map { c in meanAndSpread(UnsafeBufferPointer(rebasing: values[(c * M)..<((c + 1) * M)])) }
        }
    }

    /// Tile fields ([column] each) of member group 0 assembled into whole
    /// grids on world rank 0, in the order given; nil elsewhere (collective).
    func gatherToGrid(_ fields: [[Double]]) -> [[Double]]? {
        var global: [[Double]] = []
        forEachGridField(fields) { _, field in global.append(field) }
        return world.rank == 0 ? global : nil
    }

    /// Tile fields ([column] each) of member group 0 assembled one at a
    /// time: world rank 0 is handed each whole-grid field in turn, `body(f,
    /// field)`; the other ranks only send (collective). A checkpoint's
    /// several hundred statistics fields thus need one grid's buffer rather
    /// than two copies of them all (their fresh pages cost about a tenth of
    /// a second per checkpoint).
    func forEachGridField(_ fields: [[Double]], _ body: (Int, [Double]) throws -> Void) rethrows {
        let first = comms.memberGroupIndex == 0
        guard let owners = world.gather(first ? cells : [], root: 0) else {
            for field in fields { _ = world.gather(first ? field : [], root: 0) }
            return
        }
        let n = grid.cellCount
        // Rank 0 alone holding every cell in grid order already has each field as it is written.
        let alone = owners[0].count == n && owners.dropFirst().allSatisfy(\.isEmpty) && owners[0].elementsEqual(0..<n)
        var global = [Double](repeating: 0, count: alone ? 0 : n)
        for (f, field) in fields.enumerated() {
            let pieces = world.gather(first ? field : [], root: 0) ?? []
            if alone {
                try body(f, field)
                continue
            }
            // The tiles of member group 0 cover every cell, so each field replaces every value.
            global.withUnsafeMutableBufferPointer { global in
                for (owned, piece) in zip(owners, pieces) {
                    piece.withUnsafeBufferPointer { piece in
                        for (c, cell) in owned.enumerated() { global[cell] = piece[c] }
                    }
                }
            }
            try body(f, global)
        }
    }

    /// The anomalies (members minus their mean) of every column of all-member
    /// tile values ([column][member]), on the whole grid at world rank 0 as
    /// one cells × N row-major matrix in grid order; nil elsewhere (collective).
    func gatherAnomalies(_ columns: [[Double]]) -> [Double]? {
        let anomalies = columns.map { members in
            let mean = ensembleMean(members)
            return members.map { $0 - mean }
        }
        let N = memberCount
        guard let fields = gatherToGrid((0..<N).map { m in anomalies.map { $0[m] } }) else { return nil }
        var matrix = [Double](repeating: 0, count: grid.cellCount * N)
        for (m, field) in fields.enumerated() {
            for (cell, value) in field.enumerated() { matrix[cell * N + m] = value }
        }
        return matrix
    }

    /// Per-column values of `member` ([column][v] flattened, `width` values
    /// per column) from the rank holding it, on the whole grid at world rank 0:
    /// [cell][v] flattened; nil elsewhere (collective).
    func gatherMember(_ member: Int, width: Int, values: () -> [Double]) -> [Double]? {
        let holds = members.contains(member)
        let gatheredValues = world.gather(holds ? values() : [], root: 0)
        let gatheredCells = world.gather(holds ? cells : [], root: 0)
        guard let pieces = gatheredValues, let owners = gatheredCells else { return nil }
        var field = [Double](repeating: 0, count: grid.cellCount * width)
        field.withUnsafeMutableBufferPointer { field in
            for (piece, owned) in zip(pieces, owners) {
                piece.withUnsafeBufferPointer { piece in
                    for (c, cell) in owned.enumerated() {
                        for v in 0..<width { field[cell * width + v] = piece[c * width + v] }
                    }
                }
            }
        }
        return field
    }

    /// The 3-D concentration field of `member`, (k * ny + j) * nx + i, on
    /// world rank 0; nil elsewhere (collective).
    func gatherConcentrationField(_ member: Int) -> [Double]? {
        let nz = layers.count, M = members.count
        guard let columns = gatherMember(member, width: nz, values: {
            let all = transport.columns(), slot = member - members.lowerBound
            return [Double](unsafeUninitializedCapacity: cells.count * nz) { out, count in
                for c in cells.indices { for k in 0..<nz { out[c * nz + k] = all[(c * nz + k) * M + slot] } }
                count = cells.count * nz
            }
        }) else { return nil }
        let n = grid.cellCount
        return [Double](unsafeUninitializedCapacity: n * nz) { field, count in
            columns.withUnsafeBufferPointer { columns in
                for cell in 0..<n { for k in 0..<nz { field[k * n + cell] = columns[cell * nz + k] } }
            }
            count = n * nz
        }
    }
}

extension LayoutCommunicators {
    /// The members this rank's group holds.
    func members(memberCount: Int) -> Range<Int> { layout.members(ofGroup: memberGroupIndex, memberCount: memberCount) }
}
