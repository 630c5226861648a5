import Assimilation
import Evaluation
import Foundation
import NetCDFIO
import Parallel
import SyntheticWorld
import Testing
import TestSupport
@testable import Experiment

@Suite(.serialized) struct SynthesisTests {
    /// The inversion of the Jacobian fixture: B from the GCASv2 statistics
    /// (λ 0.5, 1200 km, hourly draws), cells x hourly.
    static let run: Result<(folder: URL, summary: SynthesisSummary), any Error> = Result {
        let config = try JacobianFixture.config()
        let folder = try TestEnvironment.temporaryDirectory("synthesis")
        var options = SynthesisOptions()
        options.twinRun = try JacobianFixture.twin.get()
        let inversion = try SynthesisInversion(config: config, world: SerialCommunicator(), output: folder, options: options)
        guard let summary = try inversion.run() else { throw ExperimentError.internalFailure("no summary on rank 0") }
        return (folder, summary)
    }

    @Test func priorCovarianceIsTheDrawsCovariance() throws {
        let config = try JacobianFixture.config()
        let prior = try SynthesisPrior(config: config, source: .ensemble)
        #expect(prior.scales == [0.5, 0.5] && prior.persistenceHours == 1 && !prior.componentsShareDraws)
        let cells = JacobianBasis(grid: config.domain.grid, start: config.start, end: config.end, windowHours: 4,
                                  stateComponents: config.assimilation.stateVector.components, partition: .cells,
                                  periods: .aligned(1), shape: .prior)
        #expect(prior.isExact(for: cells))
        let b = try prior.covariance(of: cells, grid: config.domain.grid)
        // One block per component and hour; within it λ² ρ(c, c').
        #expect(b.blocks.count == 2 * 4)
        let noise = CorrelatedNoise(grid: config.domain.grid, length: 1_200_000)
        let f = cells.function(component: 0, group: 21, period: 2)!, g = cells.function(component: 0, group: 63, period: 2)!
        let dense = b.dense(), n = cells.count
        #expect(isClose(dense[f * n + g], 0.25 * noise.correlation(di: 21 % 20 - 63 % 20, dj: 21 / 20 - 63 / 20), relative: 1e-14))
        #expect(dense[f * n + cells.function(component: 1, group: 63, period: 2)!] == 0)
        #expect(dense[f * n + cells.function(component: 0, group: 63, period: 3)!] == 0)
        // A daily basis aggregates 4 hourly draws: the variance of their mean.
        let daily = JacobianBasis(grid: config.domain.grid, start: config.start, end: config.end, windowHours: 4,
                                  stateComponents: config.assimilation.stateVector.components, partition: .cells,
                                  periods: .aligned(24), shape: .prior)
        #expect(!prior.isExact(for: daily))
        #expect(isClose(try prior.covariance(of: daily, grid: config.domain.grid).variance(0), 0.25 / 4, relative: 1e-14))
        // The twin truth: one draw for the period, shared by the components.
        let truth = try SynthesisPrior(config: config, source: .truth)
        let shared = try truth.covariance(of: daily, grid: config.domain.grid)
        #expect(shared.blocks.count == 1 && isClose(shared.variance(0), 0.25, relative: 1e-14))
    }

    @Test func writesItsFilesAndSummary() throws {
        let (folder, summary) = try Self.run.get()
        for file in ["jacobian.nc", "fluxes.nc", "posterior_covariance.nc"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path), "\(file) missing")
        }
        let json = summary.json
        for key in ["\"region_totals\"", "\"uncertainty_reduction\"", "\"prior_sigma\"", "\"posterior_sigma\"", "\"truth\"",
                    "\"land\"", "\"domain\"", "\"north_china\"", "\"mount_wuyi\"", "\"chi2_per_observation\""] {
            #expect(json.contains(key), "summary.json lacks \(key)")
        }
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(decoded?["region_totals"] != nil)
        // fluxes.nc is read by the evaluation like the ensemble's.
        let fluxes = try FluxFile(folder.appendingPathComponent("fluxes.nc").path)
        #expect(fluxes.components == ["bio", "ocn"] && fluxes.periods.count == 4)
        // Its posterior is E^p (1 + x̂), and the land total agrees with the summary.
        let land = try #require(summary.regionTotals.first { $0.region == "land" })
        #expect(land.posteriorSigma < land.priorSigma && land.posteriorSigma > 0)
        #expect(land.posterior != land.prior)
        let covariance = try NetCDFFile.open(folder.appendingPathComponent("posterior_covariance.nc").path)
        let n = try covariance.root.dimensionLength("basis")
        #expect(try covariance.root.variable("posterior_covariance").shape() == [n, n])
    }

    /// `--jacobian FILE` solves the same problem: the same posterior to the bit.
    @Test func storedJacobianGivesTheSamePosterior() throws {
        let (folder, summary) = try Self.run.get()
        let config = try JacobianFixture.config()
        var options = SynthesisOptions()
        options.jacobian = folder.appendingPathComponent("jacobian.nc").path
        let again = try TestEnvironment.temporaryDirectory("synthesis-again")
        let reused = try #require(try SynthesisInversion(config: config, world: SerialCommunicator(), output: again,
                                                         options: options).run())
        for (a, b) in zip(summary.regionTotals, reused.regionTotals) {
            #expect(a.posterior == b.posterior && a.posteriorSigma == b.posteriorSigma && a.truth == b.truth, "\(a.region)")
        }
    }

    /// The synthesis's region totals are linear functions of the posterior
    /// coefficients: recomputing the land total from fluxes.nc's hourly
    /// posterior fields (float) gives the summary's number.
    @Test func summaryTotalsMatchTheFluxFile() throws {
        let (folder, summary) = try Self.run.get()
        let config = try JacobianFixture.config()
        let total = try ExactnessFixture.totals(folder, config: config).land
        let expected = try #require(summary.regionTotals.first { $0.region == "land" }).posterior
        #expect(isClose(total, expected, relative: 1e-5))
    }
}

