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
    /// Site code (upper case): the file's `site_code`, or the one named in
    /// `obspack_id` in multi-site files.
    public var siteCode: String = ""
    /// `value_unc` (ppm), when the file gives a usable one.
    public var valueUncertainty: Double? = nil
    /// `obs_flag` (1 representative, 0 not); nil when the file has no
    /// `obs_flag` (a row whose flag is a fill is dropped by the reader).
    public var obsFlag: Int? = nil
    /// `qcflag` (three characters, "..." passed every check), when the file has it.
    public var qcFlag: String? = nil

    /// The sample location.
    public var location: GeoPoint { GeoPoint(latitude: latitude, longitude: longitude) }
    /// The model hour [h, h+1) holding the measurement.
    public var hour: ModelHour { ModelHour(secondsSince1970: time) }
}

/// The measurements of one ObsPack file and its site attributes.
public struct ObsPackFileContents: Sendable {
    /// The file read.
    public let path: String
    /// Global attribute `site_code` (upper case); empty for a file without
    /// one (multi-site files name the site of each record in `obspack_id`).
    public let siteCode: String
    /// Global attribute `site_name` (empty when absent).
    public let siteName: String
    /// Rows whose every value is present and plausible, each `obspack_id` once.
    public let records: [InSituRecord]
    /// Number of rows in the file.
    public let rowCount: Int
    /// Rows dropped, by "variable: problem".
    public let dropReasons: [String: Int]

    /// Rows dropped as invalid.
    public var droppedInvalid: Int { dropReasons.values.reduce(0, +) }
}

/// Reader of ObsPack CO2 NetCDF files as NOAA GML distributes them
/// (GLOBALVIEWplus and NRT packages; layout and sources in
/// Docs/observations.md): dimension `obs`; `time` (any CF time units,
/// ObsPack's `Seconds since 1970-01-01 00:00:00 UTC`; `time_components`
/// when `time` is absent), `value` (mole fraction, converted to ppm),
/// `value_unc`, `latitude`, `longitude`, `altitude` (m above sea level),
/// `intake_height` (m above ground; `altitude - elevation` or the global
/// `dataset_intake_ht` when absent), `obs_flag`, `qcflag`, `obspack_id`
/// (char rows or strings); global `site_code`, `site_name`,
/// `site_latitude`, `site_longitude`.
public enum ObsPackReader {
    /// Plausible in-situ CO2 (ppm), for the variable as a whole and for each value.
    public static let plausibleCO2 = 250.0 ... 1000.0

    /// Reads one file; errors name the file and variable.
    public static func read(_ path: String) throws(ObservationError) -> ObsPackFileContents {
        let file = try openObservationFile(path)
        defer { file.close() }
        return try reportingErrors(in: path) { try read(file) }
    }

    /// Reads the files of one source (already expanded); an `obspack_id`
    /// repeated across files is kept once if identical, an error if not.
    public static func readSource(_ paths: [String]) throws(ObservationError) -> [ObsPackFileContents] {
        var contents: [ObsPackFileContents] = []
        for path in paths { contents.append(try read(path)) }
        _ = try RecordIdentity.removingIdenticalRepeats(contents.flatMap { file in file.records.map { (record: $0, file: file.path) } },
                                                        key: \.obspackID, variable: "obspack_id")
        var seen: Set<String> = []
        return contents.map { file in
            let unique = file.records.filter { seen.insert($0.obspackID).inserted }
            var reasons = file.dropReasons
            if unique.count < file.records.count { reasons[duplicateReason, default: 0] += file.records.count - unique.count }
            return ObsPackFileContents(path: file.path, siteCode: file.siteCode, siteName: file.siteName, records: unique,
                                       rowCount: file.rowCount, dropReasons: reasons)
        }
    }

    static let duplicateReason = "obspack_id: identical duplicate"

    private static func read(_ file: NetCDFFile) throws -> ObsPackFileContents {
        let variables = ObservationVariables(file: file)
        let root = file.root
        let n: Int
        do { n = try root.dimensionLength("obs") } catch {
            throw ObservationError(file: file.path, variable: "obs", message: "dimension 'obs' not found")
        }
        let row = [n]
        func globalText(_ name: String) throws -> String? {
            try root.attribute(name)?.text?.trimmingCharacters(in: .whitespaces)
        }
        func globalNumber(_ name: String) throws -> Double? {
            guard let attribute = try root.attribute(name) else { return nil }
            if let number = attribute.numbers?.first { return number }
            return attribute.text.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        }
        let siteCode = (try globalText("site_code") ?? "").uppercased()
        let time = root.hasVariable("time") ? try variables.times("time", shape: row)
                                            : try componentTimes(variables, count: n)
        let value = try variables.moleFraction("value", shape: row, plausible: plausibleCO2)
        let uncertainty = try variables.optionalVariable("value_unc", shape: row).map { variable in
            var column = ObservationColumn(variable: "value_unc", physical: try variable.readPhysical(),
                                           factor: try variable.moleFractionToPPM())
            column.require("not positive") { $0 > 0 }
            return column
        }
        var latitude = try coordinate(variables, "latitude", fallback: globalNumber("site_latitude"), count: n)
        latitude.require("outside -90-90 degrees") { abs($0) <= 90 }
        var longitude = try coordinate(variables, "longitude", fallback: globalNumber("site_longitude"), count: n)
        longitude.require("outside -180-360 degrees") { $0 >= -180 && $0 <= 360 }
        let altitude = try variables.column("altitude", shape: row)
        let intake = try intakeHeights(variables, altitude: altitude, fallback: globalNumber("dataset_intake_ht"), count: n)
        let obsFlag = root.hasVariable("obs_flag") ? try variables.codes("obs_flag", shape: row, known: Set(-128...255)) : nil
        let qcFlag = root.hasVariable("qcflag") ? try variables.text("qcflag", records: n) : nil
        let ids = try variables.text("obspack_id", records: n)

        var records: [InSituRecord] = []
        var reasons: [String: Int] = [:]
        let required = [time, value, latitude, longitude, altitude, intake] + (obsFlag.map { [$0] } ?? [])
        for r in 0..<n {
            let recordSite = siteCode.isEmpty ? Self.siteCode(inObspackID: ids[r]) : siteCode
            let problem = required.lazy.compactMap { $0.problem(row: r) }.first
                ?? (ids[r].isEmpty ? "obspack_id: empty" : nil)
                ?? (recordSite == nil ? "obspack_id: names no site (and the file has no site_code)" : nil)
            if let problem {
                reasons[problem, default: 0] += 1
                continue
            }
            records.append(InSituRecord(
                obspackID: ids[r], time: time.values[r], latitude: latitude.values[r], longitude: longitude.values[r],
                altitude: altitude.values[r], intakeHeight: intake.values[r], value: value.values[r],
                siteCode: recordSite ?? siteCode,
                valueUncertainty: uncertainty.flatMap { $0.problem(row: r) == nil ? $0.values[r] : nil },
                obsFlag: obsFlag.map { Int($0.values[r]) },
                qcFlag: qcFlag?[r]))
        }
        let unique = try RecordIdentity.removingIdenticalRepeats(records.map { (record: $0, file: file.path) },
                                                                 key: \.obspackID, variable: "obspack_id")
        if unique.repeats > 0 { reasons[duplicateReason, default: 0] += unique.repeats }
        return ObsPackFileContents(path: file.path, siteCode: siteCode, siteName: try globalText("site_name") ?? "",
                                   records: unique.records.map(\.record), rowCount: n, dropReasons: reasons)
    }

    /// The site code an ObsPack identifier names:
    /// `obspack_<...>~co2_amy_surface-insitu_30_allhours~12345` gives "AMY".
    public static func siteCode(inObspackID id: String) -> String? {
        let fields = id.split(separator: "~")
        guard fields.count >= 2 else { return nil }
        let dataset = fields[1].split(separator: "_")
        guard dataset.count >= 2, !dataset[1].isEmpty, dataset[1].allSatisfy({ $0.isLetter || $0.isNumber }) else { return nil }
        return dataset[1].uppercased()
    }

    /// Times from `time_components` (year, month, day, hour, minute, second, UTC).
    private static func componentTimes(_ variables: ObservationVariables, count n: Int) throws -> ObservationColumn {
        guard variables.file.root.hasVariable("time_components") else {
            throw variables.fail("time", "required variable is missing (and so is time_components)")
        }
        var parts = try variables.column("time_components", shape: [n, 6])
        parts.require("not a whole number") { $0 == $0.rounded() && abs($0) < 1e6 }
        var seconds = [Double](repeating: .nan, count: n)
        var problems = [String?](repeating: nil, count: n)
        for r in 0..<n {
            if let problem = parts.problem(row: r, width: 6) { problems[r] = problem; continue }
            let c = (0..<6).map { Int(parts.values[r * 6 + $0]) }
            guard (1900...2200).contains(c[0]), (1...12).contains(c[1]), (1...31).contains(c[2]), (0...23).contains(c[3]),
                  (0...59).contains(c[4]), (0...60).contains(c[5]),
                  ModelHour(iso: String(format: "%04d-%02d-%02d", c[0], c[1], c[2])) != nil else {
                problems[r] = "time_components: not a calendar time"
                continue
            }
            seconds[r] = ModelHour(year: c[0], month: c[1], day: c[2], hour: c[3]).secondsSince1970 + Double(c[4] * 60 + c[5])
        }
        return ObservationColumn(variable: "time", values: seconds, problems: problems)
    }

    /// A per-record coordinate, or the site's when the file has no variable.
    private static func coordinate(_ variables: ObservationVariables, _ name: String, fallback: Double?,
                                   count n: Int) throws -> ObservationColumn {
        if variables.file.root.hasVariable(name) { return try variables.column(name, shape: [n]) }
        guard let fallback, fallback.isFinite else {
            throw variables.fail(name, "required variable is missing (and so is the global site_\(name))")
        }
        return ObservationColumn(variable: name, values: [Double](repeating: fallback, count: n),
                                 problems: [String?](repeating: nil, count: n))
    }

    /// Intake heights above ground: `intake_height`, else `altitude -
    /// elevation`, else the global `dataset_intake_ht`.
    private static func intakeHeights(_ variables: ObservationVariables, altitude: ObservationColumn, fallback: Double?,
                                      count n: Int) throws -> ObservationColumn {
        let root = variables.file.root
        var column: ObservationColumn
        if root.hasVariable("intake_height") {
            column = try variables.column("intake_height", shape: [n])
        } else if root.hasVariable("elevation") {
            let elevation = try variables.column("elevation", shape: [n])
            column = ObservationColumn(variable: "intake_height",
                                       values: zip(altitude.values, elevation.values).map { $0 - $1 },
                                       problems: (0..<n).map { altitude.problem(row: $0) ?? elevation.problem(row: $0) })
        } else if let fallback, fallback.isFinite {
            column = ObservationColumn(variable: "intake_height", values: [Double](repeating: fallback, count: n),
                                       problems: [String?](repeating: nil, count: n))
        } else {
            throw variables.fail("intake_height", "required variable is missing (and so are elevation and dataset_intake_ht)")
        }
        column.require("negative or above 10 km") { $0 >= 0 && $0 <= 10_000 }
        return column
    }
}

/// A surface CO2 site.
public struct SurfaceSite: Sendable, Equatable {
    /// Three-letter site code.
    public let code: String
    /// Site name as in Kou2023 Table 4.
    public let name: String
    /// Latitude (degrees north).
    public let latitude: Double
    /// Longitude (degrees east).
    public let longitude: Double
    /// Sampling interval in hours (1 hourly, 24 daily, 168 weekly).
    public let intervalHours: Int
    /// Kou2023's site description.
    public let description: String

    /// The site location.
    public var location: GeoPoint { GeoPoint(latitude: latitude, longitude: longitude) }

    /// The 14 sites of Kou2023 Table 4, with its coordinates and observation
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
