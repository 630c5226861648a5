import Foundation
import Geometry
import ModelTime
import NetCDFIO

/// Meteorology read from user-prepared NetCDF files in the RCAS schema
/// (``MetFileSchema``, Docs/meteorology.md), e.g. converted from WRF or MCIP.
///
/// The provider is given a list of files (one per day, one per period, any
/// mix); on creation it reads every file's `time` coordinate and checks its
/// dimensions against the domain, so a missing hour or a file for another
/// grid is reported before a run starts. Each call of ``fields(at:)`` reads
/// one record and validates it: every required variable present with the
/// expected shape and a `units` attribute that is (or converts without
/// ambiguity to) the schema's unit, no NaN, infinity, `_FillValue`,
/// `missing_value` or NetCDF default fill, values physically plausible.
/// Errors name the file, the variable, the problem, the index and the time.
public final class NetCDFMeteorology: MeteorologyProvider, Sendable {
    public let domain: Domain
    /// The files, in the order given.
    public let files: [String]
    /// Variable names in the files, by field.
    public let names: [MetFileSchema.Field: String]
    /// Where each hour is: file index and record.
    private let index: [ModelHour: (file: Int, record: Int)]

    /// Every hour available, ascending.
    public var hours: [ModelHour] { index.keys.sorted() }

    /// Indexes `files`. `names` overrides variable names (default:
    /// ``MetFileSchema/Field/defaultName``).
    public init(domain: Domain, files: [String], names overrides: [MetFileSchema.Field: String] = [:]) throws {
        guard !files.isEmpty else {
            throw NetCDFError(path: "(no files)", object: nil, operation: "read meteorology", message: "no meteorology files given")
        }
        self.domain = domain
        self.files = files
        var names: [MetFileSchema.Field: String] = [:]
        for field in MetFileSchema.Field.allCases { names[field] = overrides[field] ?? field.defaultName }
        self.names = names
        var index: [ModelHour: (file: Int, record: Int)] = [:]
        for (f, path) in files.enumerated() {
            let file = try NetCDFFile.open(path)
            defer { file.close() }
            try Self.checkGrid(file, domain: domain)
            for (record, hour) in try Self.readTimes(file).enumerated() {
                if let earlier = index[hour] {
                    throw NetCDFError(path: path, object: MetFileSchema.time,
                                           operation: "read meteorology", message: "hour \(hour) is also in \(files[earlier.file]) (record \(earlier.record))")
                }
                index[hour] = (f, record)
            }
        }
        self.index = index
    }

    /// The files in `directory` whose names match the shell pattern
    /// `pattern` (`*`, `?`, `[...]`), sorted by name.
    public static func files(inDirectory directory: String, matching pattern: String = "*.nc") throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw NetCDFError(path: directory, object: nil, operation: "read meteorology", message: "cannot list the directory: \(error.localizedDescription)")
        }
        let matching = names.filter { fnmatch(pattern, $0, 0) == 0 }.sorted()
        guard !matching.isEmpty else {
            throw NetCDFError(path: directory, object: nil, operation: "read meteorology", message: "no file matches '\(pattern)'")
        }
        return matching.map { URL(fileURLWithPath: directory).appendingPathComponent($0).path }
    }

    /// The hours of a file's `time` coordinate (CF units, whole hours).
    static func readTimes(_ file: NetCDFFile) throws -> [ModelHour] {
        let root = file.root
        guard root.hasVariable(MetFileSchema.time) else {
            throw NetCDFError(path: file.path, object: MetFileSchema.time, operation: "read meteorology", message: "time coordinate missing")
        }
        let variable = try root.variable(MetFileSchema.time)
        let units = try variable.timeUnits()
        return try variable.read(Double.self).enumerated().map { record, value in
            let hours = units.secondsSince1970(value) / 3600
            // Also bounds the hour (about 1100 years from 1970), so the Int conversion cannot trap.
            guard value.isFinite, abs(value) < 9.9e36, abs(hours) < 1e7 else {
                throw NetCDFError(path: file.path, object: MetFileSchema.time, operation: "read meteorology",
                                  message: "record \(record): \(value) is not a valid time (NaN, infinite, a fill value or more than 1100 years from 1970)")
            }
            guard abs(hours - hours.rounded()) < 1e-6 else {
                throw NetCDFError(path: file.path, object: MetFileSchema.time,
                                  operation: "read meteorology", message: "record \(record): \(value) \(try variable.units()) is not a whole hour")
            }
            return ModelHour(Int(hours.rounded()))
        }
    }

    /// Checks the file's dimensions and, where present, its coordinates
    /// against the domain.
    static func checkGrid(_ file: NetCDFFile, domain: Domain) throws {
        let root = file.root
        let grid = domain.grid, layers = domain.layers
        let expected = [(MetFileSchema.x, grid.nx), (MetFileSchema.y, grid.ny), (MetFileSchema.xFace, grid.nx + 1),
                        (MetFileSchema.yFace, grid.ny + 1), (MetFileSchema.layer, layers.count),
                        (MetFileSchema.interface, layers.count + 1)]
        let present = Set(try root.dimensionNames())
        for (name, length) in expected where present.contains(name) {
            let actual = try root.dimensionLength(name)
            guard actual == length else {
                throw NetCDFError(path: file.path, object: nil,
                                       operation: "read meteorology", message: "dimension '\(name)' has length \(actual), domain \(domain.name) needs \(length)")
            }
        }
        let coordinates: [(String, [Double], Double)] = [
            (MetFileSchema.x, (0..<grid.nx).map(grid.x), 1.0), (MetFileSchema.y, (0..<grid.ny).map(grid.y), 1.0),
            (MetFileSchema.interface, layers.interfaceHeights, 0.5)]
        for (name, values, tolerance) in coordinates where root.hasVariable(name) {
            let stored = try root.variable(name).read(Double.self)
            guard stored.count == values.count, zip(stored, values).allSatisfy({ abs($0 - $1) <= tolerance }) else {
                throw NetCDFError(path: file.path, object: name,
                                       operation: "read meteorology", message: "coordinate values differ from domain \(domain.name) (by more than \(tolerance) m)")
            }
        }
    }

    public func fields(at time: ModelHour) throws -> MetFields {
        try fields(at: time, region: CellRegion(i: 0..<domain.grid.nx, j: 0..<domain.grid.ny))
    }

    /// The fields of `region` only: each variable's rows and columns of the
    /// region (and the faces bounding it) are read and checked, the rest is
    /// NaN. A value's error names its index in the whole record.
    public func fields(at time: ModelHour, region: CellRegion) throws -> MetFields {
        guard let (f, record) = index[time] else {
            let all = hours
            let coverage = all.isEmpty ? "no hours" : "\(all.first!) to \(all.last!), \(all.count) hours"
            throw NetCDFError(path: files.count == 1 ? files[0] : "\(files.count) files", object: MetFileSchema.time,
                                   operation: "read meteorology", message: "hour \(time) is not in the meteorology files (\(coverage))")
        }
        let path = files[f]
        let file = try NetCDFFile.open(path)
        defer { file.close() }
        let grid = domain.grid
        let nx = grid.nx, ny = grid.ny, nz = domain.layers.count
        let lengths = [MetFileSchema.x: nx, MetFileSchema.y: ny, MetFileSchema.xFace: nx + 1,
                       MetFileSchema.yFace: ny + 1, MetFileSchema.layer: nz, MetFileSchema.interface: nz + 1]

        // Rows and columns of each dimension the region spans (faces: one more).
        let spans = [MetFileSchema.x: region.i, MetFileSchema.y: region.j,
                     MetFileSchema.xFace: region.xFaces, MetFileSchema.yFace: region.yFaces]
        let reader = MetRecordReader(file: file, record: record, time: time.iso)
        func read(_ field: MetFileSchema.Field) throws -> [Double]? {
            let name = names[field]!
            guard reader.has(name) else {
                if field.isOptional { return nil }
                throw NetCDFError(path: path, object: name, operation: "read meteorology", message: "variable missing (required: \(field.longName), \(field.units))")
            }
            let dimensions = field.dimensions
            return try reader.read(name, lengths: dimensions.map { lengths[$0]! }, quantity: field.quantity,
                                   range: field.validRange,
                                   window: (spans[dimensions[dimensions.count - 2]]!, spans[dimensions[dimensions.count - 1]]!))
        }

        let temperature = try read(.temperature)!, pressure = try read(.pressure)!
        let density = try read(.airMolarDensity)
            ?? zip(pressure, temperature).map { $0 / (universalGasConstant * $1) }
        let kz = try read(.kz)!
        let cells = nx * ny
        let regionCells = region.j.flatMap { j in region.i.map { j * nx + $0 } }
        if regionCells.contains(where: { kz[$0] != 0 || kz[nz * cells + $0] != 0 }) {
            throw NetCDFError(path: path, object: names[.kz]!,
                                   operation: "read meteorology", message: "Kz must be 0 at the ground (z_interface 0) and the model top (z_interface \(nz)) at time \(time)")
        }
        return MetFields(time: time, nx: nx, ny: ny, nz: nz, u: try read(.u)!, v: try read(.v)!, w: try read(.w),
                         temperature: temperature, pressure: pressure, airMolarDensity: density, kz: kz,
                         pblHeight: try read(.pblHeight)!, waterVapour: try read(.waterVapour)!,
                         surfacePressure: try read(.surfacePressure)!, region: region)
    }
}
