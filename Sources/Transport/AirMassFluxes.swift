import Geometry
import Meteorology
import Parallel

/// The air-mass fluxes of one hour (mol s-1), derived from a `MetFields`, on
/// the part of the grid one tile reads, and the time steps they allow. Arrays
/// have the whole grid's layout but are filled only on the tile's region
/// (owned cells plus margin, clipped to the domain) and, for `W`, its owned
/// columns. Each value is computed from the same inputs by the same
/// operations whichever rank computes it, and the step counts are maxima over
/// the group (exact in any order), so everything is identical whatever the
/// decomposition.
///
/// - x-face flux `Fx = n̄_d · u · xFaceLength · Δz` of dry air (n̄_d the mean
///   of the two cells' ``MetFields/dryAirMolarDensity(_:)``, the inner cell
///   on the domain edge), layout of `MetFields.u`;
/// - y-face flux `Fy` likewise, layout of `MetFields.v`;
/// - vertical flux `W` on layer interfaces (layout of `MetFields.kz`), derived
///   from air-mass continuity column by column: W = 0 at the ground and
///   `W(k+1) = W(k) - (Fx(i+1) - Fx(i) + Fy(j+1) - Fy(j))` in layer k, so the
///   air mass of every cell is steady; what the column does not balance
///   leaves or enters through the model top.
///
/// One instance per model is refilled every hour (``update``): its arrays keep
/// their pages, so an hour costs no fresh memory (Docs/performance.md).
final class AirMassFluxes {
    let nx: Int, ny: Int, nz: Int
    /// The tile's cells plus margin clipped to the domain, and its own cells.
    let region: (i: Range<Int>, j: Range<Int>)
    let owned: (i: Range<Int>, j: Range<Int>)
    /// Air in each cell, n_air · area · Δz (mol), cell layout.
    private(set) var cellAir: [Double]
    private(set) var xFlux: [Double]
    private(set) var yFlux: [Double]
    private(set) var verticalFlux: [Double]
    /// Horizontal steps per hour (Courant <= limit in x and in y).
    private(set) var substeps = 0
    /// Vertical advection sub-steps per horizontal step (Courant <= limit in z).
    private(set) var verticalSubsteps = 0
    /// Grid indices `(k * ny + j) * nx + i` of the owned cells, and per owned
    /// cell (same order) the air leaving through the two faces of each
    /// direction and the net outflow of each direction, per second.
    private let ownedCells: [Int]
    private var outX: [Double], outY: [Double], netX: [Double], netY: [Double]
    /// Dry-air molar density of the hour on ``meteorologyRegion`` (cell layout).
    private var dryAir: [Double]

    /// The cells whose meteorology the update reads: the region and the
    /// cells across its faces (a face flux averages the cells on both sides).
    var meteorologyRegion: CellRegion {
        CellRegion(i: region.i, j: region.j).grown(by: 1, nx: nx, ny: ny)
    }

    /// `region` is the tile's cells plus margin clipped to the domain, `owned`
    /// its own cells.
    init(nx: Int, ny: Int, nz: Int, region: (i: Range<Int>, j: Range<Int>), owned: (i: Range<Int>, j: Range<Int>)) {
        self.nx = nx; self.ny = ny; self.nz = nz
        self.region = region; self.owned = owned
        cellAir = [Double](repeating: 0, count: nx * ny * nz)
        xFlux = [Double](repeating: 0, count: (nx + 1) * ny * nz)
        yFlux = [Double](repeating: 0, count: nx * (ny + 1) * nz)
        // W = 0 at the ground stays from here: only interfaces k >= 1 are written.
        verticalFlux = [Double](repeating: 0, count: nx * ny * (nz + 1))
        var cells: [Int] = []
        cells.reserveCapacity(owned.i.count * owned.j.count * nz)
        for k in 0..<nz { for j in owned.j { for i in owned.i { cells.append((k * ny + j) * nx + i) } } }
        ownedCells = cells
        outX = [Double](repeating: 0, count: cells.count)
        outY = outX; netX = outX; netY = outX
        dryAir = [Double](repeating: 0, count: nx * ny * nz)
    }

    /// Refills every array from the hour's meteorology; collective over the
    /// group `communicator` (the step counts are maxima over all tiles).
    func update(met: MetFields, metrics: GridMetrics, layers: VerticalLayers, courantLimit: Double,
                communicator: any Communicator) throws(TransportError) {
        guard metrics.grid.nx == nx, metrics.grid.ny == ny, layers.count == nz else {
            throw .invalidInput("air-mass fluxes were set up for another grid")
        }
        guard met.nx == nx, met.ny == ny, met.nz == nz else {
            throw .invalidInput("meteorology of \(met.time) is \(met.nx) x \(met.ny) x \(met.nz), grid is \(nx) x \(ny) x \(nz)")
        }
        let cells = nx * ny * nz
        guard met.u.count == (nx + 1) * ny * nz, met.v.count == nx * (ny + 1) * nz,
              met.airMolarDensity.count == cells, met.waterVapour.count == cells, met.kz.count == nx * ny * (nz + 1) else {
            throw .invalidInput("meteorology of \(met.time) has arrays of the wrong length (u, v, airMolarDensity, waterVapour or kz)")
        }
        let needed = meteorologyRegion
        guard met.region.contains(needed) else {
            throw .invalidInput("meteorology of \(met.time) holds \(met.region); this tile reads \(needed)")
        }
        // Checked on every value the tile reads before any collective call.
        // The tiles' regions cover the grid, so every value is checked by
        // some rank; a rank that finds a bad one stops the run with its message.
        let centres = Self.runs(layers: 0..<nz, rows: needed.j, rowCount: ny, rowLength: nx, columns: needed.i)
        if let bad = Self.firstRejected(met.airMolarDensity, in: centres, { $0 > 0 && $0 < .infinity }) {
            throw .invalidInput("meteorology of \(met.time): airMolarDensity[\(bad)] = \(met.airMolarDensity[bad]) is not positive")
        }
        if let bad = Self.firstRejected(met.waterVapour, in: centres, { $0 >= 0 && $0 < 1 }) {
            throw .invalidInput("meteorology of \(met.time): waterVapour[\(bad)] = \(met.waterVapour[bad]) is not a mole fraction below 1")
        }
        if let bad = Self.firstRejected(met.u, in: Self.runs(layers: 0..<nz, rows: needed.j, rowCount: ny, rowLength: nx + 1,
                                                             columns: needed.xFaces), { abs($0) < .infinity }) {
            throw .invalidInput("meteorology of \(met.time): u[\(bad)] = \(met.u[bad]) is not finite")
        }
        if let bad = Self.firstRejected(met.v, in: Self.runs(layers: 0..<nz, rows: needed.yFaces, rowCount: ny + 1, rowLength: nx,
                                                             columns: needed.i), { abs($0) < .infinity }) {
            throw .invalidInput("meteorology of \(met.time): v[\(bad)] = \(met.v[bad]) is not finite")
        }
        if let bad = Self.firstRejected(met.kz, in: Self.runs(layers: 0..<(nz + 1), rows: needed.j, rowCount: ny, rowLength: nx,
                                                              columns: needed.i), { $0 >= 0 && $0 < .infinity }) {
            throw .invalidInput("meteorology of \(met.time): kz[\(bad)] = \(met.kz[bad]) is not a diffusivity")
        }
        var n = reusing(&dryAir, count: cells)
        defer { dryAir = n }
        for run in centres { for c in run { n[c] = met.dryAirMolarDensity(c) } }
        let xLength = metrics.faces.xFaceLength, yLength = metrics.faces.yFaceLength
        let region = region, ownedRanges = self.owned, ownedCells = ownedCells
        // Moved out of the instance while they are written: locals are
        // uniquely owned (no copy) and skip the class's exclusivity checks.
        let ownedCount = ownedCells.count
        var air = reusing(&cellAir, count: cells), fx = reusing(&xFlux, count: (nx + 1) * ny * nz)
        var fy = reusing(&yFlux, count: nx * (ny + 1) * nz), w = reusing(&verticalFlux, count: nx * ny * (nz + 1))
        var outX = reusing(&self.outX, count: ownedCount), outY = reusing(&self.outY, count: ownedCount)
        var netX = reusing(&self.netX, count: ownedCount), netY = reusing(&self.netY, count: ownedCount)
        defer {
            cellAir = air; xFlux = fx; yFlux = fy; verticalFlux = w
            self.outX = outX; self.outY = outY; self.netX = netX; self.netY = netY
        }
        for k in 0..<nz {
            let dz = layers.thickness(k)
            for j in region.j {
                for i in region.i { air[(k * ny + j) * nx + i] = n[(k * ny + j) * nx + i] * metrics.cellArea[j * nx + i] * dz }
                for i in region.i.lowerBound...region.i.upperBound {
                    let west = n[(k * ny + j) * nx + max(i - 1, 0)], east = n[(k * ny + j) * nx + min(i, nx - 1)]
                    let face = (k * ny + j) * (nx + 1) + i
                    fx[face] = 0.5 * (west + east) * met.u[face] * xLength[j * (nx + 1) + i] * dz
                }
            }
            for j in region.j.lowerBound...region.j.upperBound {
                for i in region.i {
                    let south = n[(k * ny + max(j - 1, 0)) * nx + i], north = n[(k * ny + min(j, ny - 1)) * nx + i]
                    let face = (k * (ny + 1) + j) * nx + i
                    fy[face] = 0.5 * (south + north) * met.v[face] * yLength[j * nx + i] * dz
                }
            }
        }
        var o = 0
        for k in 0..<nz {
            for j in ownedRanges.j {
                for i in ownedRanges.i {
                    let west = fx[(k * ny + j) * (nx + 1) + i], east = fx[(k * ny + j) * (nx + 1) + i + 1]
                    let south = fy[(k * (ny + 1) + j) * nx + i], north = fy[(k * (ny + 1) + j + 1) * nx + i]
                    w[((k + 1) * ny + j) * nx + i] = w[(k * ny + j) * nx + i] - (east - west + north - south)
                    outX[o] = max(east, 0) + max(-west, 0)
                    outY[o] = max(north, 0) + max(-south, 0)
                    netX[o] = east - west
                    netY[o] = north - south
                    o += 1
                }
            }
        }
        // Steps: the Courant number (outgoing air over the air the sweep
        // starts from) must stay within the limit in both sweep orders: a
        // first sweep starts from the meteorology's air, a second from the
        // air the first left, m - Δt·net. Start from the first-sweep bound
        // and add steps until the second sweeps also satisfy it.
        func largestCourant(_ dt: Double) -> Double {
            var largest = 0.0
            for (o, c) in ownedCells.enumerated() {
                let afterX = air[c] - dt * netX[o], afterY = air[c] - dt * netY[o]
                guard afterX > 0, afterY > 0 else { largest = .infinity; break }
                largest = max(largest, outX[o] * dt / air[c], outY[o] * dt / air[c],
                              outY[o] * dt / afterX, outX[o] * dt / afterY)
            }
            return communicator.allreduce(largest, .max)
        }
        var firstSweep = 0.0
        for (o, c) in ownedCells.enumerated() { firstSweep = max(firstSweep, max(outX[o], outY[o]) * 3600 / air[c]) }
        firstSweep = communicator.allreduce(firstSweep, .max)
        var steps = max(1, Int((firstSweep / courantLimit).rounded(.up)))
        while largestCourant(3600 / Double(steps)) > courantLimit { steps += 1 }
        substeps = steps
        let dt = 3600 / Double(substeps)
        // Vertical sub-steps start from the air after both horizontal sweeps.
        var cz = 0.0
        for (o, c) in ownedCells.enumerated() {
            let below = w[c], above = w[c + nx * ny]
            let start = air[c] - dt * (netX[o] + netY[o])
            cz = max(cz, (max(above, 0) + max(-below, 0)) * dt / start)
        }
        verticalSubsteps = max(1, Int((communicator.allreduce(cz, .max) / courantLimit).rounded(.up)))
    }

    /// The index ranges of `columns` in each of `rows` of each of `layers`,
    /// in increasing order, for an array of `rowCount` rows of `rowLength`
    /// values per layer.
    private static func runs(layers: Range<Int>, rows: Range<Int>, rowCount: Int, rowLength: Int,
                             columns: Range<Int>) -> [Range<Int>] {
        layers.flatMap { k in
            rows.map { j in
                let start = (k * rowCount + j) * rowLength
                return (start + columns.lowerBound)..<(start + columns.upperBound)
            }
        }
    }

    /// The first value in `runs` that `accept` rejects (NaN must fail it),
    /// if any: a branch-free pass that vectorises, then the search only when
    /// it fails.
    private static func firstRejected(_ values: [Double], in runs: [Range<Int>], _ accept: (Double) -> Bool) -> Int? {
        let rejected = values.withUnsafeBufferPointer { v in
            var rejected = 0
            for run in runs { for x in v[run] { rejected |= accept(x) ? 0 : 1 } }
            return rejected
        }
        guard rejected != 0 else { return nil }
        for run in runs { if let bad = values[run].firstIndex(where: { !accept($0) }) { return bad } }
        return nil
    }
}
