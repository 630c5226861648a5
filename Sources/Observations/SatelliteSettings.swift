import ConfigFormat
import Foundation
import ModelTime

/// The `observations.satellite:` section of a run configuration.
///
///     satellite:
///       source: files              # files | synthetic (twin experiments sample the truth run)
///       instrument: gosat          # gosat | oco2
///       files: [data/gosat]        # Lite files or folders of them, relative to the configuration
///       combination: thinning      # thinning (Kou2023) | super-observations (Jiang2021)
///       omb_gate_ppm: 5
///       error_inflation: 1.0       # Jiang2021: 1.9
///       error_floor_ppm: 0.0       # Jiang2021: 1
public struct SatelliteSettings: Sendable, Equatable, ConfigPrintable {
    public enum Source: String, Sendable, CaseIterable { case synthetic, files }

    public var source: Source
    public var instrument: SatelliteInstrument
    /// Absolute paths of files or folders.
    public var files: [String]
    public var combination: XCO2Combination
    public var ombGate: Double
    public var errorInflation: Double
    public var errorFloor: Double

    /// Reads the section; relative paths are taken from `baseDirectory`.
    public init(_ section: ConfigMapping, baseDirectory: URL) throws(ConfigError) {
        instrument = SatelliteInstrument(rawValue: try section.choice(
            "instrument", from: SatelliteInstrument.allCases.map(\.rawValue)))!
        source = Source(rawValue: try section.choice("source", default: "files", from: Source.allCases.map(\.rawValue)))!
        files = (try section.optionalList("files", of: String.self) ?? []).map {
            $0.hasPrefix("/") ? $0 : baseDirectory.appendingPathComponent($0).standardizedFileURL.path
        }
        if source == .files && files.isEmpty { throw section.error("files", "source is 'files' but no files are listed") }
        for path in files where !FileManager.default.fileExists(atPath: path) {
            throw section.error("files", "observation file or folder \(path) does not exist")
        }
        combination = XCO2Combination(rawValue: try section.choice(
            "combination", default: XCO2Combination.thinning.rawValue, from: XCO2Combination.allCases.map(\.rawValue)))!
        ombGate = try section.value("omb_gate_ppm", default: 5.0, in: 0.01...1000)
        errorInflation = try section.value("error_inflation", default: 1.0, in: 0.1...100)
        errorFloor = try section.value("error_floor_ppm", default: 0.0, in: 0...100)
        try section.finish()
    }

    public var configNode: ConfigNode {
        .mapping([("source", .text(source.rawValue)), ("instrument", .text(instrument.rawValue)),
                  ("files", .list(files.map(ConfigNode.text))), ("combination", .text(combination.rawValue)),
                  ("omb_gate_ppm", .number(ombGate)), ("error_inflation", .number(errorInflation)),
                  ("error_floor_ppm", .number(errorFloor))])
    }

    /// Selection, gate and error model over the hours [start, end).
    public func selectionOptions(start: ModelHour, end: ModelHour) -> XCO2SelectionOptions {
        XCO2SelectionOptions(instrument: instrument, start: start, end: end, combination: combination,
                             ombThreshold: ombGate, errorInflation: errorInflation, errorFloor: errorFloor)
    }
}
