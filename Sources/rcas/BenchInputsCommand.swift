import ArgumentParser
import Experiment
import Foundation
import Parallel

/// `rcas bench inputs`: what a configuration's hourly inputs cost each rank
/// (Docs/performance.md, "Inputs per tile").
struct BenchInputs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inputs",
        abstract: "Time a configuration's hourly inputs per rank, split by tile and whole-grid (run under mpirun).",
        discussion: """
            Reads the configuration's meteorology, prior fluxes and background for the first --hours hours \
            of its period as the cycle asks for them on each rank (the meteorology of the region its \
            transport reads, the prior of its own cells, the inflow next to them) and, in the same run, \
            for the whole grid, which is what every rank did before the inputs were split by tile. Reports \
            seconds per simulated hour of each input on the slowest rank. Files are read through the \
            page cache: both passes meet them equally warm (they alternate hour by hour).
            """)

    @Argument(help: "The experiment configuration (YAML).")
    var config: String

    @Option(help: "Hours to read from the start of the configuration's period.")
    var hours = 24

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard hours >= 1 else { throw ValidationError("--hours must be at least 1") }
    }

    func run() throws {
        withWorld { world in
            let experiment = try loadExperiment(config)
            let available = experiment.start.distance(to: experiment.end) + 1
            guard hours <= available else {
                throw CommandFailure("bench inputs: --hours \(hours) is longer than the period of \(config) (\(available) hours)")
            }
            let timing = try InputsTiming.measure(config: experiment, world: world, hours: hours)
            guard world.rank == 0 else { return }
            report(timing)
        }
    }

    private func report(_ timing: InputsTiming) {
        let inputs = InputsTiming.Input.allCases
        if json {
            func object(_ table: [InputsTiming.Input: Double], total: Double) -> String {
                "{" + inputs.map { "\"\($0.rawValue)\": \(table[$0]!)" }.joined(separator: ", ") + ", \"total\": \(total)}"
            }
            print("{\"ranks\": \(timing.ranks), \"hours\": \(timing.hours), \"config\": \"\(config)\", "
                  + "\"per_tile\": \(object(timing.perTile, total: timing.perTileTotal)), "
                  + "\"whole_grid\": \(object(timing.wholeGrid, total: timing.wholeGridTotal))}")
            return
        }
        print("bench inputs: \(config), \(timing.ranks) rank(s), \(timing.hours) hours; seconds per simulated hour, slowest rank")
        print("  input          per tile   whole grid")
        for input in inputs {
            print("  " + input.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                  + String(format: "  %9.5f  %9.5f", timing.perTile[input]!, timing.wholeGrid[input]!))
        }
        print(String(format: "  total         %9.5f  %9.5f", timing.perTileTotal, timing.wholeGridTotal))
    }
}
