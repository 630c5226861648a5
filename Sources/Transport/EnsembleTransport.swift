import Geometry
import Meteorology
import Parallel

/// The cycling engine's view of a transport model: one member group's block
/// of ensemble members on one tile of the grid, advanced an hour at a time.
/// Another transport scheme or model plugs in as one new type conforming to
/// this protocol; the engine never sees its storage layout.
///
/// Concentrations leave and enter in the analysis column layout: for owned
/// cell number c (position in ``ownedCells``), layer k and member slot m
/// (member `members.lowerBound + m`), the value sits at
/// `c * columnStride + k * memberCount + m` of the caller's buffer.
public protocol EnsembleTransport: AnyObject {
    var grid: HorizontalGrid { get }
    var layers: VerticalLayers { get }
    /// Grid cells (j * nx + i) this rank holds, ascending.
    var ownedCells: [Int] { get }
    /// The members this rank holds (a contiguous block of the ensemble).
    var members: Range<Int> { get }
    /// The cells whose meteorology ``advance(met:flux:boundary:)`` reads
    /// (the fields may leave the rest of the grid unfilled).
    var meteorologyRegion: CellRegion { get }

    /// Advances every member by one hour with meteorology `met` held over
    /// the hour, the members' surface fluxes and the lateral boundary
    /// (collective over the member group's tiles).
    func advance(met: MetFields, flux: SurfaceFlux, boundary: LateralBoundary) throws

    /// Copies the concentrations of the owned cells numbered `columns`
    /// (positions in ``ownedCells``) into `buffer` (layout above); the rest
    /// of `buffer` is left as it is.
    func exportConcentrations(into buffer: UnsafeMutableBufferPointer<Double>, columnStride: Int, columns: [Int])
    /// Replaces the concentrations of the owned cells numbered `columns`
    /// from `buffer` (layout above).
    func importConcentrations(from buffer: UnsafeBufferPointer<Double>, columnStride: Int, columns: [Int])
    /// Layer `k` of every owned cell and held member, [c * memberCount + m].
    func layer(_ k: Int) -> [Double]
    /// The columns of `cells` (each owned by this rank), [(n * nz + k) * memberCount + m].
    func columns(at cells: [Int]) -> [Double]
}

extension EnsembleTransport {
    /// Number of members held.
    public var memberCount: Int { members.count }

    /// The whole owned state in column layout, [(c * nz + k) * memberCount + m].
    public func columns() -> [Double] {
        let stride = layers.count * memberCount
        var values = [Double](repeating: 0, count: ownedCells.count * stride)
        values.withUnsafeMutableBufferPointer {
            exportConcentrations(into: $0, columnStride: stride, columns: Array(ownedCells.indices))
        }
        return values
    }
}

/// The van Leer (or upwind) tracer model of ``TransportModel`` as an
/// ``EnsembleTransport``: the model, its ensemble and the member group's
/// communicator held together.
public final class TileEnsembleTransport: EnsembleTransport {
    public let model: TransportModel
    public private(set) var ensemble: TracerEnsemble
    let group: any Communicator
    public let ownedCells: [Int]

    /// A model of tile `tileIndex` of `decomposition` holding `members`, each
    /// cell starting at `initial(member, i, j, k)`; `group` connects the tiles
    /// of this member group (rank = tile index).
    public init(grid: HorizontalGrid, layers: VerticalLayers, decomposition: TileDecomposition, tileIndex: Int,
                members: Range<Int>, options: TransportOptions, group: any Communicator,
                initial: (_ member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double) {
        model = TransportModel(grid: grid, layers: layers, decomposition: decomposition, tileIndex: tileIndex,
                               options: options)
        ensemble = model.makeEnsemble(members: members, initial: initial)
        self.group = group
        let tile = model.tile, nx = grid.nx
        ownedCells = tile.jRange.flatMap { j in tile.iRange.map { i in j * nx + i } }
    }

    public var grid: HorizontalGrid { model.grid }
    public var layers: VerticalLayers { model.layers }
    public var members: Range<Int> { ensemble.members }
    public var meteorologyRegion: CellRegion { model.meteorologyRegion }

    public func advance(met: MetFields, flux: SurfaceFlux, boundary: LateralBoundary) throws {
        _ = try model.advance(&ensemble, met: met, flux: flux, boundary: boundary, communicator: group)
    }

    public func exportConcentrations(into buffer: UnsafeMutableBufferPointer<Double>, columnStride: Int, columns: [Int]) {
        let M = ensemble.memberCount, nx = grid.nx
        ensemble.values.withUnsafeBufferPointer { values in
            for c in columns {
                let cell = ownedCells[c]
                for k in 0..<layers.count {
                    (buffer.baseAddress! + c * columnStride + k * M)
                        .update(from: values.baseAddress! + ensemble.offset(cell % nx, cell / nx, k), count: M)
                }
            }
        }
    }

    public func importConcentrations(from buffer: UnsafeBufferPointer<Double>, columnStride: Int, columns: [Int]) {
        let M = ensemble.memberCount, nx = grid.nx
        let offsets = columns.map { c in (0..<layers.count).map { ensemble.offset(ownedCells[c] % nx, ownedCells[c] / nx, $0) } }
        ensemble.values.withUnsafeMutableBufferPointer { values in
            for (c, columnOffsets) in zip(columns, offsets) {
                for (k, offset) in columnOffsets.enumerated() {
                    (values.baseAddress! + offset).update(from: buffer.baseAddress! + c * columnStride + k * M, count: M)
                }
            }
        }
    }

    public func columns(at cells: [Int]) -> [Double] {
        let M = ensemble.memberCount, nx = grid.nx
        var out: [Double] = []
        out.reserveCapacity(cells.count * layers.count * M)
        for cell in cells {
            for k in 0..<layers.count {
                let base = ensemble.offset(cell % nx, cell / nx, k)
                out.append(contentsOf: ensemble.values[base..<(base + M)])
            }
        }
        return out
    }

    public func layer(_ k: Int) -> [Double] {
        let M = ensemble.memberCount, nx = grid.nx
        var out: [Double] = []
        out.reserveCapacity(ownedCells.count * M)
        for cell in ownedCells {
            let base = ensemble.offset(cell % nx, cell / nx, k)
            out.append(contentsOf: ensemble.values[base..<(base + M)])
        }
        return out
    }
}
