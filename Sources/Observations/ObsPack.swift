import Foundation
import Geometry
import ModelTime
import NetCDFIO

/// One in-situ CO2 measurement of an ObsPack file, in RCAS units.
public struct InSituRecord: Sendable, Equatable {
    /// ObsPack identifier of the measurement.
    public var obspackID: String
    /// Seconds since 1970-01-01T00:00:00Z.
    public var time: Double
    /// Sample latitude (degrees north).
    public var latitude: Double
    /// Sample longitude (degrees east).
    public var longitude: Double
    /// Altitude of the intake above sea level (m).
    public var altitude: Double
    /// Intake height above ground (m).
    public var intakeHeight: Double
    /// CO2 (ppm; the file's mol/mol × 10⁶).
    public var value: Double

    /// The sample location.
    public var location: GeoPoint { GeoPoint(latitude: latitude, longitude: longitude) }
    /// The model hour [h, h+1) holding the measurement.
    public var hour: ModelHour { ModelHour(secondsSince1970: time) }
}

/// The measurements of one ObsPack file and its site attributes.
public struct ObsPackFileContents: Sendable {
    /// The file read.
    public let path: String
    /// Global attribute `site_code`.
    public let siteCode: String
    /// Global attribute `site_name`.
    public let siteName: String
    /// Rows whose every value is present and plausible.
    public let records: [InSituRecord]
    /// Rows dropped for missing or non-finite values, by variable at fault.
    public let dropReasons: [String: Int]

    /// Rows dropped as invalid.
    public var droppedInvalid: Int { dropReasons.values.reduce(0, +) }
}

/// Reader of ObsPack CO2 NetCDF files: dimension `obs`; `value` (mol mol-1),
/// `time` (seconds since 1970-01-01), `latitude`, `longitude`, `altitude`
/// (m above sea level), `intake_height` (m above ground), `obspack_id`
/// (string or char rows); global attributes `site_code`, `site_name`.
public enum ObsPackReader {
    /// Reads one file; errors name the file and variable.
    public static func read(_ path: String) throws(ObservationError) -> ObsPackFileContents {
        let file = try openObservationFile(path)
        defer { file.close() }
        return try reportingErrors(in: path) { try read(file) }
    }

    private static func read(_ file: NetCDFFile) throws -> ObsPackFileContents {
        let reader = VariableReader(file: file)
        let n = try file.root.dimensionLength("obs")
        let names = ["value", "time", "latitude", "longitude", "altitude", "intake_height"]
        var columns: [String: ValidatedValues] = [:]
        for name in names { columns[name] = try reader.doubles(name, shape: [n]) }
        let ids = try reader.strings("obspack_id", count: n)
        let scale = try reader.ppmScale("value")
        try reader.requireEpochSeconds("time")
        for name in ["altitude", "intake_height"] {
            let u = try reader.units(name)
            guard u == "m" || u == "meters" else {
                throw ObservationError(file: file.path, variable: name, message: "unknown unit '\(u)' (expected m)")
            }
        }
        func text(_ name: String) throws -> String {
            guard let value = try file.root.attribute(name)?.text else {
                throw ObservationError(file: file.path, variable: name, message: "global attribute is missing")
            }
            return value
        }
        var records: [InSituRecord] = []
        var reasons: [String: Int] = [:]
        rows: for r in 0..<n {
            for name in names where !columns[name]!.valid(r) { reasons[name, default: 0] += 1; continue rows }
            let v = columns.mapValues { $0.values[r] }
            guard v["value"]! > 0 else { reasons["value", default: 0] += 1; continue rows }
            records.append(InSituRecord(obspackID: ids[r], time: v["time"]!, latitude: v["latitude"]!,
                                        longitude: v["longitude"]!, altitude: v["altitude"]!,
                                        intakeHeight: v["intake_height"]!, value: v["value"]! * scale))
        }
        return ObsPackFileContents(path: file.path, siteCode: try text("site_code"), siteName: try text("site_name"),
                                   records: records, dropReasons: reasons)
    }
}

/// A surface CO2 site.
public struct SurfaceSite: Sendable, Equatable {
    /// Three-letter site code.
    public let code: String
    /// Site name as in seed 000 Table 4.
    public let name: String
    /// Latitude (degrees north).
    public let latitude: Double
    /// Longitude (degrees east).
    public let longitude: Double
    /// Sampling interval in hours (1 hourly, 24 daily, 168 weekly).
    public let intervalHours: Int
    /// Seed 000's site description.
    public let description: String

    /// The site location.
    public var location: GeoPoint { GeoPoint(latitude: latitude, longitude: longitude) }

    /// The 14 sites of seed 000 Table 4, with its coordinates and observation
    /// frequency (hourly, daily, weekly). The table gives names only; LFS,
    /// SDZ, WLG, LAN, UUM, RYO, DDR, KIS, AMY, GSN and YON are the stations'
    /// usual GAW codes, XGL, JSA and HKG are RCAS's own labels.
    public static let seed000Table4: [SurfaceSite] = [
        SurfaceSite(code: "LFS", name: "Longfengshan", latitude: 44.73, longitude: 127.60, intervalHours: 1, description: "Forest (northeast China)"),
        SurfaceSite(code: "SDZ", name: "Shangdianzi", latitude: 40.65, longitude: 117.12, intervalHours: 1, description: "Cropland (north China)"),
        SurfaceSite(code: "WLG", name: "Mt. Waliguan", latitude: 36.28, longitude: 100.90, intervalHours: 24, description: "Tibetan Plateau (China)"),
        SurfaceSite(code: "XGL", name: "Shangri-La", latitude: 28.00, longitude: 99.40, intervalHours: 1, description: "Forest (southeast China)"),
        SurfaceSite(code: "LAN", name: "Lin'an", latitude: 30.30, longitude: 119.72, intervalHours: 1, description: "Forest (east China)"),
        SurfaceSite(code: "JSA", name: "Jinsha", latitude: 29.63, longitude: 114.22, intervalHours: 168, description: "Urban (central China)"),
        SurfaceSite(code: "HKG", name: "King's Park", latitude: 22.31, longitude: 114.17, intervalHours: 24, description: "Urban (Hong Kong SAR, China)"),
        SurfaceSite(code: "UUM", name: "Ulaan Uul", latitude: 44.45, longitude: 111.08, intervalHours: 168, description: "Grassland (Mongolia)"),
        SurfaceSite(code: "RYO", name: "Ryori", latitude: 39.03, longitude: 141.82, intervalHours: 1, description: "Mountain (Japan)"),
        SurfaceSite(code: "DDR", name: "Mt. Dodaira", latitude: 36.00, longitude: 139.20, intervalHours: 1, description: "Mountain (Japan)"),
        SurfaceSite(code: "KIS", name: "Kisai", latitude: 36.08, longitude: 139.55, intervalHours: 1, description: "Urban (Japan)"),
        SurfaceSite(code: "AMY", name: "Anmyeon-do", latitude: 36.53, longitude: 126.32, intervalHours: 1, description: "Coastal (the Korean Peninsula)"),
        SurfaceSite(code: "GSN", name: "Jeju Gosan", latitude: 33.30, longitude: 126.21, intervalHours: 1, description: "Ocean (the Korean Peninsula)"),
        SurfaceSite(code: "YON", name: "Yonagunijima", latitude: 24.47, longitude: 123.02, intervalHours: 1, description: "Ocean (Japan)"),
    ]
}
