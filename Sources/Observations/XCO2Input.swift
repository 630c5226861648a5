import Geometry
import ModelTime

/// Every sounding of a satellite source (its Lite files), each `sounding_id`
/// once, with the counts of what each file gave and what was dropped.
public struct XCO2Input: Sendable {
    /// What each file gave, in the order read.
    public let files: [LiteFileContents]
    /// The usable soundings of all files, each `sounding_id` once (the first
    /// file's copy of an identical repeat).
    public let soundings: [XCO2Sounding]
    /// Rows dropped by "variable: problem", summed over the files, plus
    /// identical repeats of a sounding across files.
    public let dropReasons: [String: Int]

    /// Rows dropped as unusable or repeated.
    public var droppedInvalid: Int { dropReasons.values.reduce(0, +) }

    /// Rows in all files.
    public var rowCount: Int { files.reduce(0) { $0 + $1.rowCount } }

    /// Usable soundings of each file whose hour is in [start, end) (nil: no
    /// limit) and that lie inside `grid`: what each file can contribute.
    public func soundingCounts(grid: HorizontalGrid, start: ModelHour?, end: ModelHour?) -> [(path: String, soundings: Int)] {
        files.map { file in
            (file.path, file.soundings.filter { s in
                (start.map { s.hour >= $0 } ?? true) && (end.map { s.hour < $0 } ?? true)
                    && grid.cell(containing: s.location) != nil
            }.count)
        }
    }

    /// Throws, naming `source` (the configuration key), when no sounding of
    /// any file falls in [start, end) inside `grid`: a configured source that
    /// gives nothing is a mistake (wrong folder, period or product), not a
    /// run without observations. Returns the per-file counts otherwise.
    @discardableResult
    public func requireSoundings(source: String, grid: HorizontalGrid, start: ModelHour?,
                                 end: ModelHour?) throws(ObservationError) -> [(path: String, soundings: Int)] {
        let counts = soundingCounts(grid: grid, start: start, end: end)
        guard counts.contains(where: { $0.soundings > 0 }) else {
            let dropped = dropReasons.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            throw ObservationError(file: source, variable: nil, message: "\(files.count) file(s), \(rowCount) rows, \(soundings.count) usable "
                + "soundings: none in the period and the domain" + (dropped.isEmpty ? "" : " (dropped: \(dropped))"))
        }
        return counts
    }
}

extension LiteReader {
    /// Reads the files of one source (already expanded, see
    /// ``ObservationFiles/expand(_:source:)``): every file is checked, and a
    /// sounding repeated across files is kept once if identical and is an
    /// error naming both files if not.
    public static func readSource(_ paths: [String]) throws(ObservationError) -> XCO2Input {
        let files = try read(paths)
        let labelled = files.flatMap { file in file.soundings.map { ($0, file.path) } }
        let unique = try SoundingIdentity.removingIdenticalRepeats(labelled)
        var reasons: [String: Int] = [:]
        for file in files { for (reason, count) in file.dropReasons { reasons[reason, default: 0] += count } }
        if unique.repeats > 0 { reasons[SoundingIdentity.duplicateReason, default: 0] += unique.repeats }
        return XCO2Input(files: files, soundings: unique.soundings.map(\.0), dropReasons: reasons)
    }
}
