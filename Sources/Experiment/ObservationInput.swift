import Foundation
import Geometry
import ModelTime
import Observations

/// The observation types of a run, read from their files and selected for
/// its period and domain: satellite XCO2 (Lite) and, when configured,
/// in-situ CO2 (ObsPack). A configured source that yields nothing is an error.
public enum ObservationInput {
    /// The configured sources, or the files of a twin experiment's truth run
    /// (`satellite` and `inSitu` given: the in-situ settings are the
    /// configuration's, its files these).
    public static func load(config: ExperimentConfig, satellite: [String]? = nil,
                            inSitu: [String]? = nil) throws -> [any ObservationType] {
        let grid = config.domain.grid, end = config.end.advanced(by: 1)
        let source = "observations.satellite.files"
        let input = try LiteReader.readSource(try ObservationFiles.expand(satellite ?? config.satellite.files, source: source))
        try input.requireSoundings(source: source, grid: grid, start: config.start, end: end)
        var types: [any ObservationType] = [SatelliteXCO2Observations(input, grid: grid, options: config.selectionOptions)]
        var settings = config.inSitu ?? InSituSettings(files: [])
        if let inSitu { settings.files = inSitu }
        if !settings.files.isEmpty {
            let selection = try settings.load(source: "observations.in_situ.files", grid: grid, layers: config.domain.layers,
                                              start: config.start, end: end)
            types.append(InSituObservations(selection, use: settings.use, ombGate: settings.ombGate))
        } else if settings.use == .assimilate {
            throw ExperimentError.invalidInput("\(config.file): key 'observations.in_situ.files': in-situ assimilation "
                                               + "is configured but no files are listed")
        }
        return types
    }

    /// The selection counts of every type, for the log.
    public static func report(_ types: [any ObservationType]) -> String {
        types.map { "\($0.kind.flagMeaning):\n\($0.report)" }.joined(separator: "\n")
    }
}
