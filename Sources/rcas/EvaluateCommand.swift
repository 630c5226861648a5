import ArgumentParser
import Evaluation
import Foundation
import ModelTime

/// `rcas evaluate RUN_DIR`: observation-space statistics (Kou2023 Tables 1,
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
            Pg C per year per region (domain, land, ocean, the Kou et al. 2023 regions as boxes and on land, \
            ecological areas, provinces), provincial budgets in Tg C per month and per year, and \
            uncertainty reductions. See Docs/evaluation.md.
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

    @Option(name: .customLong("province-masks"),
            help: "A province mask file (Domains/tools/make_province_masks.py) on the flux grid (default: the domain's provinces mask).")
    var provinceMasks: String?

    @Flag(help: "Also report daily budgets with their ensemble spread (table budget_daily; JSON and CSV only).")
    var daily = false

    @Option(name: .customLong("region-mask"),
            help: "FILE:VARIABLE, a (y, x) field of 0/1 or fractions on the flux grid defining an extra region named VARIABLE (repeatable).")
    var regionMasks: [String] = []

    @OptionGroup var window: WindowOptions

    func parsedRegionMasks() throws -> [(file: String, variable: String)] {
        try regionMasks.map { text in
            guard let colon = text.lastIndex(of: ":"), colon != text.startIndex, text.index(after: colon) != text.endIndex else {
                throw ValidationError("--region-mask must be FILE:VARIABLE, got '\(text)'")
            }
            return (String(text[..<colon]), String(text[text.index(after: colon)...]))
        }
    }

    func validate() throws {
        _ = try parsedRegionMasks()
        _ = try window.parsed()
    }

    func run() throws {
        let options = EvaluationOptions(domainPath: domain, landSeaMaskPath: landSeaMask, provinceMasksPath: provinceMasks,
                                        regionMasks: try parsedRegionMasks(), window: try window.parsed(), daily: daily)
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

/// `--from` and `--to`: the part of a run evaluated (`rcas evaluate`, `rcas plot`).
struct WindowOptions: ParsableArguments {
    @Option(help: "Evaluate only from this UTC hour on (e.g. the end of spin-up), YYYY-MM-DD[THH].")
    var from: String?

    @Option(help: "Evaluate only before this UTC hour, YYYY-MM-DD[THH].")
    var to: String?

    func parsed() throws -> TimeWindow {
        func hour(_ text: String?, _ option: String) throws -> ModelHour? {
            guard let text else { return nil }
            guard let hour = ModelHour(iso: text) else { throw ValidationError("--\(option) must be YYYY-MM-DD[THH], got '\(text)'") }
            return hour
        }
        let window = TimeWindow(from: try hour(from, "from"), to: try hour(to, "to"))
        if let a = window.from, let b = window.to, b <= a { throw ValidationError("--to must be after --from") }
        return window
    }

    func validate() throws { _ = try parsed() }
}
