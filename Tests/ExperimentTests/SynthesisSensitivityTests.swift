import Assimilation
import Foundation
import NetCDFIO
import Parallel
import Testing
import TestSupport
@testable import Experiment

/// Sensitivity inversions from the stored Jacobian of ``SynthesisTests/run``
/// (IMI 2.0's reruns with other error settings), the DOFS and the buffer.
@Suite(.serialized) struct SynthesisSensitivityTests {
    /// A sweep over the prior and observation error scales and γ, from the
    /// full run's jacobian.nc.
    static let sweep: Result<(folder: URL, sweep: SynthesisSweep), any Error> = Result {
        let (full, _) = try SynthesisTests.run.get()
        var options = SynthesisOptions()
        options.jacobian = full.appendingPathComponent("jacobian.nc").path
        options.sweep = [try SynthesisSweep.axis("prior_error_scale=1,2"), try SynthesisSweep.axis("observation_error_scale=1,2"),
                         try SynthesisSweep.axis("gamma=1,0.25")]
        let folder = try TestEnvironment.temporaryDirectory("synthesis-sweep")
        let inversion = try SynthesisInversion(config: try JacobianFixture.config(), world: SerialCommunicator(), output: folder,
                                               options: options)
        guard let sweep = try inversion.runSweep() else { throw ExperimentError.internalFailure("no sweep on rank 0") }
        return (folder, sweep)
    }

    func row(_ sweep: SynthesisSweep, prior: Double, observation: Double, gamma: Double) throws -> SynthesisSummary {
        try #require(sweep.rows.first { $0.settings.sweepValues == [prior, observation, gamma, 1] }).summary
    }

    func total(_ summary: SynthesisSummary, _ region: String) throws -> SynthesisSummary.RegionTotal {
        try #require(summary.regionTotals.first { $0.region == region })
    }

    /// The reference setting solved from the stored Jacobian is the full
    /// run's posterior (tracers computed afresh) to the bit, DOFS included.
    @Test func storedJacobianReuseEqualsTheFullRun() throws {
        let (_, full) = try SynthesisTests.run.get()
        let reused = try row(try Self.sweep.get().sweep, prior: 1, observation: 1, gamma: 1)
        #expect(reused.degreesOfFreedomForSignal == full.degreesOfFreedomForSignal)
        for (a, b) in zip(full.regionTotals, reused.regionTotals) {
            #expect(a.posterior == b.posterior && a.posteriorSigma == b.posteriorSigma && a.prior == b.prior, "\(a.region)")
        }
    }

    /// Closed forms of the scalings: B and R both times s² leave x̂ and the
    /// DOFS unchanged and multiply every σ by s; γ = 1/4 is R times 4, the
    /// same as observation σ times 2.
    @Test func scaledSolvesFollowTheClosedForms() throws {
        let sweep = try Self.sweep.get().sweep
        #expect(sweep.rows.count == 8)
        let reference = try row(sweep, prior: 1, observation: 1, gamma: 1)
        let both = try row(sweep, prior: 2, observation: 2, gamma: 1)
        #expect(isClose(both.degreesOfFreedomForSignal, reference.degreesOfFreedomForSignal, relative: 1e-9))
        for region in ["land", "domain", "north_china"] {
            let a = try total(reference, region), b = try total(both, region)
            #expect(isClose(b.posterior, a.posterior, relative: 1e-9), "\(region)")
            #expect(isClose(b.posteriorSigma, 2 * a.posteriorSigma, relative: 1e-9), "\(region)")
            #expect(isClose(b.priorSigma, 2 * a.priorSigma, relative: 1e-12), "\(region)")
        }
        let gamma = try row(sweep, prior: 1, observation: 1, gamma: 0.25), doubled = try row(sweep, prior: 1, observation: 2, gamma: 1)
        #expect(isClose(gamma.degreesOfFreedomForSignal, doubled.degreesOfFreedomForSignal, relative: 1e-12))
        #expect(try total(gamma, "land").posterior == total(doubled, "land").posterior)
        // A larger prior error trusts the observations more: more DOFS.
        #expect(try row(sweep, prior: 2, observation: 1, gamma: 1).degreesOfFreedomForSignal > reference.degreesOfFreedomForSignal)
        #expect(doubled.degreesOfFreedomForSignal < reference.degreesOfFreedomForSignal)
    }

    /// The prior error scale 2 against the solver run by hand on B times 4:
    /// the same DOFS and averaging kernel (averaging_kernel.nc).
    @Test func scaledPriorEqualsTheSolveOfTheScaledProblem() throws {
        let (folder, sweep) = try Self.sweep.get()
        let config = try JacobianFixture.config()
        let (full, _) = try SynthesisTests.run.get()
        let jacobian = try JacobianFile.read(full.appendingPathComponent("jacobian.nc").path, config: config)
        let n = jacobian.basis.count, offset = jacobian.offset
        let used = jacobian.observations.indices.filter { jacobian.observations[$0].role == .candidate }
        let b = try SynthesisPrior(config: config, source: .ensemble).covariance(of: jacobian.basis, grid: config.domain.grid)
        let scaled = try BlockCovariance(dimension: n, blocks: b.blocks.map { .init(indices: $0.indices, matrix: $0.matrix.map { 4 * $0 }) })
        let problem = try SynthesisProblem(
            jacobian: used.flatMap { jacobian.matrix[($0 * n)..<(($0 + 1) * n)] }, observationCount: used.count, basisCount: n,
            errorVariances: used.map { jacobian.observations[$0].error * jacobian.observations[$0].error },
            departures: used.map { jacobian.observations[$0].value - offset[$0] }, prior: scaled)
        let solution = try BayesianSynthesis.solve(problem)
        let summary = try row(sweep, prior: 2, observation: 1, gamma: 1)
        #expect(isClose(summary.degreesOfFreedomForSignal, solution.degreesOfFreedomForSignal, relative: 1e-12))
        let name = try #require(sweep.rows.first { $0.summary.degreesOfFreedomForSignal == summary.degreesOfFreedomForSignal }).folder
        let file = try NetCDFFile.open(folder.appendingPathComponent(name).appendingPathComponent("averaging_kernel.nc").path)
        defer { file.close() }
        let kernel = try file.root.variable("averaging_kernel").read(Double.self)
        #expect(kernel.count == n)
        for f in 0..<n { #expect(abs(kernel[f] - solution.averagingKernelDiagonal[f]) < 1e-12, "f \(f)") }
        // The per-cell map sums to the DOFS.
        let perCell = try file.root.variable("dofs_per_cell").read(Double.self)
        #expect(isClose(perCell.reduce(0, +), solution.degreesOfFreedomForSignal, relative: 1e-10))
    }

    /// summary.json holds `dofs` (0 < DOFS < observations) and the sweep
    /// writes one table row per setting and region.
    @Test func summaryHoldsDOFSAndTheSweepTableIsWritten() throws {
        let (_, full) = try SynthesisTests.run.get()
        let decoded = try #require(try JSONSerialization.jsonObject(with: Data(full.json.utf8)) as? [String: Any])
        let dofs = try #require(decoded["dofs"] as? Double)
        #expect(dofs > 0 && dofs < Double(full.observationsUsed))
        #expect(isClose(dofs, full.degreesOfFreedomForSignal, relative: 1e-5))
        let (folder, sweep) = try Self.sweep.get()
        let csv = try String(contentsOf: folder.appendingPathComponent("sweep.csv"), encoding: .utf8)
        let lines = csv.split(separator: "\n")
        #expect(lines.count == 1 + 8 * full.regionTotals.count)
        #expect(lines[0].hasPrefix("setting,prior_error_scale,observation_error_scale,gamma,buffer_prior_error_scale"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("sweep.json"))) as? [String: Any]
        #expect((json?["rows"] as? [Any])?.count == 8)
        for row in sweep.rows {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(row.folder + "/summary.json").path))
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(row.folder + "/fluxes.nc").path))
        }
    }

    /// A near-zero buffer prior error outside north_china: the DOFS there
    /// vanish and the region of interest's share equals the total.
    @Test func bufferOutsideTheRegionOfInterest() throws {
        let (full, reference) = try SynthesisTests.run.get()
        var options = SynthesisOptions()
        options.jacobian = full.appendingPathComponent("jacobian.nc").path
        options.errors.regionOfInterest = .named("north_china")
        try options.errors.set("buffer_prior_error_scale", to: 1e-4)
        let folder = try TestEnvironment.temporaryDirectory("synthesis-buffer")
        let summary = try #require(try SynthesisInversion(config: try JacobianFixture.config(), world: SerialCommunicator(),
                                                          output: folder, options: options).run())
        let inside = try #require(summary.degreesOfFreedomInRegionOfInterest)
        #expect(inside > 0 && isClose(inside, summary.degreesOfFreedomForSignal, relative: 1e-3))
        #expect(summary.degreesOfFreedomForSignal < reference.degreesOfFreedomForSignal)
        // The buffer's prior σ is 1e-4 of the reference: the domain's prior σ shrinks to about north China's.
        let north = try total(summary, "north_china"), northReference = try total(reference, "north_china")
        #expect(isClose(north.priorSigma, northReference.priorSigma, relative: 1e-12))
        #expect(try total(summary, "south_china").priorSigma < 1e-3 * total(reference, "south_china").priorSigma)
    }

    @Test func badSettingsAreRefused() throws {
        var settings = SynthesisErrorSettings()
        for (name, value) in [("gamma", -1.0), ("prior_error_scale", 0), ("observation_error_scale", .nan),
                              ("buffer_prior_error_scale", .infinity), ("lambda", 2)] {
            #expect(throws: ExperimentError.self, "\(name) = \(value)") { try settings.set(name, to: value) }
        }
        try settings.set("buffer_prior_error_scale", to: 3)
        #expect(throws: ExperimentError.self) { try settings.validate() }
        for argument in ["gamma", "gamma=", "gamma=1,x", "gamma=1,-2", "sigma=1", "gamma=1,,2"] {
            #expect(throws: ExperimentError.self, "\(argument)") { try SynthesisSweep.axis(argument) }
        }
        #expect(throws: ExperimentError.self) {
            try SynthesisSweep.settings(base: SynthesisErrorSettings(), axes: [("gamma", [1]), ("gamma", [2])])
        }
        #expect(RegionOfInterest(argument: "box:50,40,100,110") == nil && RegionOfInterest(argument: "atlantis") == nil)
        #expect(RegionOfInterest(argument: "box:30,40,100,110") != nil && RegionOfInterest(argument: "mount_wuyi") == .named("mount_wuyi"))
    }

    /// The `buffer` section: read strictly, printed back; it scales the
    /// GCASv2 members' deviations per cell and is the default of the
    /// synthesis's buffer options.
    @Test func bufferSectionScalesBothMethods() throws {
        let config = try JacobianFixture.config(extra: "buffer: {region_of_interest: north_china, prior_error_scale: 0.0001}")
        let buffer = try #require(config.buffer)
        #expect(buffer.regionOfInterest == .named("north_china") && buffer.priorErrorScale == 1e-4)
        #expect(config.resolvedText.contains("buffer:") && config.resolvedText.contains("region_of_interest: north_china"))
        #expect(try JacobianFixture.config().buffer == nil)
        for bad in ["buffer: {region_of_interest: atlantis, prior_error_scale: 2}",
                    "buffer: {region_of_interest: china, prior_error_scale: 0}",
                    "buffer: {region_of_interest: china, prior_error_scale: 2, lambda: 1}",
                    "buffer: {prior_error_scale: 2}"] {
            #expect(throws: (any Error).self, "\(bad)") { try JacobianFixture.config(extra: bad) }
        }

        // GCASv2: the members' deviations from the mean, and so the spread, scale by the cell's factor.
        let grid = config.domain.grid
        let factors = try buffer.cellFactors(config: config)
        let inside = try #require(factors.firstIndex(of: 1)), outside = try #require(factors.firstIndex { $0 < 0.5 })
        guard case .gcasv2(let perturbation) = config.assimilation.fluxGenerator else { Issue.record("not gcasv2"); return }
        func spreads(_ scale: [Double]?) -> [Double] {
            let generator = GCASv2FluxPerturbation.Generator(perturbation, grid: grid, cellScale: scale)
            let request = FluxForecastRequest(hour: 405_000, cells: [inside, outside].sorted(), prior: [[2, 2], [1, 1]],
                                              memberCount: 8, members: 0..<8, lowestLayer: nil, past: { _ in nil })
            return generator.forecast(request).priorSpread[0]
        }
        let plain = spreads(nil), scaled = spreads(factors)
        let order = [inside, outside].sorted()
        for (c, cell) in order.enumerated() {
            #expect(isClose(scaled[c], factors[cell] * plain[c], relative: 1e-12), "cell \(cell)")
        }

        // The synthesis takes the section as its buffer: the same answer as the options.
        let (full, _) = try SynthesisTests.run.get()
        var options = SynthesisOptions()
        options.jacobian = full.appendingPathComponent("jacobian.nc").path
        let fromConfig = try #require(try SynthesisInversion(config: config, world: SerialCommunicator(),
                                                             output: try TestEnvironment.temporaryDirectory("synthesis-buffer-config"),
                                                             options: options).run())
        #expect(fromConfig.errors.regionOfInterest == .named("north_china") && fromConfig.errors.bufferPriorErrorScale == 1e-4)
        #expect(fromConfig.degreesOfFreedomInRegionOfInterest != nil)
        #expect(isClose(fromConfig.degreesOfFreedomInRegionOfInterest ?? 0, fromConfig.degreesOfFreedomForSignal, relative: 1e-3))
    }
}
