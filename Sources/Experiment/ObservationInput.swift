import Foundation
import Geometry
import ModelTime
import Observations

/// Reads the configured satellite files and selects the assimilation
/// candidates and the validation set, grouped by hour.
public enum ObservationInput {
    /// Lite files named by `paths` and ObsPack files named by `inSitu`
    /// (files or folders of `.nc` files).
    public static func load(paths: [String], inSitu: [String] = [], config: ExperimentConfig) throws -> HourlyObservations {
        let contents = try LiteReader.read(try expand(paths))
        var hourly = select(contents.flatMap(\.soundings), droppedInvalid: contents.map(\.droppedInvalid).reduce(0, +),
                            config: config)
        for file in try expand(inSitu) {
            let site = try ObsPackReader.read(file)
            for record in site.records where record.hour >= config.start && record.hour <= config.end {
                hourly.inSitu[record.hour, default: []].append((site.siteCode, record))
            }
        }
        return hourly
    }

    /// Files, plus the `.nc` files of folders (sorted).
    static func expand(_ paths: [String]) throws -> [String] {
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
        return files
    }

    /// Selection (quality, mode, window, domain, thinning or super-observations).
    public static func select(_ soundings: [XCO2Sounding], droppedInvalid: Int, config: ExperimentConfig) -> HourlyObservations {
        let options = config.selectionOptions
        let selection = XCO2Selector.select(soundings, grid: config.domain.grid, options: options, droppedInvalid: droppedInvalid)
        var hourly = HourlyObservations(instrument: config.instrument, report: selection.report)
        for observation in selection.observations { hourly.candidates[observation.hour, default: []].append(observation) }
        for sounding in selection.validation { hourly.validation[sounding.hour, default: []].append(sounding) }
        return hourly
    }
}
