import ArgumentParser
import Assimilation
import Foundation
import Geometry
import Parallel

struct BenchAnalysis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analysis",
        abstract: "Time one parallel EnSRF analysis on a domain (synthetic ensemble, XCO2-like observations).",
        discussion: """
            State per column: the domain's layers + 24 window hours x 2 flux components. Reports the wall \
            time of the analysis (gather of simulated observations, observation-space sweep, ownership, \
            transposes and column updates; not the set-up) and the cost per observation per core.
            """)

    @Option(help: "Domain folder.") var domain: String
    @Option(help: "Ensemble size.") var members: Int = 50
    @Option(help: "Number of observations.") var observations: Int = 50
    @Option(help: "Gaspari-Cohn cut-off (km).") var cutoffKm: Double = 1280
    @Option(help: "gaspari-cohn, significance or none.") var localization: String = "gaspari-cohn"
    @Option(help: "Random seed.") var seed: UInt64 = 11
    @Option(help: "Analyses to time (fresh ensemble each); the median is reported, and the fastest.")
    var repeats: Int = 1
    @Flag(help: "Print JSON.") var json = false

    func validate() throws {
        try SyntheticAnalysisRun.validate(members: members, observations: observations, cutoffKm: cutoffKm)
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        let world = worldCommunicator()
        defer { MPIRuntime.finish() }
        world.abortOnError {
            // One analysis per repeat, each on a fresh ensemble; only its figures are kept.
            var analyses: [(seconds: Double, timings: [ParallelAnalysis.Timings])] = []
            var run: SyntheticAnalysisRun?
            for _ in 0..<repeats {
                run = nil
                run = try SyntheticAnalysisRun(
                    world: world, domainPath: domain, members: members, observations: observations, seed: seed,
                    memberGroups: nil, localization: localization, cutoffKilometres: cutoffKm, inflation: 1, rtps: 0)
                analyses.append((run!.seconds, run!.timings))
            }
            let (d, problem, configuration) = (run!.domain, run!.problem, run!.configuration)
            let geometry = problem.geometry
            guard world.rank == 0 else { return }
            let reach = configuration.horizontal.reach
            let allColumns = Array(0..<d.grid.cellCount)
            let pairs = (0..<observations).map { geometry.columns(near: $0, among: allColumns, below: reach).count }
                .reduce(0, +)
            let nv = problem.layout.variableCount
            let n = Double(observations)
            // Core time of the work that scales with the observations: the
            // observation-space sweep (replicated on every rank) and the column updates.
            let perObservation = analyses.map { analysis in
                analysis.timings.map { $0.observationSpace + $0.columnUpdates }.reduce(0, +) * 1000 / n
            }
            // The median analysis by that figure stands for the run.
            let middle = perObservation.indices.sorted { perObservation[$0] < perObservation[$1] }[repeats / 2]
            let (seconds, timings) = analyses[middle]
            let perObservationPerCore = perObservation[middle]
            let fastest = perObservation.min()!
            let transposes = timings.map(\.transposes).max() ?? 0
            let gather = timings.map(\.gather).max() ?? 0
            let updates = timings.map(\.columnUpdates)
            if json {
                print(String(format: "{\"ranks\": %d, \"members\": %d, \"observations\": %d, \"variables_per_column\": %d, "
                             + "\"columns_per_observation\": %.1f, \"seconds\": %.4f, \"ms_per_observation\": %.4f, "
                             + "\"ms_per_observation_per_core\": %.4f, \"transpose_seconds\": %.4f, "
                             + "\"gather_seconds\": %.4f, \"column_update_seconds_max\": %.4f, \"repeats\": %d, "
                             + "\"ms_per_observation_per_core_fastest\": %.4f}",
                             world.size, members, observations, nv, Double(pairs) / n, seconds, seconds * 1000 / n,
                             perObservationPerCore, transposes, gather, updates.max() ?? 0, repeats, fastest))
            } else {
                print("analysis bench on \(d.name): \(d.grid.nx) x \(d.grid.ny) columns x \(nv) variables, "
                      + "\(members) members, \(observations) observations, \(world.size) rank(s)")
                print(String(format: "  %.1f columns within reach per observation", Double(pairs) / n))
                print(String(format: "  analysis wall time %.3f s (%.3f ms per observation)", seconds, seconds * 1000 / n))
                print(String(format: "  filter (observation sweep + column updates): %.3f ms per observation per core",
                             perObservationPerCore)
                      + (repeats > 1 ? String(format: " (median of %d analyses; fastest %.3f)", repeats, fastest) : ""))
                print(String(format: "  fixed cost: gather %.3f s, ownership + transposes %.3f s; column updates per rank %@ s",
                             gather, transposes, updates.map { String(format: "%.3f", $0) }.joined(separator: " ")))
            }
        }
    }
}
