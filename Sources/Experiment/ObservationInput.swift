import Foundation
import Geometry
import ModelTime
import Observations

/// Reads the configured satellite files and selects the assimilation
/// candidates and the validation set, grouped by hour.
public enum ObservationInput {
    /// Lite files named by `paths` (files, folders or globs).
    public static func load(paths: [String], config: ExperimentConfig) throws -> HourlyObservations {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                let names = try FileManager.default.contentsOfDirectory(atPath: path).filter { $0.hasSuffix(".nc") }.sorted()
                files += names.map { "\(path)/\($0)" }
            } else {
                files.append(path)
            }
        }
        let contents = try LiteReader.read(files)
        return select(contents.flatMap(\.soundings), droppedInvalid: contents.map(\.droppedInvalid).reduce(0, +),
                      config: config)
    }

    /// Selection (quality, mode, window, domain, thinning or super-observations).
    public static func select(_ soundings: [XCO2Sounding], droppedInvalid: Int, config: ExperimentConfig) -> HourlyObservations {
        let options = XCO2SelectionOptions(
            instrument: SatelliteInstrument(rawValue: config.instrument) ?? .gosat, start: config.start,
            end: config.end.advanced(by: 1), combination: config.combination == "thinning" ? .thinning : .superObservations,
            ombThreshold: config.ombGate, errorInflation: config.errorInflation, errorFloor: config.errorFloor)
        let selection = XCO2Selector.select(soundings, grid: config.domain.grid, options: options, droppedInvalid: droppedInvalid)
        var hourly = HourlyObservations(instrument: config.instrument, report: selection.report)
        for observation in selection.observations { hourly.candidates[observation.hour, default: []].append(observation) }
        for sounding in selection.validation { hourly.validation[sounding.hour, default: []].append(sounding) }
        return hourly
    }
}
