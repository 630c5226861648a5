import ArgumentParser
import Assimilation
import Foundation

struct ToyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "toy", abstract: "Toy-model benches of the RCAS ensemble filter.",
        subcommands: [ToyLorenz96.self])
}

struct ToyLorenz96: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lorenz96",
        abstract: "Cycle the serial EnSRF on Lorenz-96 (40 variables, F = 8, RK4, dt = 0.05).",
        discussion: """
            Every variable is observed with unit error every K model steps. Prints the time-mean \
            analysis RMSE and spread after the burn-in (the first 10 % of cycles) and the wall time.
            """)

    @Option(help: "Ensemble size N.") var members: Int = 28
    @Option(help: "Multiplicative prior inflation of the perturbations (1 = none).") var inflation: Double = 1.02
    @Option(help: "Gaspari-Cohn cut-off in index units (taper zero there); omit for no localization.")
    var localizationRadius: Double?
    @Option(help: "Model steps between analyses K.") var observeEvery: Int = 1
    @Option(help: "Number of analysis cycles.") var cycles: Int = 2000
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Cycles discarded before averaging (default: 10 % of the cycles).") var burnIn: Int?
    @Flag(help: "Print JSON (rmse_analysis, spread_analysis, seconds).") var json = false

    func validate() throws {
        guard members >= 2 else { throw ValidationError("--members must be at least 2") }
        guard observeEvery >= 1, cycles >= 1 else { throw ValidationError("--observe-every and --cycles must be >= 1") }
        guard inflation > 0 else { throw ValidationError("--inflation must be positive") }
        if let r = localizationRadius, r <= 0 { throw ValidationError("--localization-radius must be positive") }
        if let b = burnIn, b < 0 || b >= cycles { throw ValidationError("--burn-in must be in 0..<cycles") }
    }

    func run() throws {
        let experiment = Lorenz96Experiment(memberCount: members, inflation: inflation,
                                            localizationRadius: localizationRadius, observeEvery: observeEvery,
                                            cycles: cycles, seed: seed, burnIn: burnIn)
        let start = Date()
        let result = experiment.run()
        let seconds = Date().timeIntervalSince(start)
        if json {
            print(String(format: "{\"rmse_analysis\": %.6f, \"spread_analysis\": %.6f, \"seconds\": %.3f, "
                         + "\"averaged_cycles\": %d}", result.analysisRMSE, result.analysisSpread, seconds,
                         result.averagedCycles))
        } else {
            print(String(format: "Lorenz-96 EnSRF: N = %d, inflation %.3f, localization %@, K = %d, %d cycles",
                         members, inflation, localizationRadius.map { String($0) } ?? "none", observeEvery, cycles))
            print(String(format: "  analysis RMSE %.4f, spread %.4f (mean over %d cycles after burn-in)",
                         result.analysisRMSE, result.analysisSpread, result.averagedCycles))
            print(String(format: "  wall time %.2f s", seconds))
        }
    }
}
