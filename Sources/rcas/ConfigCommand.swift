import ArgumentParser
import Experiment

/// `rcas config CONFIG`: the resolved configuration, as every run writes it
/// into its outputs (Docs/configuration.md).
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a configuration and print it resolved: every key as a run would use it, defaults filled in.",
        discussion: """
            The output is itself a valid configuration that reloads to itself. Files are only \
            resolved to absolute paths here; `rcas inputs check` opens and reads them.
            """)

    @Argument(help: "The experiment configuration (YAML).")
    var config: String

    func run() throws {
        print(try loadExperiment(config).resolvedText, terminator: "")
    }
}
