import Geometry
import Meteorology
import Parallel

/// The floor the transport kernel is measured against (`rcas bench transport
/// --reference`, Docs/performance.md): a plain dimensionally split step on the
/// model's grid and memory layout (``TracerEnsemble``, members innermost) that
/// does only what every such step must do - first-order upwind x and y sweeps
/// in the model's mass-consistent flux form (``LineSweeper``) and the implicit
/// vertical diffusion solve (``ColumnDiffusion``, with zero surface flux) -
/// with the model's step count, x-y order alternating by step, and the
/// diffusion run on each line of the second sweep. It has no limiter, no
/// vertical advection, no halo exchange and no budgets; domain edges are
/// zero-gradient (ghost cells copy the edge cell). Serial: one tile holds the
/// whole grid.
public final class UpwindReferenceKernel {
    public let grid: HorizontalGrid
    public let layers: VerticalLayers
    private let metrics: GridMetrics
    private let courantLimit: Double
    private let airMass: AirMassFluxes
    private var other: [Double] = []
    private var airMid: [Double] = []
    private var columnSolve: [Double] = []

    /// The kernel for the whole-grid tile of `model` (same grid, layers,
    /// metrics and Courant limit).
    public init(model: TransportModel) {
        grid = model.grid
        layers = model.layers
        metrics = model.metrics
        courantLimit = model.options.courantLimit
        let whole = (i: 0..<model.grid.nx, j: 0..<model.grid.ny)
        airMass = AirMassFluxes(nx: grid.nx, ny: grid.ny, nz: layers.count, region: whole, owned: whole)
    }

    /// Advances `ensemble` (which must hold the whole grid) by one hour of
    /// `met` with zero surface flux; returns the number of steps.
    public func advance(_ ensemble: inout TracerEnsemble, met: MetFields) throws(TransportError) -> Int {
        let nx = grid.nx, ny = grid.ny, nz = layers.count, margin = TracerEnsemble.margin
        guard ensemble.tile.iRange == 0..<nx, ensemble.tile.jRange == 0..<ny, ensemble.nz == nz else {
            throw .invalidInput("the reference kernel needs an ensemble holding the whole grid")
        }
        try airMass.update(met: met, metrics: metrics, layers: layers, courantLimit: courantLimit,
                           communicator: SerialCommunicator())
        let steps = airMass.substeps, dt = 3600 / Double(steps)
        let M = ensemble.memberCount, lnx = ensemble.localNx, lny = ensemble.localNy, plane = lnx * lny
        let xFlux = airMass.xFlux, yFlux = airMass.yFlux, meteorologyAir = airMass.cellAir
        var solve = reusing(&columnSolve, count: nx * ny * ColumnDiffusion.valuesPerLayer * nz)
        ColumnDiffusion.factorize(met: met, layers: layers, columns: (0..<nx, 0..<ny), dt: dt, into: &solve)
        defer { columnSolve = solve }
        // Per line: air crossing each face in the step, air in each cell
        // before the sweep, tracer crossing two faces; zero surface flux.
        let longest = max(lnx, lny)
        let faceAir = UnsafeMutablePointer<Double>.allocate(capacity: longest + 1)
        let airIn = UnsafeMutablePointer<Double>.allocate(capacity: longest)
        let tracer = UnsafeMutablePointer<Double>.allocate(capacity: 2 * M)
        let noFlux = UnsafeMutablePointer<Double>.allocate(capacity: M)
        noFlux.initialize(repeating: 0, count: M)
        defer { for p in [faceAir, airIn, tracer, noFlux] { p.deallocate() } }
        var middle = reusing(&airMid, count: nz * plane)
        defer { airMid = middle }

        /// One sweep along x or y of every line and layer from `source` into
        /// `destination`; the second sweep of a step diffuses each line's
        /// columns as soon as the line is done.
        func sweep(alongX: Bool, second: Bool, from source: inout [Double], to destination: inout [Double]) {
            let n = alongX ? nx : ny, lines = alongX ? ny : nx, cellStep = alongX ? 1 : lnx
            source.withUnsafeMutableBufferPointer { sourceBuffer in
                destination.withUnsafeMutableBufferPointer { destinationBuffer in
                    middle.withUnsafeMutableBufferPointer { airAfter in
                        solve.withUnsafeBufferPointer { factors in
                            let src = sourceBuffer.baseAddress!, dst = destinationBuffer.baseAddress!
                            for line in 0..<lines {
                                for k in 0..<nz {
                                    // Local index of the line's cell 0 (margin cells included).
                                    let start = k * plane + (alongX ? (line + margin) * lnx : line + margin)
                                    // Zero-gradient ghost cells at both ends.
                                    let low = src + (start + (margin - 1) * cellStep) * M
                                    let high = src + (start + (margin + n) * cellStep) * M
                                    low.update(from: low + cellStep * M, count: M)
                                    high.update(from: high - cellStep * M, count: M)
                                    for g in 0...n {
                                        faceAir[g + margin] = dt * (alongX ? xFlux[(k * ny + line) * (nx + 1) + g]
                                                                          : yFlux[(k * (ny + 1) + g) * nx + line])
                                    }
                                    for g in 0..<n {
                                        let c = g + margin
                                        airIn[c] = second ? airAfter[start + c * cellStep]
                                            : meteorologyAir[alongX ? (k * ny + line) * nx + g : (k * ny + g) * nx + line]
                                    }
                                    Self.upwindLine(source: src + start * M, destination: dst + start * M,
                                                    stride: cellStep * M, faceAir: faceAir, airIn: airIn, tracer: tracer,
                                                    first: margin, last: margin + n, memberCount: M)
                                    guard !second else { continue }
                                    for c in margin..<(margin + n) {
                                        airAfter[start + c * cellStep] = airIn[c] - (faceAir[c + 1] - faceAir[c])
                                    }
                                }
                                guard second else { continue }
                                for g in 0..<n {
                                    let (i, j) = alongX ? (g, line) : (line, g)
                                    let column = dst + ((j + margin) * lnx + i + margin) * M
                                    ColumnDiffusion.injectAndDiffuse(
                                        column, valuesStride: plane * M, into: column, stride: plane * M, flux: noFlux,
                                        memberCount: M,
                                        solve: factors.baseAddress! + (j * nx + i) * ColumnDiffusion.valuesPerLayer * nz,
                                        dt: dt, nz: nz)
                                }
                            }
                        }
                    }
                }
            }
        }

        // Two buffers moved out of their owners, so writing them never copies.
        var state = ensemble.values
        ensemble.values = []
        var spare = reusing(&other, count: state.count)
        for step in 0..<steps {
            let xFirst = step % 2 == 0
            sweep(alongX: xFirst, second: false, from: &state, to: &spare)
            sweep(alongX: !xFirst, second: true, from: &spare, to: &state)
        }
        ensemble.values = state
        other = spare
        return steps
    }

    /// First-order upwind in the mass-consistent flux form of ``LineSweeper``
    /// with C = 0 slopes: Φ_f = F_f χ_upwind, then
    /// χ'_c = (m_c χ_c - (Φ_{c+1} - Φ_c)) / (m_c - (F_{c+1} - F_c)).
    @inline(__always)
    private static func upwindLine(source: UnsafePointer<Double>, destination: UnsafeMutablePointer<Double>, stride: Int,
                                   faceAir: UnsafePointer<Double>, airIn: UnsafePointer<Double>,
                                   tracer: UnsafeMutablePointer<Double>, first: Int, last: Int, memberCount M: Int) {
        // Φ of the first face, then per face Φ and the update of the cell
        // west of it in one loop.
        var west = tracer, east = tracer + M
        do {
            let F = faceAir[first], up = source + (F >= 0 ? first - 1 : first) * stride
            for m in 0..<M { west[m] = F * up[m] }
        }
        for f in (first + 1)...last {
            let F = faceAir[f]
            let up = source + (F >= 0 ? f - 1 : f) * stride
            let c = f - 1, m0 = airIn[c]
            let inverse = 1 / (m0 - (F - faceAir[c]))
            let s = source + c * stride, d = destination + c * stride
            for m in 0..<M {
                let flux = F * up[m]
                east[m] = flux
                d[m] = (m0 * s[m] - (flux - west[m])) * inverse
            }
            swap(&west, &east)
        }
    }
}
