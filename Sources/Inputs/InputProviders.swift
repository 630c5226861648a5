import Geometry
import ModelTime
import SyntheticWorld

/// Where a run's prior surface fluxes come from: the synthetic world, or
/// files (CarbonTracker, CF lat/lon) regridded to the domain. The engine asks
/// for one hour at a time and never sees the source.
public protocol PriorFluxProvider: Sendable {
    /// One line naming the source, for logs and `rcas inputs check`.
    var sourceDescription: String { get }
    /// Where each component comes from (one line each), for `rcas inputs
    /// check`; by default the source description for all four.
    var componentSources: [PriorFluxComponent: String] { get }
    /// The four components valid over [hour, hour + 1) on the domain grid,
    /// µmol m-2 s-1, positive upward (into the atmosphere), cell j * nx + i.
    func fluxes(at hour: ModelHour) throws -> FluxComponents
    /// The four components of `cells` (grid cell indices, a rank's tile);
    /// a provider that computes each cell alone leaves the others NaN. By
    /// default the whole grid.
    func fluxes(at hour: ModelHour, cells: [Int]) throws -> FluxComponents
    /// Throws, naming the input, for the first of `hours` the source cannot
    /// give, without reading any data (`rcas inputs check`); by default
    /// every hour (a generator).
    func checkCoverage(_ hours: ClosedRange<ModelHour>) throws
}

extension PriorFluxProvider {
    public func fluxes(at hour: ModelHour, cells: [Int]) throws -> FluxComponents { try fluxes(at: hour) }

    public func checkCoverage(_ hours: ClosedRange<ModelHour>) throws {}

    public var componentSources: [PriorFluxComponent: String] {
        Dictionary(uniqueKeysWithValues: PriorFluxComponent.allCases.map { ($0, sourceDescription) })
    }
}

/// Where a run's initial and lateral-boundary CO2 comes from: the synthetic
/// background, or a global mole-fraction product interpolated to the domain.
public protocol BackgroundProvider: Sendable {
    /// One line naming the source, for logs and `rcas inputs check`.
    var sourceDescription: String { get }
    /// The 3-D dry-air mole fraction (ppm) at cell centres and layer
    /// mid-heights at `time`, index (k * ny + j) * nx + i: the initial field.
    func initialField(at time: ModelHour) throws -> [Double]
    /// The lateral-boundary values (ppm) at `time`, one ring of ghost cells
    /// around the domain per layer.
    func boundary(at time: ModelHour) throws -> BoundaryValues
    /// The lateral-boundary values of the ghost cells next to `region`'s
    /// cells (the region a rank's transport reads); a provider that computes
    /// each ghost cell alone leaves the others NaN. By default the whole ring.
    func boundary(at time: ModelHour, region: CellRegion) throws -> BoundaryValues
    /// Throws, naming the input, for the first of `hours` the source cannot
    /// give, without reading any data (`rcas inputs check`); by default
    /// every hour (a generator).
    func checkCoverage(_ hours: ClosedRange<ModelHour>) throws
}

extension BackgroundProvider {
    public func checkCoverage(_ hours: ClosedRange<ModelHour>) throws {}

    public func boundary(at time: ModelHour, region: CellRegion) throws -> BoundaryValues { try boundary(at: time) }
}

/// Mole fractions (ppm) of the ring of ghost cells just outside the domain,
/// per layer: west (i = -1) and east (i = nx) sides along j, south (j = -1)
/// and north (j = ny) sides along i.
public struct BoundaryValues: Sendable, Equatable {
    public let nx: Int
    public let ny: Int
    public let nz: Int
    /// West and east sides: index k * ny + j.
    public var west: [Double]
    public var east: [Double]
    /// South and north sides: index k * nx + i.
    public var south: [Double]
    public var north: [Double]

    public init(nx: Int, ny: Int, nz: Int, west: [Double], east: [Double], south: [Double], north: [Double]) {
        precondition(west.count == nz * ny && east.count == nz * ny && south.count == nz * nx && north.count == nz * nx,
                     "boundary sides must hold one value per layer and cell along the side")
        self.nx = nx
        self.ny = ny
        self.nz = nz
        self.west = west
        self.east = east
        self.south = south
        self.north = north
    }

    /// The ring taken from the outermost cells of a 3-D field (index
    /// (k * ny + j) * nx + i): ghost cells copy the nearest edge cell.
    public init(edgesOf field: [Double], nx: Int, ny: Int, nz: Int) {
        precondition(field.count == nx * ny * nz, "field must cover the grid")
        self.init(nx: nx, ny: ny, nz: nz) { i, j, k in field[(k * ny + j) * nx + i] }
    }

    /// Each ghost cell takes `edge(i, j, k)` of the edge cell (i, j) next to
    /// it in layer k (zero-gradient inflow): the outermost cells of each side.
    /// With `region`, only ghost cells whose edge cell is in it are
    /// evaluated; the others are NaN.
    public init(nx: Int, ny: Int, nz: Int, region: CellRegion? = nil, edge: (_ i: Int, _ j: Int, _ k: Int) -> Double) {
        func value(_ i: Int, _ j: Int, _ k: Int) -> Double { region?.contains(i: i, j: j) == false ? .nan : edge(i, j, k) }
        self.init(nx: nx, ny: ny, nz: nz,
                  west: (0..<nz).flatMap { k in (0..<ny).map { value(0, $0, k) } },
                  east: (0..<nz).flatMap { k in (0..<ny).map { value(nx - 1, $0, k) } },
                  south: (0..<nz).flatMap { k in (0..<nx).map { value($0, 0, k) } },
                  north: (0..<nz).flatMap { k in (0..<nx).map { value($0, ny - 1, k) } })
    }

    /// The value of ghost cell (i, j) in layer k: i = -1 or nx with 0 <= j < ny,
    /// or j = -1 or ny with 0 <= i < nx.
    @inline(__always) public func value(_ i: Int, _ j: Int, _ k: Int) -> Double {
        if i < 0 { return west[k * ny + j] }
        if i >= nx { return east[k * ny + j] }
        if j < 0 { return south[k * nx + i] }
        return north[k * nx + i]
    }
}

extension SyntheticPriorFlux: PriorFluxProvider {
    public var sourceDescription: String { "synthetic (Docs/synthetic-world.md)" }
    public func fluxes(at hour: ModelHour) throws -> FluxComponents { components(at: hour) }
    public func fluxes(at hour: ModelHour, cells: [Int]) throws -> FluxComponents { components(at: hour, cells: cells) }
}

extension SyntheticBackground: BackgroundProvider {
    public var sourceDescription: String { "synthetic (Docs/synthetic-world.md)" }
    public func initialField(at time: ModelHour) throws -> [Double] { field(at: time) }
    /// Ghost cells take the nearest edge column's value (computed for the
    /// edge columns only).
    public func boundary(at time: ModelHour) throws -> BoundaryValues { ring(at: time, region: nil) }

    /// Only the edge columns in `region`; the other ghost cells are NaN.
    public func boundary(at time: ModelHour, region: CellRegion) throws -> BoundaryValues { ring(at: time, region: region) }

    private func ring(at time: ModelHour, region: CellRegion?) -> BoundaryValues {
        let nx = grid.nx
        return BoundaryValues(nx: nx, ny: grid.ny, nz: layers.count, region: region) { i, j, k in
            value(cell: j * nx + i, layer: k, at: time)
        }
    }
}
