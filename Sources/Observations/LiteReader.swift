import Foundation
import NetCDFIO

/// The soundings of one Lite file, with the ones that could not be used
/// counted by the variable and problem that made them unusable.
public struct LiteFileContents: Sendable {
    /// The file read.
    public let path: String
    /// Soundings whose every required value is present and plausible, once
    /// each (identical repeats of a `sounding_id` removed).
    public let soundings: [XCO2Sounding]
    /// Number of rows in the file.
    public let rowCount: Int
    /// Rows dropped, by "variable: problem" (the first one found for each
    /// row), e.g. "time: fill value", "xco2: outside 300.0-600.0 ppm",
    /// "sounding_id: identical duplicate".
    public let dropReasons: [String: Int]

    /// Rows dropped as invalid or duplicate.
    public var droppedInvalid: Int { dropReasons.values.reduce(0, +) }
}

/// Reader of ACOS GOSAT Lite (v9) and OCO-2 Lite (v10, v11) NetCDF-4 files;
/// the variables, types and conventions it relies on, and where they come
/// from, are in Docs/observations.md.
///
/// A file that cannot be opened, lacks a required variable, has a variable of
/// the wrong shape or type, a unit it cannot convert, a whole variable that
/// is implausible after conversion (ppm labelled mol/mol), or two different
/// rows with one `sounding_id` is an error naming the file and the variable.
/// A row with a fill or missing value, NaN, an implausible value or an
/// unknown code is dropped and counted.
public enum LiteReader {
    /// Root variables with one value per sounding and level.
    static let perLevel = ["pressure_levels", "pressure_weight", "xco2_averaging_kernel", "co2_profile_apriori"]
    /// Plausible XCO2 and a priori XCO2 (ppm): the whole variable must mostly
    /// lie inside, and single values outside are dropped.
    public static let plausibleXCO2 = 300.0 ... 600.0
    /// Plausible a priori CO2 at the retrieval levels (ppm).
    static let plausibleProfile = 200.0 ... 1000.0
    /// Plausible reported XCO2 uncertainty (ppm).
    static let plausibleUncertainty = 1e-6 ... 50.0

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
        let variables = ObservationVariables(file: file)
        let n: Int
        do { n = try root.dimensionLength("sounding_id") } catch {
            throw ObservationError(file: path, variable: "sounding_id", message: "dimension 'sounding_id' not found")
        }
        let levelCount: Int
        do { levelCount = try root.dimensionLength("levels") } catch {
            throw ObservationError(file: path, variable: "levels", message: "dimension 'levels' not found")
        }
        guard levelCount >= 2 else {
            throw ObservationError(file: path, variable: "levels", message: "needs at least 2 levels, found \(levelCount)")
        }
        let row = [n], grid = [n, levelCount]

        let ids = try variables.identifiers("sounding_id", count: n)
        let time = try variables.times("time", shape: row)
        var latitude = try variables.column("latitude", shape: row)
        latitude.require("outside -90-90 degrees") { abs($0) <= 90 }
        var longitude = try variables.column("longitude", shape: row)
        longitude.require("outside -180-360 degrees") { $0 >= -180 && $0 <= 360 }
        let xco2 = try variables.moleFraction("xco2", shape: row, plausible: plausibleXCO2)
        let uncertainty = try variables.moleFraction("xco2_uncertainty", shape: row, plausible: plausibleUncertainty)
        let quality = try variables.codes("xco2_quality_flag", shape: row, known: Set(-128...255))
        let xco2Apriori = try variables.moleFraction("xco2_apriori", shape: row, plausible: plausibleXCO2)
        var pressure = try variables.column("pressure_levels", shape: grid)
        let toPascal = try variables.variable("pressure_levels", shape: grid).pressureToPascal()
        pressure.convert { $0 * toPascal }
        pressure.require("not positive") { $0 > 0 }
        let weights = try variables.column("pressure_weight", shape: grid)
        let kernel = try variables.column("xco2_averaging_kernel", shape: grid)
        let profile = try variables.moleFraction("co2_profile_apriori", shape: grid, plausible: plausibleProfile)

        let hasSurfaceType = root.hasVariable("Retrieval/surface_type")
        let hasIndicator = root.hasVariable("Sounding/land_water_indicator")
        guard hasSurfaceType || hasIndicator else {
            throw ObservationError(file: path, variable: "Sounding/land_water_indicator",
                                   message: "required variable is missing (and so is Retrieval/surface_type)")
        }
        let surface = hasSurfaceType ? try variables.codes("Retrieval/surface_type", shape: row, known: [0, 1]) : nil
        let indicator = hasIndicator ? try variables.codes("Sounding/land_water_indicator", shape: row, known: [0, 1, 2, 3]) : nil
        let mode = root.hasVariable("Sounding/operation_mode")
            ? try variables.codes("Sounding/operation_mode", shape: row, known: [0, 1, 2, 3, 4]) : nil
        let landFraction = try variables.optionalVariable("Sounding/land_fraction", shape: row)
            .map { ObservationColumn(variable: "Sounding/land_fraction", physical: try $0.readPhysical()) }
        let gain = root.hasVariable("Sounding/gain") ? try variables.text("Sounding/gain", records: n) : nil

        var soundings: [XCO2Sounding] = []
        soundings.reserveCapacity(n)
        var reasons: [String: Int] = [:]
        let scalars = [time, latitude, longitude, xco2, uncertainty, quality, xco2Apriori]
        let levels = [pressure, weights, kernel, profile]
        let codes = [surface, indicator, mode].compactMap { $0 }
        for r in 0..<n {
            // The first unusable variable names the reason, in the order above.
            let problem = (ids[r] == nil ? "sounding_id: fill value or not a 64-bit integer" : nil)
                ?? scalars.lazy.compactMap { $0.problem(row: r) }.first
                ?? levels.lazy.compactMap { $0.problem(row: r, width: levelCount) }.first
                ?? codes.lazy.compactMap { $0.problem(row: r) }.first
                ?? pressureOrderProblem(pressure, row: r, width: levelCount)
            if let problem {
                reasons[problem, default: 0] += 1
                continue
            }
            guard let id = ids[r] else { continue }
            let span = (r * levelCount)..<((r + 1) * levelCount)
            let landWater = indicator.flatMap { LandWaterIndicator(rawValue: Int($0.values[r])) }
            let surfaceType: SurfaceType = surface.flatMap { SurfaceType(rawValue: Int($0.values[r])) }
                ?? (landWater == .land || landWater == .mixed ? .land : .water)
            soundings.append(XCO2Sounding(
                id: id, latitude: latitude.values[r], longitude: longitude.values[r], time: time.values[r],
                xco2: xco2.values[r], uncertainty: uncertainty.values[r], qualityFlag: Int(quality.values[r]),
                pressureLevels: Array(pressure.values[span]), pressureWeights: Array(weights.values[span]),
                averagingKernel: Array(kernel.values[span]), aprioriProfile: Array(profile.values[span]),
                xco2Apriori: xco2Apriori.values[r], surfaceType: surfaceType,
                landFraction: landFraction.flatMap { $0.values[r].isNaN ? nil : $0.values[r] },
                operationMode: mode.flatMap { OperationMode(rawValue: Int($0.values[r])) },
                gain: gain?[r], landWaterIndicator: landWater))
        }
        let unique = try SoundingIdentity.removingIdenticalRepeats(soundings.map { ($0, path) })
        if unique.repeats > 0 { reasons[SoundingIdentity.duplicateReason, default: 0] += unique.repeats }
        return LiteFileContents(path: path, soundings: unique.soundings.map(\.0), rowCount: n, dropReasons: reasons)
    }

    /// Retrieval levels must run from space to the surface (pressure
    /// strictly increasing).
    private static func pressureOrderProblem(_ pressure: ObservationColumn, row: Int, width: Int) -> String? {
        let levels = pressure.values[(row * width)..<((row + 1) * width)]
        return zip(levels, levels.dropFirst()).allSatisfy({ $0 < $1 }) ? nil : "pressure_levels: not increasing from space to surface"
    }
}
