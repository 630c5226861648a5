import Foundation
import Geometry
import ModelTime
import NetCDFIO

/// An ensemble held in memory for one hour: CO2 per member, and the
/// meteorology (pressure, water vapour) shared by all members. 3-D fields are
/// [k][j][i], index `(k * ny + j) * nx + i`, k = 0 the lowest layer.
public struct GriddedEnsembleSampler: EnsembleColumnSampler, Sendable {
    /// The horizontal grid of the fields.
    public let grid: HorizontalGrid
    /// The model layers of the fields.
    public let layers: VerticalLayers
    /// The hour the fields are valid at.
    public let hour: ModelHour
    /// CO2 (ppm) per member.
    public let co2: [[Double]]
    /// Layer mid pressure (Pa).
    public let pressure: [Double]
    /// Water-vapour mole fraction (mol/mol).
    public let waterVapour: [Double]

    public init(grid: HorizontalGrid, layers: VerticalLayers, hour: ModelHour, co2: [[Double]],
                pressure: [Double], waterVapour: [Double]) {
        let size = grid.cellCount * layers.count
        precondition(!co2.isEmpty && co2.allSatisfy { $0.count == size } && pressure.count == size
                     && waterVapour.count == size, "fields must have nx * ny * nz values")
        self.grid = grid
        self.layers = layers
        self.hour = hour
        self.co2 = co2
        self.pressure = pressure
        self.waterVapour = waterVapour
    }

    /// Number of members (CO2 fields).
    public var memberCount: Int { co2.count }

    /// The column of cell (i, j); `requested` must be ``hour``.
    public func column(i: Int, j: Int, member: Int, hour requested: ModelHour) throws -> ModelColumn {
        guard requested == hour else {
            throw ObservationError(file: "ensemble", variable: nil,
                                   message: "columns requested for \(requested), ensemble holds \(hour)")
        }
        let nz = layers.count
        let indices = (0..<nz).map { (k: Int) in (k * grid.ny + j) * grid.nx + i }
        return ModelColumn.extrapolatingPressures(
            co2: indices.map { co2[member][$0] }, pressure: indices.map { pressure[$0] },
            waterVapour: indices.map { waterVapour[$0] }, midHeights: (0..<nz).map(layers.midHeight),
            topHeight: layers.top)
    }
}

/// A one-member sampler reading a transport "concentration file" (the
/// contract with the transport module): CF NetCDF with dimensions `time`
/// (unlimited), `z`, `y`, `x`; `time(time)` hours since 1970-01-01; `z(z)`
/// layer mid-height (m); `co2(time,z,y,x)` ppm; `pressure(time,z,y,x)` Pa;
/// `water_vapour(time,z,y,x)` mol/mol; grid variables `x`, `y` (projection
/// metres, cell centres). The file must match the domain: x, y and z are
/// checked against the grid and layers (to 1 m). One hour is read at a time
/// and kept until another hour is asked for.
public final class ConcentrationFileSampler: EnsembleColumnSampler {
    /// The concentration file.
    public let path: String
    /// The domain grid the file was checked against.
    public let grid: HorizontalGrid
    /// The domain layers the file was checked against.
    public let layers: VerticalLayers
    /// The hours the file holds, in file order.
    public let hours: [ModelHour]
    private let file: NetCDFFile
    private var cached: GriddedEnsembleSampler?

    /// One member: the run the file holds.
    public var memberCount: Int { 1 }

    /// Opens and validates `path` against the domain's grid and layers.
    public init(path: String, grid: HorizontalGrid, layers: VerticalLayers) throws(ObservationError) {
        self.path = path
        self.grid = grid
        self.layers = layers
        let opened = try openObservationFile(path)
        file = opened
        hours = try reportingErrors(in: path) { try Self.validate(opened, grid: grid, layers: layers) }
    }

    private static func validate(_ file: NetCDFFile, grid: HorizontalGrid, layers: VerticalLayers) throws -> [ModelHour] {
        let root = file.root
        let reader = ObservationVariables(file: file)
        let nt = try root.dimensionLength("time")
        let nz = layers.count
        func fail(_ variable: String, _ message: String) -> ObservationError {
            ObservationError(file: file.path, variable: variable, message: message)
        }
        let time = try reader.times("time", shape: [nt])
        var hours: [ModelHour] = []
        for (index, seconds) in time.values.enumerated() {
            guard time.problem(row: index) == nil, seconds.truncatingRemainder(dividingBy: 3600) == 0,
                  let hour = ModelHour(checkedSecondsSince1970: seconds) else {
                throw fail("time", "value \(index) is not a whole hour (\(time.problem(row: index) ?? "\(seconds) s since 1970"))")
            }
            hours.append(hour)
        }
        for (name, count, expected) in [("x", grid.nx, (0..<grid.nx).map(grid.x)), ("y", grid.ny, (0..<grid.ny).map(grid.y)),
                                        ("z", nz, (0..<nz).map(layers.midHeight))] {
            let values = try reader.column(name, shape: [count]).values
            guard zip(values, expected).allSatisfy({ abs($0 - $1) <= 1 }) else {
                throw fail(name, "coordinates do not match the domain's \(name == "z" ? "layer mid-heights" : "grid")")
            }
        }
        for (name, units) in [("co2", ["ppm", "ppmv", "1e-6"]), ("pressure", ["Pa"]),
                              ("water_vapour", ["mol/mol", "mol mol-1", "1"])] {
            let variable = try reader.variable(name, shape: [nt, nz, grid.ny, grid.nx])
            let dimensions = try variable.dimensionNames()
            guard dimensions == ["time", "z", "y", "x"] else {
                throw fail(name, "has dimensions \(dimensions), expected (time, z, y, x)")
            }
            let u = try variable.units()
            guard units.contains(u) else { throw fail(name, "unknown unit '\(u)' (expected \(units[0]))") }
        }
        return hours
    }

    /// The whole hour as an in-memory sampler.
    public func fields(at hour: ModelHour) throws(ObservationError) -> GriddedEnsembleSampler {
        if let cached, cached.hour == hour { return cached }
        guard let t = hours.firstIndex(of: hour) else {
            throw ObservationError(file: path, variable: "time", message: "hour \(hour) is not in the file (\(hours.first.map(\.iso) ?? "none") to \(hours.last.map(\.iso) ?? "none"))")
        }
        let nz = layers.count
        var fields: [String: [Double]] = [:]
        for name in ["co2", "pressure", "water_vapour"] {
            let values: [Double]
            do {
                values = try file.root.variable(name).read(Float.self, start: [t, 0, 0, 0], count: [1, nz, grid.ny, grid.nx]).map(Double.init)
            } catch {
                throw ObservationError(file: path, variable: name, message: "read failed: \(error.message)")
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw ObservationError(file: path, variable: name, message: "non-finite value at hour \(hour), flat index \(bad)")
            }
            fields[name] = values
        }
        guard fields["pressure"]!.allSatisfy({ $0 > 0 }) else {
            throw ObservationError(file: path, variable: "pressure", message: "non-positive pressure at hour \(hour)")
        }
        let sampler = GriddedEnsembleSampler(grid: grid, layers: layers, hour: hour, co2: [fields["co2"]!],
                                             pressure: fields["pressure"]!, waterVapour: fields["water_vapour"]!)
        cached = sampler
        return sampler
    }

    /// The column of cell (i, j) at `hour`, reading that hour if it is not cached.
    public func column(i: Int, j: Int, member: Int, hour: ModelHour) throws -> ModelColumn {
        try fields(at: hour).column(i: i, j: j, member: member, hour: hour)
    }
}
