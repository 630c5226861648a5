import ArgumentParser
import Assimilation
import Foundation
import ModelTime
import RandomStreams

/// `rcas bench synthesis`: the cost of the synthesis inversion's dense solve
/// for a given number of basis functions and observations (Docs/jacobians.md,
/// "Size limits").
struct BenchSynthesis: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesis",
        abstract: "Time the dense Bayesian synthesis solve (random H, block-diagonal B, diagonal R).",
        discussion: """
            B has blocks of --block basis functions with correlation exp(-d²/2) between neighbours d apart, as a \
            prior over cells and periods has. Reports the solve's wall time per form and the process's peak memory. \
            The solve runs on one rank and one BLAS thread, as in rcas synthesis.
            """)

    @Option(help: "Basis functions n.") var basis: Int = 2000
    @Option(help: "Observations m.") var observations: Int = 200
    @Option(help: "Basis functions per block of B.") var block: Int = 250
    @Option(help: "observation-space, state-space, or both.") var form: String = "both"
    @Option(help: "Random seed.") var seed: UInt64 = 3

    func validate() throws {
        guard basis >= 1, observations >= 1, block >= 1 else { throw ValidationError("sizes must be positive") }
        guard ["observation-space", "state-space", "both"].contains(form) else {
            throw ValidationError("--form must be observation-space, state-space or both")
        }
    }

    func run() throws {
        let n = basis, m = observations
        let random = KeyedRandom(seed: seed, stream: "bench-synthesis")
        let h = (0..<(m * n)).map { 0.01 * random.normal(0, $0 / n, $0 % n) }
        var blocks: [BlockCovariance.Block] = []
        for start in stride(from: 0, to: n, by: block) {
            let indices = Array(start..<min(start + block, n)), s = indices.count
            var matrix = [Double](repeating: 0, count: s * s)
            for a in 0..<s { for b in 0..<s { matrix[a * s + b] = 0.25 * exp(-0.5 * Double((a - b) * (a - b)) / 4) } }
            blocks.append(.init(indices: indices, matrix: matrix))
        }
        let problem = try SynthesisProblem(jacobian: h, observationCount: m, basisCount: n,
                                           errorVariances: [Double](repeating: 1, count: m),
                                           departures: (0..<m).map { random.normal(1, $0) },
                                           prior: try BlockCovariance(dimension: n, blocks: blocks))
        let forms = SynthesisSolution.Form.allCases.filter { form == "both" || $0.rawValue == form }
        print("synthesis bench: \(n) basis functions, \(m) observations, blocks of \(block)")
        for form in forms {
            let clock = ContinuousClock(), started = clock.now
            let solution = try BayesianSynthesis.solve(problem, form: form)
            let duration = clock.now - started
            let seconds = duration.inSeconds
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            print(String(format: "  %@: %.2f s, peak memory %.0f MiB (A alone: %.0f MiB), trace A = %.4g", form.rawValue,
                         seconds, Double(usage.ru_maxrss) / 1024, Double(n * n * 8) / 1_048_576,
                         (0..<n).reduce(0) { $0 + solution.posteriorCovariance[$1 * n + $1] }))
        }
    }
}
