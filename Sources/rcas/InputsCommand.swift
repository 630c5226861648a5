import ArgumentParser
import Experiment
import Foundation

struct InputsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inputs", abstract: "Check the inputs of a run before running it.",
        subcommands: [InputsCheck.self])
}

/// `rcas inputs check CONFIG [--json]`: the dry run of Docs/inputs.md.
struct InputsCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Resolve, open and read every input of a run without running it (one process, no mpirun).",
        discussion: """
            Reports the satellite files and soundings with the selection counts, the in-situ files and \
            samples, the meteorology hours and gaps, each prior-flux component's source and domain total \
            at the first hour (Tg C per year at that rate), and the background source with the mean of \
            the initial field's lowest layer, and the run's memory estimate per rank on --ranks ranks (the \
            one rcas run checks before allocating). Exits with status 1, naming each input, when anything is \
            missing or unreadable. See Docs/inputs.md.
            """)

    @Argument(help: "The experiment configuration (YAML).")
    var config: String

    @Flag(help: "Print one JSON object instead of the text report.")
    var json = false

    @Option(help: "The rank count the memory estimate assumes (the run's mpirun -np).")
    var ranks = 1

    func validate() throws {
        guard ranks >= 1 else { throw ValidationError("--ranks must be at least 1, found \(ranks)") }
    }

    func run() throws {
        let report = InputsReport(config: try loadExperiment(config), ranks: ranks)
        print(json ? try report.json() : report.text)
        guard report.problems.isEmpty else {
            throw CommandFailure("inputs check: \(report.problems.count) input(s) missing or unreadable:\n"
                                 + report.problems.map { "  " + $0 }.joined(separator: "\n"))
        }
    }
}
