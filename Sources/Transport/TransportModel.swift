import Geometry
import Meteorology
import Parallel

/// What one hour of transport did on this tile, in the units the budget needs.
public struct HourTransport: Sendable {
    /// Horizontal steps taken (each Courant <= limit in x and in y).
    public let substeps: Int
    /// Vertical advection sub-steps per horizontal step.
    public let verticalSubsteps: Int
    /// CO2 (mol) that entered the domain through its lateral faces, per owned
    /// column and member: `((j - j0) * tileNx + (i - i0)) * memberCount + m`.
    public let lateralInflow: [Double]
    /// CO2 (mol) that entered through the model top, same layout.
    public let topInflow: [Double]
}

/// The forward tracer model on one tile of one member group: operator-split
/// steps of horizontal advection (x and y sweeps, order alternating step by
/// step), vertical advection, surface-flux injection and implicit vertical
/// diffusion, each step's length set by the Courant limit so that the hour is
/// a whole number of steps. See Docs/transport.md.
public final class TransportModel {
    public let grid: HorizontalGrid
    public let layers: VerticalLayers
    public let metrics: GridMetrics
    public let decomposition: TileDecomposition
    public let tile: Tile
    public let options: TransportOptions
    private let halo: HaloExchange
    /// The owned lines (local lj of rows for sweeps along x, local li of
    /// columns for sweeps along y) in the order the second sweep of a step
    /// takes them: the `sentLineCount` lines holding cells the neighbours'
    /// halos need first.
    private let secondSweepOrder: (alongX: (lines: [Int], sentLineCount: Int), alongY: (lines: [Int], sentLineCount: Int))
    private let airMass: AirMassFluxes
    /// Cells of a line the second sweep finishes in every layer before the
    /// vertical operators run on their columns: 8 columns of 15 layers and 50
    /// members (48 KB) stay in the 512 KB L2 cache, where a whole line (up
    /// to 105 columns) did not.
    private static let columnBlock = 8
    /// Arrays refilled every hour and kept between hours, so an hour costs no
    /// fresh pages (see ``reusing(_:count:zeroed:)``).
    private var workspace = Workspace()
    private var sweepers: [Int: Sweepers] = [:]

    /// The sweepers for one member count: one per layer for the horizontal
    /// sweeps (a line is prepared in every layer, then advected a block of
    /// cells at a time in all layers) and one with column buffers for the
    /// vertical operators.
    private struct Sweepers {
        let layer: [LineSweeper]
        let column: LineSweeper
    }

    private struct Workspace {
        /// The second state buffer of the sweeps (ping-pong with the ensemble's).
        var state: [Double] = []
        /// Air per local cell before the sweeps, and after the sweeps so far.
        var cellAir: [Double] = [], airMid: [Double] = []
        var columnSolve: [Double] = []
        var columnFlux: [Double] = []
        var lateral: [Double] = [], top: [Double] = []
        /// Boundary values of the sides the tile touches.
        var west: [Double] = [], east: [Double] = [], south: [Double] = [], north: [Double] = []
    }

    /// A model for tile `tileIndex` of `decomposition`; every group must use
    /// the same decomposition. (Its `halo` setting is not used: the model
    /// always exchanges a margin of ``TracerEnsemble/margin`` cells.)
    /// `metrics` may be passed to share one ``GridMetrics`` between models.
    public init(grid: HorizontalGrid, layers: VerticalLayers, decomposition: TileDecomposition, tileIndex: Int,
                options: TransportOptions = TransportOptions(), metrics: GridMetrics? = nil) {
        precondition(decomposition.nx == grid.nx && decomposition.ny == grid.ny, "decomposition is for another grid")
        self.grid = grid
        self.layers = layers
        self.metrics = metrics ?? GridMetrics(grid: grid)
        self.decomposition = decomposition
        tile = decomposition.tiles[tileIndex]
        self.options = options
        halo = HaloExchange(decomposition: decomposition, tileIndex: tileIndex, margin: TracerEnsemble.margin)
        let margin = TracerEnsemble.margin
        // Local rows and columns holding owned cells some neighbour's margin holds.
        let sentRows = Set(halo.send.joined().map(\.1)), sentColumns = Set(halo.send.joined().map(\.0))
        func order(_ owned: Range<Int>, _ sent: Set<Int>) -> (lines: [Int], sentLineCount: Int) {
            let first = owned.filter(sent.contains)
            return (first + owned.filter { !sent.contains($0) }, first.count)
        }
        secondSweepOrder = (alongX: order(margin..<(margin + tile.jRange.count), sentRows),
                            alongY: order(margin..<(margin + tile.iRange.count), sentColumns))
        airMass = AirMassFluxes(
            nx: grid.nx, ny: grid.ny, nz: layers.count,
            region: (i: max(0, tile.iRange.lowerBound - margin)..<min(grid.nx, tile.iRange.upperBound + margin),
                     j: max(0, tile.jRange.lowerBound - margin)..<min(grid.ny, tile.jRange.upperBound + margin)),
            owned: (tile.iRange, tile.jRange))
    }

    /// A serial model of the whole grid (one tile).
    public convenience init(grid: HorizontalGrid, layers: VerticalLayers, options: TransportOptions = TransportOptions()) {
        let whole = try! TileDecomposition(nx: grid.nx, ny: grid.ny, count: 1, halo: TracerEnsemble.margin)
        self.init(grid: grid, layers: layers, decomposition: whole, tileIndex: 0, options: options)
    }

    /// The cells whose meteorology ``advance(_:met:flux:boundary:communicator:)``
    /// reads: the tile, its margin and the cells across the margin's faces.
    public var meteorologyRegion: CellRegion { airMass.meteorologyRegion }

    /// An ensemble on this model's tile.
    public func makeEnsemble(members: Range<Int>,
                             initial: (_ member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double) -> TracerEnsemble {
        TracerEnsemble(tile: tile, nz: layers.count, members: members, initial: initial)
    }

    private func sweepers(_ M: Int) -> Sweepers {
        if let s = sweepers[M] { return s }
        let capacity = max(tile.iRange.count, tile.jRange.count, layers.count) + 2 * TracerEnsemble.margin
        let s = Sweepers(layer: (0..<layers.count).map { _ in
                             LineSweeper(capacity: capacity, memberCount: M, columnBuffers: false)
                         },
                         column: LineSweeper(capacity: capacity, memberCount: M, columnBuffers: true))
        sweepers[M] = s
        return s
    }

    /// Advances `ensemble` by one hour with the meteorology `met` (held for the
    /// whole hour), the members' surface fluxes and lateral boundary.
    /// `communicator` is the member group's (one rank per tile, rank = tile
    /// index); every rank of the group must call this together.
    public func advance(_ ensemble: inout TracerEnsemble, met: MetFields, flux: SurfaceFlux,
                        boundary: LateralBoundary, communicator: any Communicator) throws(TransportError) -> HourTransport {
        guard ensemble.tile == tile, ensemble.nz == layers.count else {
            throw .invalidInput("ensemble is for another tile or layer count")
        }
        guard flux.nx == grid.nx, flux.ny == grid.ny, flux.members.lowerBound <= ensemble.members.lowerBound,
              flux.members.upperBound >= ensemble.members.upperBound else {
            throw .invalidInput("surface flux covers members \(flux.members), ensemble holds \(ensemble.members)")
        }
        guard boundary.covers(nx: grid.nx, ny: grid.ny, members: ensemble.members) else {
            throw .invalidInput("lateral boundary is for another grid or does not cover members \(ensemble.members)")
        }
        // The owned columns' fluxes as given, or whole-grid fields to pack.
        let ownedRegion = CellRegion(i: tile.iRange, j: tile.jRange)
        let givenColumns = flux.columns(of: ownedRegion, members: ensemble.members)
        let memberFields: [[Double]] = givenColumns != nil ? [] : try ensemble.members.map { member throws(TransportError) in
            guard let field = flux.field(member: member) else {
                throw .invalidInput("surface flux holds the columns of other cells or members; this tile is \(ownedRegion), "
                                    + "members \(ensemble.members)")
            }
            return field
        }
        let M = ensemble.memberCount
        let lnx = ensemble.localNx, lny = ensemble.localNy, nz = layers.count
        // The hour's first halo travels while the hour is prepared.
        ensemble.values.withUnsafeBufferPointer {
            halo.start($0, localNx: lnx, localNy: lny, nz: nz, memberCount: M, communicator: communicator)
        }
        do {
            try airMass.update(met: met, metrics: metrics, layers: layers, courantLimit: options.courantLimit,
                               communicator: communicator)
        } catch {
            halo.abandon()
            throw error
        }
        let air = airMass
        // Local references: the sweeps read these arrays in their inner loops.
        let xFlux = air.xFlux, yFlux = air.yFlux, verticalFlux = air.verticalFlux, meteorologyAir = air.cellAir
        let nx = grid.nx, ny = grid.ny
        let iOff = ensemble.iOffset, jOff = ensemble.jOffset
        let margin = TracerEnsemble.margin
        let tnx = tile.iRange.count, tny = tile.jRange.count
        let dt = 3600 / Double(air.substeps)
        let scheme = options.scheme
        let plane = lnx * lny
        let sweepers = sweepers(M)
        let layerSweepers = sweepers.layer, columnSweeper = sweepers.column

        // Air per local cell (margin cells outside the domain copy the nearest
        // domain cell: they are only ever upwind of an inflow face).
        var cellAir = reusing(&workspace.cellAir, count: nz * plane)
        for k in 0..<nz {
            for lj in 0..<lny {
                let j = min(max(lj + jOff, 0), ny - 1)
                for li in 0..<lnx {
                    let i = min(max(li + iOff, 0), nx - 1)
                    cellAir[(k * lny + lj) * lnx + li] = meteorologyAir[(k * ny + j) * nx + i]
                }
            }
        }
        // The diffusion matrices depend only on the hour's meteorology and
        // the step length: factorised once per hour.
        var columnSolve = reusing(&workspace.columnSolve, count: tny * tnx * ColumnDiffusion.valuesPerLayer * nz)
        ColumnDiffusion.factorize(met: met, layers: layers, columns: (tile.iRange, tile.jRange), dt: dt, into: &columnSolve)
        // Boundary mole fractions of this hour for the sides this tile touches,
        // (k * sideLength + along) * M + m.
        func side(_ which: LateralBoundary.Side, touches: Bool, _ buffer: inout [Double]) -> [Double] {
            guard touches else { return [] }
            boundary.copySide(which, nx: nx, ny: ny, nz: nz, members: ensemble.members, into: &buffer)
            return buffer
        }
        let west = side(.west, touches: tile.iRange.lowerBound == 0, &workspace.west)
        let east = side(.east, touches: tile.iRange.upperBound == nx, &workspace.east)
        let south = side(.south, touches: tile.jRange.lowerBound == 0, &workspace.south)
        let north = side(.north, touches: tile.jRange.upperBound == ny, &workspace.north)

        // The members' surface fluxes of owned columns, members innermost:
        // as given when the flux holds exactly this tile's columns, else
        // packed from whole-grid fields row by row, so that the row being
        // filled stays in cache.
        var packedFlux: [Double] = []
        if givenColumns == nil {
            packedFlux = reusing(&workspace.columnFlux, count: tnx * tny * M)
            packedFlux.withUnsafeMutableBufferPointer { packed in
                for j in tile.jRange {
                    let row = packed.baseAddress! + (j - tile.jRange.lowerBound) * tnx * M
                    for (m, field) in memberFields.enumerated() {
                        field.withUnsafeBufferPointer { f in
                            let source = f.baseAddress! + j * nx + tile.iRange.lowerBound
                            for c in 0..<tnx { row[c * M + m] = source[c] }
                        }
                    }
                }
            }
        }
        let columnFlux = givenColumns ?? packedFlux
        var lateral = reusing(&workspace.lateral, count: tnx * tny * M, zeroed: true)
        var top = reusing(&workspace.top, count: tnx * tny * M, zeroed: true)
        // Two buffers, moved out of their owners so that writing them never copies.
        var current = ensemble.values
        ensemble.values = []
        var other = reusing(&workspace.state, count: current.count)
        var airMid = reusing(&workspace.airMid, count: cellAir.count)
        airMid.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: cellAir) }
        let ownedI = margin..<(margin + tnx), ownedJ = margin..<(margin + tny)
        // Local ranges of domain cells (owned plus in-domain halo).
        let domainI = max(0, -iOff)..<min(lnx, nx - iOff), domainJ = max(0, -jOff)..<min(lny, ny - jOff)

        /// One horizontal sweep of `lines` from `source` into `destination`;
        /// `airBefore` is the air in each local cell before it (nil: `airMid`
        /// itself, which a line reads whole in a layer before writing it),
        /// `airMid` gets the air after it on the swept cells. Each line is
        /// prepared in every layer, then advected `block` cells at a time in
        /// all layers; `blockDone` runs on the cells (local index along the
        /// line) of each block with the destination and the air after the
        /// sweep while they are still in cache, `lineDone` after each line.
        func horizontalSweep(alongX: Bool, lines: some Collection<Int>, source: [Double], destination: inout [Double],
                             airBefore: UnsafePointer<Double>?, block: Int,
                             blockDone: (_ line: Int, _ cells: Range<Int>, _ state: UnsafeMutablePointer<Double>,
                                         _ air: UnsafePointer<Double>) -> Void,
                             lineDone: (_ line: Int, _ state: UnsafeMutablePointer<Double>) -> Void) {
            let first = margin, last = margin + (alongX ? tnx : tny)
            let atLow = alongX ? tile.iRange.lowerBound == 0 : tile.jRange.lowerBound == 0
            let atHigh = alongX ? tile.iRange.upperBound == nx : tile.jRange.upperBound == ny
            let count = alongX ? lnx : lny, stride = alongX ? M : lnx * M, cellStep = alongX ? 1 : lnx
            source.withUnsafeBufferPointer { src in
                destination.withUnsafeMutableBufferPointer { dst in
                    airMid.withUnsafeMutableBufferPointer { after in
                        let airBefore = airBefore ?? UnsafePointer(after.baseAddress!)
                        for line in lines {
                            // Local cell index of the line's cell 0 in layer k.
                            func cell0(_ k: Int) -> Int { alongX ? (k * lny + line) * lnx : k * plane + line }
                            for (k, sweeper) in layerSweepers.enumerated() {
                                if alongX {
                                    let faces = (k * ny + line + jOff) * (nx + 1) + iOff
                                    for f in first...last { sweeper.faceAir[f] = xFlux[faces + f] * dt }
                                } else {
                                    let i = line + iOff
                                    for f in first...last { sweeper.faceAir[f] = yFlux[(k * (ny + 1) + f + jOff) * nx + i] * dt }
                                }
                                let start = cell0(k)
                                for c in 0..<count { sweeper.airIn[c] = airBefore[start + c * cellStep] }
                                sweeper.prepare(count: count, first: first, last: last)
                                for c in first..<last { after[start + c * cellStep] = sweeper.airOut[c] }
                            }
                            var blockStart = first
                            while blockStart < last {
                                let blockEnd = min(blockStart + block, last)
                                for (k, sweeper) in layerSweepers.enumerated() {
                                    sweeper.advect(source: src.baseAddress!, destination: dst.baseAddress!, base: cell0(k) * M,
                                                   stride: stride, faces: (blockStart == first ? first : blockStart + 1)...blockEnd,
                                                   scheme: scheme)
                                }
                                blockDone(line, blockStart..<blockEnd, dst.baseAddress!, UnsafePointer(after.baseAddress!))
                                blockStart = blockEnd
                            }
                            // Lateral inflow through the domain edges (positive inward), owned lines only.
                            if alongX ? ownedJ.contains(line) : ownedI.contains(line) {
                                let lowColumn = alongX ? (line - margin) * tnx : line - margin
                                let highColumn = alongX ? lowColumn + tnx - 1 : (tny - 1) * tnx + lowColumn
                                let highFace = (last - first) * M
                                for sweeper in layerSweepers {
                                    if atLow { for m in 0..<M { lateral[lowColumn * M + m] += sweeper.tracerFlux[m] * 1e-6 } }
                                    if atHigh {
                                        for m in 0..<M { lateral[highColumn * M + m] -= sweeper.tracerFlux[highFace + m] * 1e-6 }
                                    }
                                }
                            }
                            lineDone(line, dst.baseAddress!)
                        }
                    }
                }
            }
        }

        // Vertical advection (Courant-limited sub-steps), surface injection
        // and diffusion of one owned column (local index `lj * lnx + li`) in
        // contiguous column buffers: the state is read by the first vertical
        // sub-step and written by the diffusion's back substitution, once each.
        let nzs = air.verticalSubsteps
        let dtz = dt / Double(nzs)
        let column = columnSweeper.column, spare = columnSweeper.spareColumn
        func verticalColumn(_ local: Int, state: UnsafeMutablePointer<Double>, airMid: UnsafePointer<Double>,
                            fluxes: UnsafePointer<Double>, solve: UnsafePointer<Double>) {
            let li = local % lnx, lj = local / lnx
            let i = li + iOff, j = lj + jOff
            let cell = state + local * M
            for k in 0..<nz { columnSweeper.airIn[k] = airMid[k * plane + local] }
            for f in 0...nz { columnSweeper.faceAir[f] = verticalFlux[(f * ny + j) * nx + i] * dtz }
            let col = (lj - margin) * tnx + (li - margin)
            // The first sub-step reads the state and writes the contiguous
            // column; later ones ping-pong between the column buffers.
            var result = column
            for s in 0..<nzs {
                if s == 0 {
                    columnSweeper.sweep(source: cell, destination: column, base: 0, stride: plane * M,
                                  destinationStride: M, count: nz, first: 0, last: nz, scheme: scheme)
                } else {
                    let src = result, dst = result == column ? spare : column
                    columnSweeper.sweep(source: src, destination: dst, base: 0, stride: M,
                                  count: nz, first: 0, last: nz, scheme: scheme)
                    result = dst
                }
                for m in 0..<M { top[col * M + m] -= columnSweeper.tracerFlux[nz * M + m] * 1e-6 }
                for k in 0..<nz { columnSweeper.airIn[k] = columnSweeper.airOut[k] }
            }
            ColumnDiffusion.injectAndDiffuse(result, valuesStride: M, into: cell, stride: plane * M, flux: fluxes + col * M,
                                             memberCount: M, solve: solve + col * ColumnDiffusion.valuesPerLayer * nz,
                                             dt: dt, nz: nz)
        }

        columnFlux.withUnsafeBufferPointer { fluxes in
            columnSolve.withUnsafeBufferPointer { solve in
                for step in 0..<air.substeps {
                    // Started at the top of the hour or during the last step.
                    halo.finish(&current)
                    let xFirst = step % 2 == 0
                    // The first sweep also covers the halo lines across it, so the
                    // second finds its upwind neighbours already advected.
                    fillGhosts(alongX: xFirst, values: &current, lines: xFirst ? domainJ : domainI, air: air,
                               sides: (west, east, south, north), lnx: lnx, lny: lny, iOff: iOff, jOff: jOff, M: M, nz: nz)
                    cellAir.withUnsafeBufferPointer { before in
                        horizontalSweep(alongX: xFirst, lines: xFirst ? domainJ : domainI, source: current,
                                        destination: &other, airBefore: before.baseAddress!, block: max(lnx, lny),
                                        blockDone: { _, _, _, _ in }, lineDone: { _, _ in })
                    }
                    fillGhosts(alongX: !xFirst, values: &other, lines: xFirst ? ownedI : ownedJ, air: air,
                               sides: (west, east, south, north), lnx: lnx, lny: lny, iOff: iOff, jOff: jOff, M: M, nz: nz)
                    // The second sweep, and the vertical operators on each
                    // block of its cells as soon as the block is done in every
                    // layer (its columns are still in cache). Lines holding
                    // columns the neighbours' halos need come first; then the
                    // next step's halo travels while the others are done.
                    let order = xFirst ? secondSweepOrder.alongY : secondSweepOrder.alongX
                    let nextHalo = step + 1 < air.substeps
                    let stateCount = current.count
                    horizontalSweep(alongX: !xFirst, lines: order.lines, source: other, destination: &current,
                                    airBefore: nil, block: Self.columnBlock, blockDone: { line, cells, state, airAfter in
                        for c in cells {
                            verticalColumn(xFirst ? c * lnx + line : line * lnx + c, state: state, airMid: airAfter,
                                           fluxes: fluxes.baseAddress!, solve: solve.baseAddress!)
                        }
                    }) { line, state in
                        guard nextHalo else { return }
                        if line == order.lines[max(order.sentLineCount, 1) - 1] {
                            halo.start(UnsafeBufferPointer(start: state, count: stateCount), localNx: lnx, localNy: lny,
                                       nz: nz, memberCount: M, communicator: communicator)
                        } else {
                            halo.progress()
                        }
                    }
                }
            }
        }
        ensemble.values = current
        workspace.state = other
        workspace.cellAir = cellAir; workspace.airMid = airMid
        workspace.columnSolve = columnSolve
        if givenColumns == nil { workspace.columnFlux = packedFlux }
        // Shared with the result: reused next hour without a copy once the
        // caller has let go of it.
        workspace.lateral = lateral; workspace.top = top
        return HourTransport(substeps: air.substeps, verticalSubsteps: air.verticalSubsteps,
                             lateralInflow: lateral, topInflow: top)
    }

    /// Sets the ghost cells outside the domain on the ends of `lines` before a
    /// sweep: the boundary mole fraction where the edge face flows inward,
    /// else the edge cell's value (zero-gradient outflow).
    private func fillGhosts(alongX: Bool, values: inout [Double], lines: Range<Int>, air: AirMassFluxes,
                            sides: (west: [Double], east: [Double], south: [Double], north: [Double]),
                            lnx: Int, lny: Int, iOff: Int, jOff: Int, M: Int, nz: Int) {
        let (west, east, south, north) = sides
        let nx = grid.nx, ny = grid.ny, margin = TracerEnsemble.margin
        let low = alongX ? tile.iRange.lowerBound == 0 : tile.jRange.lowerBound == 0
        let high = alongX ? tile.iRange.upperBound == nx : tile.jRange.upperBound == ny
        guard low || high else { return }
        let n = alongX ? lnx : lny
        values.withUnsafeMutableBufferPointer { v in
            for k in 0..<nz {
                for line in lines {
                    func cell(_ c: Int) -> Int { alongX ? ((k * lny + line) * lnx + c) * M : ((k * lny + c) * lnx + line) * M }
                    let along = alongX ? line + jOff : line + iOff
                    let sideLength = alongX ? ny : nx
                    if low {
                        let face = alongX ? air.xFlux[(k * ny + along) * (nx + 1)] : air.yFlux[(k * (ny + 1)) * nx + along]
                        let edge = cell(margin), b = alongX ? west : south
                        for g in 0..<margin {
                            let ghost = cell(g)
                            for m in 0..<M { v[ghost + m] = face > 0 ? b[(k * sideLength + along) * M + m] : v[edge + m] }
                        }
                    }
                    if high {
                        let face = alongX ? air.xFlux[(k * ny + along) * (nx + 1) + nx] : air.yFlux[(k * (ny + 1) + ny) * nx + along]
                        let edge = cell(n - margin - 1), b = alongX ? east : north
                        for g in (n - margin)..<n {
                            let ghost = cell(g)
                            for m in 0..<M { v[ghost + m] = face < 0 ? b[(k * sideLength + along) * M + m] : v[edge + m] }
                        }
                    }
                }
            }
        }
    }
}

/// Takes a buffer of `count` values out of `storage` (leaving it empty, so
/// that writing it never copies), allocating one if the size differs. Its
/// values are stale unless `zeroed`: the caller writes every one.
func reusing(_ storage: inout [Double], count: Int, zeroed: Bool = false) -> [Double] {
    var buffer: [Double] = []
    swap(&buffer, &storage)
    guard buffer.count == count else { return [Double](repeating: 0, count: count) }
    if zeroed { buffer.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
    return buffer
}
