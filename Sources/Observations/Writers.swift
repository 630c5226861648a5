import CFOutput
import Foundation
import ModelTime
import NetCDFIO

/// Writes soundings as a Lite NetCDF-4 file with the variable names,
/// dimensions, groups, types and attributes of the ACOS GOSAT / OCO-2 Lite
/// products that ``LiteReader`` relies on (see Docs/observations.md).
/// The file appears only when complete.
public enum LiteWriter {
    /// The products' missing-value marker.
    public static let missingValue = -999_999.0

    /// The conventional daily file name, e.g. `oco2_LtCO2_160101_RCAS-synthetic.nc4`.
    public static func fileName(_ instrument: SatelliteInstrument, day: ModelHour) -> String {
        let c = day.components
        let prefix = instrument == .gosat ? "acos_LtCO2" : "oco2_LtCO2"
        return String(format: "%@_%02d%02d%02d_RCAS-synthetic.nc4", prefix, c.year % 100, c.month, c.day)
    }

    /// Writes `soundings` to `path` (atomically); `comment` goes into the global attributes.
    public static func write(_ soundings: [XCO2Sounding], instrument: SatelliteInstrument, to path: String,
                             comment: String) throws(NetCDFError) {
        let file = try NetCDFFile.create(path)
        let root = file.root
        let n = soundings.count
        let levels = soundings.first?.pressureLevels.count ?? SyntheticObservationGenerator.levelCount
        try root.addDimension("sounding_id", length: n)
        try root.addDimension("levels", length: levels)
        try root.addDimension("epoch_dimension", length: 7)
        try root.setAttribute("Conventions", .text("CF-1.6"))
        try root.setAttribute("title", .text(instrument == .gosat ? "ACOS GOSAT Lite-format XCO2 (synthetic)"
                                                                 : "OCO-2 Lite-format XCO2 (synthetic)"))
        try root.setAttribute("InstrumentShortName", .text(instrument == .gosat ? "TANSO-FTS" : "OCO-2"))
        try root.setAttribute("source", .text("RCAS \(RCASVersion.string) synthetic observation generator"))
        try root.setAttribute("comment", .text(comment))

        func variable(_ group: NetCDFGroup, _ name: String, _ type: NetCDFType, _ dims: [String],
                      units: String?, longName: String, missing: Bool = true) throws(NetCDFError) -> NetCDFVariable {
            // NetCDF-4 cannot compress variable-length strings.
            let v = try group.addVariable(name, type: type, dimensions: dims, deflateLevel: type == .string ? 0 : 1)
            if let units { try v.setAttribute("units", .text(units)) }
            try v.setAttribute("long_name", .text(longName))
            if missing {
                switch type {
                case .float: try v.setAttribute("missing_value", .floats([Float(missingValue)]))
                case .double: try v.setAttribute("missing_value", .doubles([missingValue]))
                default: break
                }
            }
            return v
        }
        func floats(_ values: [Double]) -> [Float] { values.map(Float.init) }

        try variable(root, "levels", .int32, ["levels"], units: nil, longName: "retrieval level, 1 = top of atmosphere",
                     missing: false).write((1...levels).map { Int32($0) })
        try variable(root, "sounding_id", .int64, ["sounding_id"], units: nil,
                     longName: "sounding id YYYYMMDDhhmmss and tenths of a second and footprint", missing: false)
            .write(soundings.map(\.id))
        try variable(root, "time", .double, ["sounding_id"], units: "seconds since 1970-01-01 00:00:00",
                     longName: "sounding time").write(soundings.map(\.time))
        try variable(root, "date", .int32, ["sounding_id", "epoch_dimension"], units: nil,
                     longName: "sounding date: year, month, day, hour, minute, second, millisecond", missing: false)
            .write(soundings.flatMap { s -> [Int32] in
                let c = ModelHour(secondsSince1970: s.time).components
                let into = s.time - ModelHour(secondsSince1970: s.time).secondsSince1970
                let ms = Int32(((into - into.rounded(.down)) * 1000).rounded())
                return [Int32(c.year), Int32(c.month), Int32(c.day), Int32(c.hour), Int32(into / 60),
                        Int32(into.truncatingRemainder(dividingBy: 60)), ms]
            })
        try variable(root, "latitude", .float, ["sounding_id"], units: "degrees_north", longName: "latitude")
            .write(floats(soundings.map(\.latitude)))
        try variable(root, "longitude", .float, ["sounding_id"], units: "degrees_east", longName: "longitude")
            .write(floats(soundings.map(\.longitude)))
        try variable(root, "xco2", .float, ["sounding_id"], units: "ppm",
                     longName: "column-averaged dry-air mole fraction of CO2").write(floats(soundings.map(\.xco2)))
        try variable(root, "xco2_uncertainty", .float, ["sounding_id"], units: "ppm",
                     longName: "XCO2 1-sigma uncertainty").write(floats(soundings.map(\.uncertainty)))
        try variable(root, "xco2_quality_flag", .int8, ["sounding_id"], units: nil,
                     longName: "XCO2 quality flag, 0 = good, 1 = bad", missing: false)
            .write(soundings.map { Int8($0.qualityFlag) })
        try variable(root, "xco2_apriori", .float, ["sounding_id"], units: "ppm",
                     longName: "a priori XCO2").write(floats(soundings.map(\.xco2Apriori)))
        let perLevel: [(String, String?, String, KeyPath<XCO2Sounding, [Double]>, Double)] = [
            ("pressure_levels", "hPa", "retrieval pressure levels, space to surface", \.pressureLevels, 0.01),
            ("pressure_weight", "1", "pressure weighting function", \.pressureWeights, 1),
            ("xco2_averaging_kernel", "1", "normalised column averaging kernel", \.averagingKernel, 1),
            ("co2_profile_apriori", "ppm", "a priori CO2 profile", \.aprioriProfile, 1),
        ]
        for (name, units, longName, path, scale) in perLevel {
            try variable(root, name, .float, ["sounding_id", "levels"], units: units, longName: longName)
                .write(soundings.flatMap { $0[keyPath: path].map { Float($0 * scale) } })
        }

        let retrieval = try root.addGroup("Retrieval")
        try variable(retrieval, "surface_type", .int8, ["sounding_id"], units: nil,
                     longName: "surface type, 0 = water, 1 = land", missing: false)
            .write(soundings.map { Int8($0.surfaceType.rawValue) })
        try variable(retrieval, "psurf", .float, ["sounding_id"], units: "hPa", longName: "retrieved surface pressure")
            .write(soundings.map { Float(($0.pressureLevels.last ?? missingValue * 100) / 100) })
        let sounding = try root.addGroup("Sounding")
        try variable(sounding, "land_fraction", .float, ["sounding_id"], units: "percent",
                     longName: "land fraction of the footprint").write(floats(soundings.map { $0.landFraction ?? missingValue }))
        if instrument == .oco2 {
            try variable(sounding, "footprint", .int8, ["sounding_id"], units: nil, longName: "footprint number, 1-8",
                         missing: false).write(soundings.map { Int8($0.id % 10) })
            try variable(sounding, "operation_mode", .int8, ["sounding_id"], units: nil,
                         longName: "operation mode, 0 = nadir, 1 = glint, 2 = target, 3 = transition, 4 = snapshot area map", missing: false)
                .write(soundings.map { Int8($0.operationMode?.rawValue ?? 3) })
        } else {
            try variable(sounding, "gain", .string, ["sounding_id"], units: nil,
                         longName: "gain, H = high, M = medium (bright surfaces)", missing: false)
                .writeStrings(soundings.map { $0.gain ?? "H" })
        }
        try file.commit()
    }
}

/// Writes one site's records as an ObsPack-style CO2 NetCDF file (the
/// variables ``ObsPackReader`` relies on, with ObsPack's names and units).
public enum ObsPackWriter {
    /// The file name used for `site`, ObsPack style.
    public static func fileName(_ site: SurfaceSite) -> String {
        "co2_\(site.code.lowercased())_surface-insitu_RCAS-synthetic.nc"
    }

    /// Writes `records` of `site` to `path` (atomically), with `error` (ppm) as `value_unc`.
    public static func write(_ records: [InSituRecord], site: SurfaceSite, error: Double, to path: String,
                             comment: String) throws(NetCDFError) {
        let file = try NetCDFFile.create(path)
        let root = file.root
        try root.addDimension("obs", length: records.count)
        try root.addDimension("calendar_components", length: 6)
        for (name, value) in [("Conventions", "CF-1.6"), ("site_code", site.code), ("site_name", site.name),
                              ("dataset_project", "surface-insitu"), ("dataset_parameter", "co2"),
                              ("site_description", site.description), ("comment", comment),
                              ("source", "RCAS \(RCASVersion.string) synthetic observation generator")] {
            try root.setAttribute(name, .text(value))
        }
        try root.setAttribute("site_latitude", .doubles([site.latitude]))
        try root.setAttribute("site_longitude", .doubles([site.longitude]))
        func add(_ name: String, _ type: NetCDFType, _ units: String?, _ longName: String,
                 dims: [String] = ["obs"]) throws(NetCDFError) -> NetCDFVariable {
            let v = try root.addVariable(name, type: type, dimensions: dims)
            if let units { try v.setAttribute("units", .text(units)) }
            try v.setAttribute("long_name", .text(longName))
            return v
        }
        try add("time", .int64, "seconds since 1970-01-01T00:00:00Z", "sample time").write(records.map { Int64($0.time) })
        try add("time_components", .int32, nil, "calendar time components: year, month, day, hour, minute, second",
                dims: ["obs", "calendar_components"]).write(records.flatMap { r -> [Int32] in
            let c = r.hour.components
            return [Int32(c.year), Int32(c.month), Int32(c.day), Int32(c.hour), 0, 0]
        })
        try add("value", .float, "mol mol-1", "measured CO2 mole fraction").write(records.map { Float($0.value * 1e-6) })
        try add("value_unc", .float, "mol mol-1", "measurement uncertainty").write(records.map { _ in Float(error * 1e-6) })
        try add("latitude", .double, "degrees_north", "sample latitude").write(records.map(\.latitude))
        try add("longitude", .double, "degrees_east", "sample longitude").write(records.map(\.longitude))
        try add("altitude", .float, "m", "sample altitude above sea level (synthetic: above model ground)")
            .write(records.map { Float($0.altitude) })
        try add("intake_height", .float, "m", "sample height above ground").write(records.map { Float($0.intakeHeight) })
        try add("obspack_id", .string, nil, "unique ObsPack identifier").writeStrings(records.map(\.obspackID))
        try add("obs_flag", .int8, nil, "observation flag: 1 = representative, recommended for use; 0 = not recommended")
            .write(records.map { Int8($0.obsFlag ?? 1) })
        try root.addDimension("string_of_3chars", length: 3)
        let qcflag = try add("qcflag", .char, nil, "quality control flag, '...' passed every check",
                             dims: ["obs", "string_of_3chars"])
        try qcflag.writeCharacterRows(records.map { $0.qcFlag ?? "..." }, width: 3)
        try file.commit()
    }
}
