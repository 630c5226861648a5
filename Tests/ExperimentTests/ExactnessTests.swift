import Evaluation
import Foundation
import Parallel
import SyntheticWorld
import Testing
import TestSupport
@testable import Experiment

/// The ensemble Kalman smoother against the exact Bayesian synthesis
/// inversion of the same problem (Docs/assimilation.md, "Is the answer
/// right?"): Domains/test-small/exactness.yaml (upwind transport, no
/// localization, a smoothing window covering the whole period, GCASv2 draws
/// whose statistics are the synthesis's B) on its first 4 hours instead of 8
/// (to keep the suite fast; JobScripts/exactness.sh measures the full
/// configuration), N members and flux-draw seed s substituted.
enum ExactnessFixture {
    static let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small")
    static let hours = 4

    static func config(members: Int = 50, seed: Int = 1) throws -> ExperimentConfig {
        let shipped = try String(contentsOf: domain.appendingPathComponent("exactness.yaml"), encoding: .utf8)
        var lines: [String] = []
        for line in shipped.components(separatedBy: "\n") {
            if line.hasPrefix("domain:") { lines.append("domain: \(domain.path)") }
            else if line.hasPrefix("  members:") { lines.append("  members: \(members)") }
            else if line.hasPrefix("    seed:") { lines.append("    seed: \(seed)") }
            else if line.hasPrefix("period:") {
                lines.append("period: {start: 2016-07-01T00, end: 2016-07-01T\(String(format: "%02d", hours - 1)), spin_up_days: 0}")
            } else if line.hasPrefix("  window_hours:") { lines.append("  window_hours: \(hours)") }
            else if line.hasPrefix("checkpoint:") { lines.append("checkpoint: {interval_hours: \(hours)}") }
            else { lines.append(line) }
        }
        let folder = try TestEnvironment.temporaryDirectory("exactness-config")
        let path = folder.appendingPathComponent("exactness.yaml").path
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let config = try ExperimentConfig.load(path)
        guard config.members == members, case .gcasv2(let generator) = config.assimilation.fluxGenerator,
              generator.seed == UInt64(seed), config.hourCount == hours, config.assimilation.windowHours == hours else {
            throw ExperimentError.invalidInput("\(path): members, flux_ensemble.seed or period not substituted")
        }
        return config
    }

    /// The twin's synthetic observations, made once and shared by every run.
    static let twin: Result<URL, any Error> = Result {
        let folder = try TestEnvironment.temporaryDirectory("exactness-twin")
        _ = try TwinExperiment(config: try config(), output: folder, world: SerialCommunicator()).syntheticObservations()
        return folder
    }

    /// Land and domain totals (Tg C over the period) of a run's posterior
    /// mean fluxes, computed the same way for both methods.
    static func totals(_ folder: URL, config: ExperimentConfig) throws -> (land: Double, domain: Double) {
        let fluxes = try FluxFile(folder.appendingPathComponent("fluxes.nc").path)
        let grid = config.domain.grid
        var sum = [Double](repeating: 0, count: grid.cellCount)
        for t in fluxes.periods.indices {
            for c in fluxes.components {
                for (cell, value) in try fluxes.record("\(c)_analysis_mean", t).enumerated() { sum[cell] += value }
            }
        }
        let land = RegionSet.landSea(landFraction: try LandSeaMask(domain: config.domain).landFraction)[0]
        guard let domain = RegionSet.seed000(grid: grid).regions.first(where: { $0.kind == .domain }) else {
            throw ExperimentError.internalFailure("the Kou et al. 2023 regions hold no domain region")
        }
        let totals = FluxBudget.regionTotals(flux: sum, cellAreas: grid.cellAreas(), regions: [land, domain], seconds: 3600)
        return (totals[0], totals[1])
    }

    /// The exact answer: synthesis inversion on cells x hours with B of the draws.
    static let exact: Result<(folder: URL, summary: SynthesisSummary), any Error> = Result {
        let folder = try TestEnvironment.temporaryDirectory("exactness-synthesis")
        var options = SynthesisOptions()
        options.twinRun = try twin.get()
        let inversion = try SynthesisInversion(config: try config(), world: SerialCommunicator(), output: folder, options: options)
        guard let summary = try inversion.run() else { throw ExperimentError.internalFailure("no summary on rank 0") }
        return (folder, summary)
    }

    /// The EnKS posterior totals with N members and flux-draw seed s.
    static func enks(members: Int, seed: Int) throws -> (land: Double, domain: Double) {
        let config = try config(members: members, seed: seed)
        let folder = try TestEnvironment.temporaryDirectory("exactness-enks")
        let observations = try TwinExperiment.observations(in: try twin.get(), config: config)
        try AssimilationRun(config: config, world: SerialCommunicator(), observations: observations, folder: folder).run()
        return try totals(folder, config: config)
    }
}

@Suite(.serialized) struct ExactnessTests {
    /// The synthesis solves the problem the ensemble samples: every basis
    /// function is one cell and one draw period, so B is the draws'
    /// covariance exactly, and its prior is the ensemble's prior mean.
    @Test func synthesisBasisIsExactForTheEnsemble() throws {
        let config = try ExactnessFixture.config()
        let prior = try SynthesisPrior(config: config, source: .ensemble)
        let basis = try JacobianBasis.make(config: config, partition: .cells, periods: prior.naturalPeriods, shape: .prior)
        #expect(prior.isExact(for: basis))
        #expect(config.transport.options.scheme.isLinear && config.assimilation.windowHours >= config.hourCount)
        #expect(config.assimilation.memory == .none)
    }

    /// As N grows the EnKS posterior land and domain totals approach the
    /// exact posterior: the RMS error over flux-draw seeds shrinks roughly as
    /// 1/√N and at N = 800 is below 10 % of the prior-to-posterior shift.
    @Test func ensembleSmootherConvergesToTheSynthesisPosterior() throws {
        let (folder, summary) = try ExactnessFixture.exact.get()
        let config = try ExactnessFixture.config()
        let exact = try ExactnessFixture.totals(folder, config: config)
        let land = try #require(summary.regionTotals.first { $0.region == "land" })
        let domain = try #require(summary.regionTotals.first { $0.region == "domain" })
        #expect(isClose(exact.land, land.posterior, relative: 1e-5) && isClose(exact.domain, domain.posterior, relative: 1e-5))
        let shift = (land: abs(land.posterior - land.prior), domain: abs(domain.posterior - domain.prior))
        print(String(format: "exactness: land prior %.4f ± %.4f, exact posterior %.4f ± %.4f; domain prior %.4f ± %.4f, "
                     + "exact posterior %.4f ± %.4f Tg C", land.prior, land.priorSigma, land.posterior, land.posteriorSigma,
                     domain.prior, domain.priorSigma, domain.posterior, domain.posteriorSigma))
        // The observations must move the answer by a fair part of the prior σ, or there is nothing to converge to.
        #expect(shift.land > 0.1 * land.priorSigma && shift.domain > 0.1 * domain.priorSigma)

        let seeds = [1, 2, 3]
        var rms: [Int: (land: Double, domain: Double)] = [:]
        for n in [50, 200, 800] {
            var squares = (land: 0.0, domain: 0.0)
            for seed in seeds {
                let enks = try ExactnessFixture.enks(members: n, seed: seed)
                squares.land += (enks.land - exact.land) * (enks.land - exact.land)
                squares.domain += (enks.domain - exact.domain) * (enks.domain - exact.domain)
            }
            let error = (land: sqrt(squares.land / Double(seeds.count)), domain: sqrt(squares.domain / Double(seeds.count)))
            rms[n] = error
            print(String(format: "exactness: N = %d, RMS(EnKS - exact) land %.4f Tg C (%.3f of the shift), domain %.4f Tg C (%.3f)",
                         n, error.land, error.land / shift.land, error.domain, error.domain / shift.domain))
        }
        let small = try #require(rms[50]), large = try #require(rms[800])
        // 1/√N predicts a factor 4 from 50 to 800 members; allow for the sampling noise of 3 seeds.
        #expect(small.land / large.land > 2 && small.domain / large.domain > 2)
        #expect(large.land < 0.1 * shift.land && large.domain < 0.1 * shift.domain)
    }
}
