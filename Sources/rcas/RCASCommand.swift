import ArgumentParser
import CFOutput

/// The `rcas` command-line tool.
struct RCASCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rcas",
        abstract: "RCAS, the Regional Carbon Assimilation System.",
        discussion: """
            Estimates regional CO2 surface fluxes by cycling an ensemble of a regional \
            tracer transport model with an ensemble Kalman smoother.
            """,
        version: RCASVersion.string,
        subcommands: [VersionCommand.self, DomainCommand.self, MetCommand.self, WorldCommand.self, ObsCommand.self,
                      ToyCommand.self, BenchCommand.self, SelftestCommand.self, RunCommand.self, ForwardCommand.self,
                      OSSECommand.self, EvaluateCommand.self, PlotCommand.self, InputsCommand.self,
                      JacobianCommand.self, SynthesisCommand.self, ConfigCommand.self])
}

struct VersionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "version", abstract: "Print the RCAS version.")
    func run() { print("rcas \(RCASVersion.string)") }
}

/// A failure of a command's work (bad input file, bad configuration): printed
/// as `Error: ...` with exit status 1, without the usage text that argument
/// mistakes get.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
