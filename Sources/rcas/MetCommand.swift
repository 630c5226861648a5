import ArgumentParser
import Foundation
import Geometry
import Meteorology
import ModelTime

struct MetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "met", abstract: "Make and check meteorology files (Docs/meteorology.md).",
        subcommands: [MetSynth.self, MetCheck.self])
}

struct MetSynth: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Write the built-in synthetic meteorology for some hours into a file in the RCAS schema.")

    @OptionGroup var period: HourlyFileOptions

    @Option(help: "Seed of the synthetic weather (waves).")
    var seed: UInt64 = SyntheticMeteorology.defaultSeed

    @Option(help: "Storage precision: double (exact round trip) or float (half the size).")
    var precision: String = "double"

    func validate() throws {
        guard MetFileWriter.Precision(rawValue: precision) != nil else {
            throw ValidationError("--precision must be double or float")
        }
    }

    func run() throws {
        let d = try loadDomain(period.domain)
        let first = period.first, output = period.output
        let met = try MeteorologySettings.synthetic(seed: seed).makeProvider(domain: d)
        let count = try MetFileWriter.write(met, hours: Array(first..<first.advanced(by: period.hours)), to: output,
                                            title: "RCAS synthetic meteorology (seed \(seed)) on domain \(d.name)",
                                            precision: MetFileWriter.Precision(rawValue: precision)!)
        print("wrote \(output): \(count) hours from \(first) on domain \(d.name) (\(d.grid.nx) x \(d.grid.ny) x \(d.layers.count)), seed \(seed)")
    }
}

struct MetCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate meteorology files against a domain: every hour, every variable.")

    @Option(help: "A domain folder (holding domain.yaml) or a domain.yaml file.")
    var domain: String

    @Argument(help: "Meteorology files in the RCAS schema.")
    var files: [String]

    func run() throws {
        let d = try loadDomain(domain)
        let met = try NetCDFMeteorology(domain: d, files: files)
        let hours = met.hours
        var maxWind = 0.0, pbl = (Double.infinity, -Double.infinity)
        for hour in hours {
            let f = try met.fields(at: hour)
            maxWind = max(maxWind, f.u.map(abs).max() ?? 0, f.v.map(abs).max() ?? 0)
            pbl = (min(pbl.0, f.pblHeight.min() ?? 0), max(pbl.1, f.pblHeight.max() ?? 0))
        }
        let gaps = zip(hours, hours.dropFirst()).filter { $0.distance(to: $1) != 1 }.count
        print("\(files.count) file(s) valid for domain \(d.name): \(hours.count) hours, \(hours.first!) to \(hours.last!), \(gaps) gap(s)")
        print(String(format: "  max |u|,|v| %.1f m/s; PBL height %.0f to %.0f m", maxWind, pbl.0, pbl.1))
    }
}

/// The options of commands that write some hours of a domain into a file.
struct HourlyFileOptions: ParsableArguments {
    @Option(help: "A domain folder (holding domain.yaml) or a domain.yaml file.")
    var domain: String

    @Option(help: "First hour (UTC), e.g. 2016-01-01 or 2016-01-01T06.")
    var start: String

    @Option(help: "Number of hours to write.")
    var hours: Int

    @Option(name: .shortAndLong, help: "The NetCDF file to write.")
    var output: String

    func validate() throws {
        guard ModelHour(iso: start) != nil else { throw ValidationError("--start '\(start)' is not a UTC hour like 2016-01-01T06") }
        guard hours > 0 else { throw ValidationError("--hours must be positive") }
    }

    /// The first hour (valid after `validate()`).
    var first: ModelHour { ModelHour(iso: start)! }
}
