import Foundation
import NetCDFIO

/// The soundings of one Lite file, with the ones that could not be used
/// counted by the variable that made them unusable.
public struct LiteFileContents: Sendable {
    /// The file read.
    public let path: String
    /// Soundings whose every required value is present and plausible.
    public let soundings: [XCO2Sounding]
    /// Number of rows in the file.
    public let rowCount: Int
    /// Rows dropped for a missing value, NaN or implausible value, by the
    /// variable at fault (the first one found for each row).
    public let dropReasons: [String: Int]

    /// Rows dropped as invalid.
    public var droppedInvalid: Int { dropReasons.values.reduce(0, +) }
}

/// Reader of ACOS GOSAT Lite and OCO-2 Lite NetCDF-4 files (see
/// Docs/observations.md for the variables it relies on).
///
/// A file that cannot be opened, lacks a required variable, has a variable of
/// the wrong shape, or an unknown unit is an error naming the file and the
/// variable. A row with a missing value (the variable's `missing_value`, or
/// `_FillValue`), a NaN, or an implausible value is dropped and counted.
public enum LiteReader {
    /// Root variables with one value per sounding.
    static let perSounding = ["latitude", "longitude", "time", "xco2", "xco2_uncertainty", "xco2_quality_flag",
                              "xco2_apriori"]
    /// Root variables with one value per sounding and level.
    static let perLevel = ["pressure_levels", "pressure_weight", "xco2_averaging_kernel", "co2_profile_apriori"]

    /// Reads one file.
    public static func read(_ path: String) throws(ObservationError) -> LiteFileContents {
        let file = try openObservationFile(path)
        defer { file.close() }
        return try reportingErrors(in: path) { try read(file) }
    }

    /// Reads several files (in the order given) and returns their contents.
    public static func read(_ paths: [String]) throws(ObservationError) -> [LiteFileContents] {
        var result: [LiteFileContents] = []
        for path in paths { result.append(try read(path)) }
        return result
    }

    private static func read(_ file: NetCDFFile) throws -> LiteFileContents {
        let path = file.path
        let root = file.root
        let n = try root.dimensionLength("sounding_id")
        let levelCount: Int
        do { levelCount = try root.dimensionLength("levels") } catch {
            throw ObservationError(file: path, variable: "levels", message: "dimension 'levels' not found")
        }
        guard levelCount >= 2 else {
            throw ObservationError(file: path, variable: "levels", message: "needs at least 2 levels, found \(levelCount)")
        }
        let column = VariableReader(file: file)

        let ids = try column.int64("sounding_id", shape: [n])
        var scalars: [String: ValidatedValues] = [:]
        for name in perSounding { scalars[name] = try column.doubles(name, shape: [n]) }
        var levels: [String: ValidatedValues] = [:]
        for name in perLevel { levels[name] = try column.doubles(name, shape: [n, levelCount]) }
        let surface = try column.doubles("Retrieval/surface_type", shape: [n])
        let landFraction = root.hasVariable("Sounding/land_fraction") ? try column.doubles("Sounding/land_fraction", shape: [n]) : nil
        let mode = root.hasVariable("Sounding/operation_mode") ? try column.doubles("Sounding/operation_mode", shape: [n]) : nil
        let gain = root.hasVariable("Sounding/gain") ? try column.strings("Sounding/gain", count: n) : nil

        let xco2Scale = try column.ppmScale("xco2")
        let uncertaintyScale = try column.ppmScale("xco2_uncertainty")
        let aprioriScale = try column.ppmScale("xco2_apriori")
        let profileScale = try column.ppmScale("co2_profile_apriori")
        let pressureScale = try column.pressureScale("pressure_levels")
        try column.requireEpochSeconds("time")

        var soundings: [XCO2Sounding] = []
        soundings.reserveCapacity(n)
        var reasons: [String: Int] = [:]
        rows: for r in 0..<n {
            // The first invalid variable names the reason; order = file order above.
            for name in perSounding where !scalars[name]!.valid(r) { reasons[name, default: 0] += 1; continue rows }
            for name in perLevel where !levels[name]!.validRow(r, width: levelCount) { reasons[name, default: 0] += 1; continue rows }
            guard surface.valid(r), let surfaceType = SurfaceType(rawValue: Int(surface.values[r])) else {
                reasons["Retrieval/surface_type", default: 0] += 1; continue rows
            }
            var operation: OperationMode?
            if let mode {
                guard mode.valid(r), let m = OperationMode(rawValue: Int(mode.values[r])) else {
                    reasons["Sounding/operation_mode", default: 0] += 1; continue rows
                }
                operation = m
            }
            let s = scalars.mapValues { $0.values[r] }
            let row = (r * levelCount)..<((r + 1) * levelCount)
            let pressures = levels["pressure_levels"]!.values[row].map { $0 * pressureScale }
            let plausible: [(String, Bool)] = [
                ("latitude", abs(s["latitude"]!) <= 90),
                ("longitude", s["longitude"]! >= -180 && s["longitude"]! <= 360),
                ("xco2", s["xco2"]! > 0),
                ("xco2_uncertainty", s["xco2_uncertainty"]! > 0),
                ("pressure_levels", pressures.first! >= 0 && zip(pressures, pressures.dropFirst()).allSatisfy { $0 < $1 }),
            ]
            if let bad = plausible.first(where: { !$0.1 }) { reasons[bad.0, default: 0] += 1; continue rows }
            soundings.append(XCO2Sounding(
                id: ids[r], latitude: s["latitude"]!, longitude: s["longitude"]!, time: s["time"]!,
                xco2: s["xco2"]! * xco2Scale, uncertainty: s["xco2_uncertainty"]! * uncertaintyScale,
                qualityFlag: Int(s["xco2_quality_flag"]!), pressureLevels: pressures,
                pressureWeights: Array(levels["pressure_weight"]!.values[row]),
                averagingKernel: Array(levels["xco2_averaging_kernel"]!.values[row]),
                aprioriProfile: levels["co2_profile_apriori"]!.values[row].map { $0 * profileScale },
                xco2Apriori: s["xco2_apriori"]! * aprioriScale, surfaceType: surfaceType,
                landFraction: landFraction.flatMap { $0.valid(r) ? $0.values[r] : nil },
                operationMode: operation, gain: gain?[r]))
        }
        return LiteFileContents(path: path, soundings: soundings, rowCount: n, dropReasons: reasons)
    }
}

/// Values of one variable with its missing-value markers.
struct ValidatedValues {
    let values: [Double]
    let missing: [Double]

    func valid(_ index: Int) -> Bool {
        let v = values[index]
        return v.isFinite && !missing.contains(v)
    }

    func validRow(_ row: Int, width: Int) -> Bool {
        for index in (row * width)..<((row + 1) * width) where !valid(index) { return false }
        return true
    }
}

/// Reads variables of an observation file with shape, type and unit checks
/// whose errors name the file and the variable.
struct VariableReader {
    let file: NetCDFFile

    func variable(_ name: String, shape expected: [Int]) throws -> NetCDFVariable {
        guard file.root.hasVariable(name) else {
            throw ObservationError(file: file.path, variable: name, message: "required variable is missing")
        }
        let variable = try file.root.variable(name)
        let shape = try variable.shape()
        guard shape == expected else {
            throw ObservationError(file: file.path, variable: name,
                                   message: "has shape \(shape), expected \(expected)")
        }
        return variable
    }

    func doubles(_ name: String, shape: [Int]) throws -> ValidatedValues {
        let v = try variable(name, shape: shape)
        let type = try v.type()
        guard type != .string, type != .char else {
            throw ObservationError(file: file.path, variable: name, message: "is of type \(type), expected a number")
        }
        var missing: [Double] = []
        for attribute in ["missing_value", "_FillValue"] {
            if let values = try v.attribute(attribute)?.numbers { missing += values }
        }
        // A float variable's marker is stored as float; compare in the same precision.
        let values: [Double] = type == .float ? try v.read(Float.self).map(Double.init) : try v.read(Double.self)
        if type == .float { missing = missing.map { Double(Float($0)) } }
        return ValidatedValues(values: values, missing: missing)
    }

    func int64(_ name: String, shape: [Int]) throws -> [Int64] {
        let v = try variable(name, shape: shape)
        return try v.read(Int64.self)
    }

    func strings(_ name: String, count: Int) throws -> [String] {
        let v = try file.root.variable(name)
        let shape = try v.shape()
        guard shape.first == count else {
            throw ObservationError(file: file.path, variable: name, message: "has shape \(shape), expected [\(count), ...]")
        }
        switch try v.type() {
        case .string: return try v.readStrings()
        case .char:
            if shape.count == 1 {
                let bytes = try v.read(Int8.self)
                return bytes.map { String(UnicodeScalar(UInt8(bitPattern: $0))) }
            }
            return try v.readCharacterRows()
        default:
            throw ObservationError(file: file.path, variable: name, message: "expected text (string or char)")
        }
    }

    func units(_ name: String) throws -> String {
        guard let text = try file.root.variable(name).attribute("units")?.text else {
            throw ObservationError(file: file.path, variable: name, message: "has no 'units' attribute")
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// Factor converting the variable's unit to ppm.
    func ppmScale(_ name: String) throws -> Double {
        let u = try units(name)
        switch u.lowercased() {
        case "ppm", "ppmv", "1e-6", "umol/mol", "µmol/mol", "micromol/mol", "umol mol-1", "µmol mol-1": return 1
        case "mol/mol", "mol mol-1", "1": return 1e6
        default:
            throw ObservationError(file: file.path, variable: name, message: "unknown unit '\(u)' (expected ppm or mol/mol)")
        }
    }

    /// Factor converting the variable's unit to Pa.
    func pressureScale(_ name: String) throws -> Double {
        let u = try units(name)
        switch u {
        case "hPa", "mb", "mbar", "millibar": return 100
        case "Pa": return 1
        default:
            throw ObservationError(file: file.path, variable: name, message: "unknown unit '\(u)' (expected hPa or Pa)")
        }
    }

    func requireEpochSeconds(_ name: String) throws {
        let u = try units(name)
        let normalized = u.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
        guard normalized.hasPrefix("seconds since 1970-01-01"),
              normalized.dropFirst("seconds since 1970-01-01".count).allSatisfy({ " 0:.".contains($0) }) else {
            throw ObservationError(file: file.path, variable: name,
                                   message: "unknown unit '\(u)' (expected seconds since 1970-01-01 00:00:00)")
        }
    }
}
