import Geometry
import ModelTime

/// The meteorology of one hour on the whole grid, as the transport model
/// needs it. Layouts (row-major, i west-east fastest):
/// - cell centres: `(k * ny + j) * nx + i`, k = 0 the lowest layer;
/// - x-faces (`u`): `(k * ny + j) * (nx + 1) + i`, face i is the west face of
///   cell i (face nx the east edge of the domain);
/// - y-faces (`v`): `(k * (ny + 1) + j) * nx + i`, face j the south face of row j;
/// - layer interfaces (`kz`, `w`): `(k * ny + j) * nx + i` for k = 0...nz,
///   k = 0 the ground and k = nz the model top;
/// - surface fields: `j * nx + i`.
/// Winds are true (not map-scaled) speeds along the projection's x and y axes.
///
/// The arrays always have the whole grid's layout, but a provider asked for
/// a ``CellRegion`` may fill only that region (``region``): its cells, the
/// faces and interfaces bounding them and their surface fields. Values
/// elsewhere are NaN.
public struct MetFields: Sendable {
    public let time: ModelHour
    public let nx: Int
    public let ny: Int
    public let nz: Int
    /// The cells whose values (with their faces and interfaces) the fields
    /// hold: the whole grid unless a provider was asked for less.
    public let region: CellRegion
    /// x-wind on x-faces (m s-1).
    public var u: [Double]
    /// y-wind on y-faces (m s-1).
    public var v: [Double]
    /// Vertical wind on layer interfaces (m s-1, up), or nil when the provider
    /// has none; transport then derives the vertical mass flux from continuity.
    public var w: [Double]?
    /// Air temperature at cell centres (K).
    public var temperature: [Double]
    /// Air pressure at cell centres (Pa).
    public var pressure: [Double]
    /// Air molar density at cell centres (mol m-3), such that n_air · A · Δz
    /// with the domain's nominal layer thickness Δz is the cell's air. For
    /// providers on fixed-height layers that is n_air = p / (R* T); for WRF's
    /// terrain-following levels (``WRFMeteorology``) it is the layer's air
    /// content (mol m-2) over the nominal thickness.
    public var airMolarDensity: [Double]
    /// Eddy diffusivity Kz on layer interfaces (m2 s-1; 0 at ground and top).
    public var kz: [Double]
    /// Boundary-layer height (m above ground), surface field.
    public var pblHeight: [Double]
    /// Water-vapour mole fraction w at cell centres (mol mol-1): transport
    /// carries CO2 per mole of dry air, n_air (1 − w) (``dryAirMolarDensity(_:)``).
    public var waterVapour: [Double]
    /// Surface pressure (Pa), surface field.
    public var surfacePressure: [Double]

    public init(time: ModelHour, nx: Int, ny: Int, nz: Int, u: [Double], v: [Double], w: [Double]?,
                temperature: [Double], pressure: [Double], airMolarDensity: [Double], kz: [Double],
                pblHeight: [Double], waterVapour: [Double], surfacePressure: [Double], region: CellRegion? = nil) {
        self.time = time
        self.nx = nx
        self.ny = ny
        self.nz = nz
        self.region = region ?? CellRegion(i: 0..<nx, j: 0..<ny)
        self.u = u
        self.v = v
        self.w = w
        self.temperature = temperature
        self.pressure = pressure
        self.airMolarDensity = airMolarDensity
        self.kz = kz
        self.pblHeight = pblHeight
        self.waterVapour = waterVapour
        self.surfacePressure = surfacePressure
    }

    /// Dry-air molar density n_d = n_air (1 − w) at cell centre `index`
    /// (mol m-3). RCAS's CO2 is a dry-air mole fraction (SCIENCE.md §3), so
    /// the air that transport moves, that fluxes are injected into and that
    /// masses are counted in is dry air (Docs/transport.md, "Dry air").
    @inline(__always) public func dryAirMolarDensity(_ index: Int) -> Double {
        airMolarDensity[index] * (1 - waterVapour[index])
    }

    /// Index of cell centre (i, j, k).
    @inline(__always) public func cell(_ i: Int, _ j: Int, _ k: Int) -> Int { (k * ny + j) * nx + i }
    /// Index of x-face (i, j, k).
    @inline(__always) public func xFace(_ i: Int, _ j: Int, _ k: Int) -> Int { (k * ny + j) * (nx + 1) + i }
    /// Index of y-face (i, j, k).
    @inline(__always) public func yFace(_ i: Int, _ j: Int, _ k: Int) -> Int { (k * (ny + 1) + j) * nx + i }
    /// Index of interface (i, j, k), k = 0...nz.
    @inline(__always) public func interface(_ i: Int, _ j: Int, _ k: Int) -> Int { (k * ny + j) * nx + i }
}

/// Universal gas constant R* (J mol-1 K-1), for n_air = p / (R* T).
public let universalGasConstant = 8.314_462_618

/// A source of hourly meteorology on a domain's grid: the synthetic generator
/// (the embedded default) or a reader of user-prepared NetCDF files.
public protocol MeteorologyProvider {
    /// The grid and layers the fields are on.
    var domain: Domain { get }
    /// The fields valid at `time` (instantaneous, at the top of the hour).
    func fields(at time: ModelHour) throws -> MetFields
    /// The fields valid at `time`, of which only `region` (its cells, the
    /// faces and interfaces bounding them) is needed: a rank's tile and
    /// margin. A provider may return more; by default the whole grid.
    func fields(at time: ModelHour, region: CellRegion) throws -> MetFields
}

extension MeteorologyProvider {
    public func fields(at time: ModelHour, region: CellRegion) throws -> MetFields { try fields(at: time) }
}
