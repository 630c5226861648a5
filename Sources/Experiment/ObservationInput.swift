import Foundation
import Geometry
import ModelTime
import Observations

/// The observation types of a run, read from their files: satellite XCO2
/// (Lite) and in-situ (ObsPack).
public enum ObservationInput {
    /// Lite files named by `paths` and ObsPack files named by `inSitu`
    /// (files or folders), selected for the run's period and domain.
    public static func load(paths: [String], inSitu: [String] = [], config: ExperimentConfig) throws -> [any ObservationType] {
        let contents = try LiteReader.read(try expand(paths))
        var types: [any ObservationType] = [
            SatelliteXCO2Observations(contents.flatMap(\.soundings), droppedInvalid: contents.map(\.droppedInvalid).reduce(0, +),
                                      grid: config.domain.grid, options: config.selectionOptions),
        ]
        let sites = try expand(inSitu).map { path throws in try ObsPackReader.read(path) }
        if !sites.isEmpty {
            types.append(InSituObservations(sites, grid: config.domain.grid, layers: config.domain.layers,
                                            start: config.start, end: config.end.advanced(by: 1)))
        }
        return types
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

    /// The selection counts of every type, for the log.
    public static func report(_ types: [any ObservationType]) -> String {
        types.map { "\($0.kind.flagMeaning):\n\($0.report)" }.joined(separator: "\n")
    }
}
