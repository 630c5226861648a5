import ArgumentParser
import Foundation
import Geometry
import ModelTime
import Observations

struct ObsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "obs", abstract: "Inspect observation files and make synthetic ones.",
        subcommands: [ObsScan.self, ObsSynth.self])
}

/// A failure already explained in its message (file, variable, problem).
struct ObsFailure: Error, CustomStringConvertible {
    let description: String
}

struct ObsScan: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Count the soundings of ACOS GOSAT / OCO-2 Lite files: quality flags, time span, inside the domain.")

    @Option(help: "A domain folder (holding domain.yaml) or a domain.yaml file.")
    var domain: String

    @Flag(help: "Print one JSON object instead of a table.")
    var json = false

    @Option(help: "gosat or oco2: also run the selection steps (quality, mode, domain, one per column and hour) and report their counts.")
    var instrument: String?

    @Option(help: "With --instrument: thinning (default) or super-observations.")
    var combination: String = XCO2Combination.thinning.rawValue

    func validate() throws {
        if let instrument, SatelliteInstrument(rawValue: instrument) == nil {
            throw ValidationError("--instrument must be gosat or oco2")
        }
        guard XCO2Combination(rawValue: combination) != nil else {
            throw ValidationError("--combination must be thinning or super-observations")
        }
    }

    @Argument(help: "Lite files or folders of them (every *.nc4 / *.nc inside, sorted by name).")
    var files: [String]

    func run() throws {
        let grid = try loadDomain(domain).grid
        let paths = try expandObservationPaths(files)
        var soundings = 0, good = 0, inside = 0, dropped = 0
        var flags: [Int: Int] = [:]
        var reasons: [String: Int] = [:]
        var first = Double.infinity, last = -Double.infinity
        var all: [XCO2Sounding] = []
        for path in paths {
            let contents: LiteFileContents
            do { contents = try LiteReader.read(path) } catch { throw ObsFailure(description: "\(error)") }
            dropped += contents.droppedInvalid
            if instrument != nil { all += contents.soundings }
            for (k, v) in contents.dropReasons { reasons[k, default: 0] += v }
            for s in contents.soundings {
                soundings += 1
                flags[s.qualityFlag, default: 0] += 1
                if s.qualityFlag == 0 { good += 1 }
                if grid.cell(containing: s.location) != nil { inside += 1 }
                first = min(first, s.time)
                last = max(last, s.time)
            }
        }
        let start = soundings > 0 ? isoSeconds(first) : nil
        let end = soundings > 0 ? isoSeconds(last) : nil
        let selection = instrument.map { name in
            XCO2Selector.select(all, grid: grid, options: XCO2SelectionOptions(
                instrument: SatelliteInstrument(rawValue: name)!, combination: XCO2Combination(rawValue: combination)!),
                droppedInvalid: dropped)
        }
        if json {
            var object: [String: Any] = [
                "files": paths.count, "soundings": soundings, "good_quality": good, "inside_domain": inside,
                "dropped_invalid": dropped, "time_start": start ?? NSNull(), "time_end": end ?? NSNull(),
                "quality_flags": Dictionary(uniqueKeysWithValues: flags.map { (String($0.key), $0.value) }),
                "dropped_by_variable": reasons,
            ]
            if let selection {
                object["selection"] = selection.report.steps.map { ["step": $0.name, "kept": $0.kept, "dropped": $0.dropped] }
                object["validation"] = selection.validation.count
            }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
            return
        }
        print("files            \(paths.count)")
        print("soundings        \(soundings) valid, \(dropped) dropped as invalid")
        for (variable, count) in reasons.sorted(by: { $0.key < $1.key }) { print("  dropped for \(variable): \(count)") }
        for (flag, count) in flags.sorted(by: { $0.key < $1.key }) { print("  quality flag \(flag): \(count)") }
        print("good quality     \(good)")
        print("inside domain    \(inside)")
        print("time span        \(start ?? "-") to \(end ?? "-")")
        if let selection {
            print("selection (\(instrument!), \(combination)):")
            print(selection.report.description)
            print("  validation set: \(selection.validation.count) soundings")
        }
    }
}

struct ObsSynth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Sample synthetic GOSAT- or OCO-2-like Lite files (and ObsPack site files) from a truth concentration file.")

    @Option(help: "A domain folder (holding domain.yaml) or a domain.yaml file.")
    var domain: String

    @Option(help: "The truth run's concentration file (time, z, y, x: co2, pressure, water_vapour).")
    var truth: String

    @Option(help: "gosat or oco2.")
    var instrument: String

    @Option(help: "First hour, ISO 8601 (e.g. 2016-01-01T00).")
    var start: String

    @Option(help: "Number of hours.")
    var hours: Int

    @Option(help: "Output folder (created if missing).")
    var output: String

    @Option(help: "Random seed.")
    var seed: UInt64

    @Flag(help: "Also write ObsPack-style files for the 14 surface sites of Kou et al. 2023 Table 4.")
    var sites = false

    func validate() throws {
        guard SatelliteInstrument(rawValue: instrument) != nil else { throw ValidationError("--instrument must be gosat or oco2") }
        guard ModelHour(iso: start) != nil else { throw ValidationError("--start '\(start)' is not an ISO 8601 hour") }
        guard hours > 0 else { throw ValidationError("--hours must be positive") }
    }

    func run() throws {
        let d = try loadDomain(domain)
        let instrument = SatelliteInstrument(rawValue: instrument)!
        let first = ModelHour(iso: start)!
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        do {
            let sampler = try ConcentrationFileSampler(path: truth, grid: d.grid, layers: d.layers)
            let generator = SyntheticObservationGenerator(truth: sampler, seed: seed)
            let run = try generator.satellite(instrument, start: first, hours: hours)
            let comment = "synthetic \(instrument.rawValue)-like observations sampled from \(truth), seed \(seed)"
            // One file per UTC day, like the real Lite products.
            var day = ModelHour(first.value - first.hourOfDay)
            let end = first.advanced(by: hours)
            while day < end {
                let next = day.advanced(by: 24)
                let todays = run.soundings.filter { $0.time >= day.secondsSince1970 && $0.time < next.secondsSince1970 }
                let path = URL(fileURLWithPath: output).appendingPathComponent(LiteWriter.fileName(instrument, day: day)).path
                try LiteWriter.write(todays, instrument: instrument, to: path, comment: comment)
                print("wrote \(path): \(todays.count) soundings")
                day = next
            }
            let share = run.candidates > 0 ? 100 * Double(run.clear) / Double(run.candidates) : 0
            print(String(format: "%d sunlit footprints in the domain, %d clear (%.1f %%), %d with quality flag 0",
                         run.candidates, run.clear, share, run.soundings.filter { $0.qualityFlag == 0 }.count))
            if sites {
                let table = SurfaceSite.seed000Table4
                for (site, records) in zip(table, try generator.sites(table, start: first, hours: hours)) {
                    guard let records else {
                        print("site \(site.code) (\(site.name)) is outside the domain: skipped")
                        continue
                    }
                    let path = URL(fileURLWithPath: output).appendingPathComponent(ObsPackWriter.fileName(site)).path
                    try ObsPackWriter.write(records, site: site, error: SyntheticObservationGenerator.siteError, to: path,
                                            comment: comment)
                    print("wrote \(path): \(records.count) records")
                }
            }
        } catch let error as ObservationError {
            throw ObsFailure(description: "\(error)")
        }
    }
}

/// Files named on the command line, with folders replaced by their *.nc4 and
/// *.nc files (sorted by name) and quoted glob patterns expanded (sorted).
func expandObservationPaths(_ arguments: [String]) throws -> [String] {
    var paths: [String] = []
    for argument in arguments {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: argument), argument.contains(where: { "*?[".contains($0) }) {
            let matches = globMatches(argument)
            guard !matches.isEmpty else { throw ObsFailure(description: "\(argument): no file matches") }
            paths += matches
            continue
        }
        guard FileManager.default.fileExists(atPath: argument, isDirectory: &isDirectory) else {
            throw ObsFailure(description: "\(argument): no such file or folder")
        }
        if isDirectory.boolValue {
            let names = try FileManager.default.contentsOfDirectory(atPath: argument)
                .filter { $0.hasSuffix(".nc4") || $0.hasSuffix(".nc") }.sorted()
            paths += names.map { URL(fileURLWithPath: argument).appendingPathComponent($0).path }
        } else {
            paths.append(argument)
        }
    }
    return paths
}

/// ISO 8601 UTC time to the second.
func isoSeconds(_ secondsSince1970: Double) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.timeZone = TimeZone(identifier: "UTC")
    return formatter.string(from: Date(timeIntervalSince1970: secondsSince1970.rounded(.down)))
}

/// The paths matching a shell glob pattern, sorted.
func globMatches(_ pattern: String) -> [String] {
    var result = glob_t()
    defer { globfree(&result) }
    guard glob(pattern, 0, nil, &result) == 0 else { return [] }
    return (0..<Int(result.gl_pathc)).compactMap { result.gl_pathv[$0].map { String(cString: $0) } }.sorted()
}
