import ArgumentParser
import Evaluation
import Foundation

/// `rcas evaluate RUN_DIR`: observation-space statistics (seed 000 Tables 1,
/// 3, 4) and regional flux budgets (Fig. 3) of a run directory.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Statistics against observations and regional carbon budgets of a run directory.",
        discussion: """
            Reads RUN_DIR/observations.nc (AN), RUN_DIR/ctrl/observations.nc (CTRL) and \
            RUN_DIR/fc/observations.nc (FC) when present, and RUN_DIR/fluxes.nc. Reports NUM, RMSE, \
            MAE, CORR per month and year for assimilated and independent XCO2, the bias distribution, \
            per-site in-situ scores with improvement rates over CTRL, budgets in Tg C per month and \
            Pg C per year per region, and uncertainty reductions. See Docs/evaluation.md.
            """)

    @Argument(help: "The run directory.")
    var runDirectory: String

    @Flag(help: "Print one JSON object instead of tables.")
    var json = false

    @Option(name: .customLong("csv-dir"), help: "Also write one CSV file per table into this folder.")
    var csvDirectory: String?

    @Option(help: "A domain folder or domain.yaml whose land_sea mask splits land and ocean (default: the domain named in fluxes.nc).")
    var domain: String?

    @Option(name: .customLong("land-sea-mask"), help: "A NetCDF file with land_fraction(y, x) on the flux grid.")
    var landSeaMask: String?

    @Option(name: .customLong("region-mask"),
            help: "FILE:VARIABLE, a (y, x) field of 0/1 or fractions on the flux grid defining an extra region named VARIABLE (repeatable).")
    var regionMasks: [String] = []

    func parsedRegionMasks() throws -> [(file: String, variable: String)] {
        try regionMasks.map { text in
            guard let colon = text.lastIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex else {
                throw ValidationError("--region-mask must be FILE:VARIABLE, got '\(text)'")
            }
            return (String(text[..<colon]), String(text[text.index(after: colon)...]))
        }
    }

    func validate() throws { _ = try parsedRegionMasks() }

    func run() throws {
        let options = EvaluationOptions(domainPath: domain, landSeaMaskPath: landSeaMask, regionMasks: try parsedRegionMasks())
        let report: EvaluationReport
        do {
            report = try RunEvaluation.evaluate(runDirectory: runDirectory, options: options)
            if let csvDirectory { try report.writeCSV(directory: csvDirectory) }
        } catch {
            throw CommandFailure("\(error)")
        }
        print(json ? report.json : report.text, terminator: json ? "" : "\n")
    }
}
