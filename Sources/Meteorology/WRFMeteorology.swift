import Foundation
import Geometry
import ModelTime
import NetCDFIO

/// Meteorology read directly from WRF-ARW output (`wrfout_d01_...` files) on
/// a domain made from the same WRF grid by `rcas domain from-wrf`
/// (``WRFDomain``), so no horizontal interpolation is needed: WRF's
/// Arakawa-C `U` on `west_east_stag` and `V` on `south_north_stag` are RCAS's
/// x-faces and y-faces one to one (Docs/meteorology.md, "WRF output").
///
/// On creation the provider opens every file, checks its grid against the
/// domain (dimensions, `DX`/`DY`, `XLAT`/`XLONG` of every record within
/// 1e-4°, which also refuses moving nests), maps the domain's layers onto
/// the file's eta levels (`ZNW`) and indexes the records by their `Times`.
/// Records between whole hours are not used; an hour in two files and a
/// missing hour between the first and the last are errors naming the hours.
/// ``fields(at:)`` reads one record, checks every value (units, NaN, fill
/// values, plausible ranges; errors name file, variable, index and time) and
/// maps WRF's levels onto the domain's layers (``WRFLayerMapping``).
public final class WRFMeteorology: MeteorologyProvider, Sendable {
    /// Where Kz comes from.
    public enum KzSource: String, Sendable, CaseIterable {
        /// `EXCH_H` where the file has it, otherwise diagnosed.
        case auto
        /// `EXCH_H` only; a file without it is an error.
        case exchH = "exch_h"
        /// Always diagnosed from `UST`, `HFX`, `PBLH` (``BoundaryLayerDiffusivity``).
        case diagnosed
    }

    public let domain: Domain
    /// The files, sorted by the time of their first record.
    public let files: [String]
    public let kzSource: KzSource
    /// The profile used where Kz is diagnosed.
    public let diffusivity: BoundaryLayerDiffusivity
    /// Every hour available, ascending.
    public let hours: [ModelHour]
    private let index: [ModelHour: (file: Int, record: Int)]
    private let mapping: WRFLayerMapping

    /// Indexes `files` (any order) for `domain`.
    public init(domain: Domain, files: [String], kzSource: KzSource = .auto,
                diffusivity: BoundaryLayerDiffusivity = BoundaryLayerDiffusivity()) throws {
        guard !files.isEmpty else {
            throw NetCDFError(path: "(no files)", object: nil, operation: "read WRF meteorology", message: "no wrfout files given")
        }
        self.domain = domain
        self.kzSource = kzSource
        self.diffusivity = diffusivity
        var found: [(path: String, first: ModelHour?, records: [(record: Int, hour: ModelHour)])] = []
        let centres = domain.grid.centers()
        var mapping: WRFLayerMapping?
        for path in files {
            let file = try NetCDFFile.open(path)
            defer { file.close() }
            let times = try WRFTimes.read(file)
            guard let firstTime = times.first?.text else {
                throw NetCDFError(path: path, object: "Times", operation: "read WRF meteorology", message: "the file has no records")
            }
            let fileMapping = try Self.checkGrid(file, domain: domain, time: firstTime)
            if let mapping, mapping != fileMapping {
                throw NetCDFError(path: path, object: "ZNW", operation: "read WRF meteorology",
                                  message: "its eta levels map onto the domain's layers differently from \(files[0]) (levels \(fileMapping.interfaceLevels) vs \(mapping.interfaceLevels))")
            }
            mapping = fileMapping
            var records: [(record: Int, hour: ModelHour)] = []
            for (record, time) in times.enumerated() {
                try Self.checkCoordinates(file, record: record, time: time.text, grid: domain.grid, centres: centres)
                if let hour = time.hour { records.append((record, hour)) }
            }
            found.append((path, records.first?.hour, records))
        }
        found.sort { ($0.first?.value ?? Int.max, $0.path) < ($1.first?.value ?? Int.max, $1.path) }
        var index: [ModelHour: (file: Int, record: Int)] = [:]
        for (f, entry) in found.enumerated() {
            for (record, hour) in entry.records {
                if let earlier = index[hour] {
                    throw NetCDFError(path: entry.path, object: "Times", operation: "read WRF meteorology",
                                      message: "hour \(hour) (record \(record)) is also in \(found[earlier.file].path) (record \(earlier.record))")
                }
                index[hour] = (f, record)
            }
        }
        let hours = index.keys.sorted()
        guard let first = hours.first, let last = hours.last else {
            throw NetCDFError(path: files.count == 1 ? files[0] : "\(files.count) files", object: "Times",
                              operation: "read WRF meteorology", message: "no record at a whole hour (RCAS needs hourly output)")
        }
        let missing = first.distance(to: last) + 1 - hours.count
        guard missing == 0 else {
            // The first few missing hours, found without listing the whole span.
            var listed: [String] = [], hour = first
            while listed.count < 12, hour < last {
                hour = hour.advanced(by: 1)
                if index[hour] == nil { listed.append(hour.iso) }
            }
            throw NetCDFError(path: files.count == 1 ? files[0] : "\(files.count) files", object: "Times",
                              operation: "read WRF meteorology",
                              message: "\(missing) hour(s) missing between \(first) and \(last): \(listed.joined(separator: ", "))\(missing > 12 ? ", ..." : "")")
        }
        self.files = found.map(\.path)
        self.index = index
        self.hours = hours
        self.mapping = mapping!
    }

    /// Checks a file's grid against the domain and returns how its levels map
    /// onto the domain's layers.
    static func checkGrid(_ file: NetCDFFile, domain: Domain, time: String) throws -> WRFLayerMapping {
        let wrf = try WRFGrid(file: file)
        let grid = domain.grid
        guard wrf.nx == grid.nx, wrf.ny == grid.ny else {
            throw NetCDFError(path: file.path, object: "west_east", operation: "read WRF meteorology",
                              message: "grid of \(wrf.nx) x \(wrf.ny) mass points, domain \(domain.name) has \(grid.nx) x \(grid.ny) cells")
        }
        guard abs(wrf.dx - grid.dx) < 1e-3, abs(wrf.dy - grid.dy) < 1e-3 else {
            throw NetCDFError(path: file.path, object: "DX", operation: "read WRF meteorology",
                              message: "grid spacing \(wrf.dx) x \(wrf.dy) m, domain \(domain.name) has \(grid.dx) x \(grid.dy) m")
        }
        let eta = try readFullLevelEta(file, levels: wrf.levels, time: time)
        switch WRFLayerMapping.make(layers: domain.layers, fullLevelEta: eta) {
        case .success(let mapping): return mapping
        case .failure(.domainWithoutEta):
            throw NetCDFError(path: file.path, object: "ZNW", operation: "read WRF meteorology",
                              message: "domain \(domain.name) does not say which WRF levels its layers are (layers.wrf_eta_interfaces); make the domain with 'rcas domain from-wrf'")
        case .failure(.missingLevel(let value)):
            throw NetCDFError(path: file.path, object: "ZNW", operation: "read WRF meteorology",
                              message: "domain \(domain.name) has a layer interface at eta \(value), which is not one of this file's levels \(eta.map { String(format: "%.5f", $0) }.joined(separator: ", "))")
        case .failure(.notIncreasing(let levels)):
            throw NetCDFError(path: file.path, object: "ZNW", operation: "read WRF meteorology",
                              message: "domain \(domain.name)'s layer interfaces are WRF levels \(levels): they must start at the ground (level 0) and go up")
        }
    }

    /// `ZNW` of the first record: eta of the full levels, 1 at the ground.
    static func readFullLevelEta(_ file: NetCDFFile, levels: Int, time: String) throws -> [Double] {
        let reader = MetRecordReader(file: file, record: 0, time: time)
        let eta = try reader.read("ZNW", lengths: [levels + 1], names: ["bottom_top_stag"], quantity: .dimensionless, range: 0...1)
        guard eta.first == 1, zip(eta, eta.dropFirst()).allSatisfy({ $0 > $1 }) else {
            throw NetCDFError(path: file.path, object: "ZNW", operation: "read WRF meteorology",
                              message: "eta of the full levels must start at 1 and decrease, found \(eta.prefix(4).map { String($0) }.joined(separator: ", "))...")
        }
        return eta
    }

    /// Checks that record `record`'s `XLAT`/`XLONG` are the grid's cell
    /// `centres` (within ``WRFGrid/coordinateTolerance``).
    static func checkCoordinates(_ file: NetCDFFile, record: Int, time: String, grid: HorizontalGrid,
                                 centres: [GeoPoint]) throws {
        let reader = MetRecordReader(file: file, record: record, time: time)
        let names = ["south_north", "west_east"], lengths = [grid.ny, grid.nx]
        let latitude = try reader.read("XLAT", lengths: lengths, names: names, quantity: .latitude, range: -90...90)
        let longitude = try reader.read("XLONG", lengths: lengths, names: names, quantity: .longitude, range: -360...360)
        let worst = WRFGrid.largestCoordinateDifference(centres, nx: grid.nx, latitudes: latitude, longitudes: longitude)
        guard worst.degrees <= WRFGrid.coordinateTolerance else {
            let n = worst.j * grid.nx + worst.i, centre = centres[n]
            throw NetCDFError(path: file.path, object: "XLAT", operation: "read WRF meteorology",
                              message: "record \(record) (\(time)): mass point (i, j) = (\(worst.i), \(worst.j)) is at \(latitude[n]), \(longitude[n]) but the domain's cell centre is \(centre) (\(worst.degrees)° apart): another grid, or a moving nest (not supported)")
        }
    }

    public func fields(at time: ModelHour) throws -> MetFields { try record(at: time, region: nil) }

    /// The fields of `region` only: the region and one cell around it are
    /// read and derived, the rest is NaN (`Docs/meteorology.md`).
    public func fields(at time: ModelHour, region: CellRegion) throws -> MetFields { try record(at: time, region: region) }

    private func record(at time: ModelHour, region: CellRegion?) throws -> MetFields {
        guard let (f, record) = index[time] else {
            throw NetCDFError(path: files.count == 1 ? files[0] : "\(files.count) files", object: "Times",
                              operation: "read WRF meteorology",
                              message: "hour \(time) is not in the WRF files (\(hours.first!) to \(hours.last!), \(hours.count) hours)")
        }
        let file = try NetCDFFile.open(files[f])
        defer { file.close() }
        return try WRFRecord(reader: MetRecordReader(file: file, record: record, time: time.iso), hour: time, domain: domain,
                             mapping: mapping, kzSource: kzSource, diffusivity: diffusivity).fields(region: region)
    }
}
