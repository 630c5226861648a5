import Foundation
import NetCDFIO
import Parallel
import Testing
import TestSupport
@testable import Experiment

/// `outputs.ensemble_averaging_kernel` in the cycling engine: the per-cell
/// estimate in fluxes.nc must not depend on the rank count or on a restart
/// (the checkpoint carries the window's forecast members).
@Suite(.serialized) struct EnsembleAveragingKernelRunTests {
    /// An 8-hour upwind run on test-small: two flux components, a 4-hour
    /// window (hours leave it before and after the restart), GOSAT
    /// super-observations and the Kou2023 sites of a twin.
    static func config() throws -> ExperimentConfig {
        let folder = try TestEnvironment.temporaryDirectory("kernel-config")
        let path = folder.appendingPathComponent("run.yaml").path
        try """
            name: kernel-test
            domain: \(EngineTests.domain)
            period: {start: 2016-07-01T00, end: 2016-07-01T07, spin_up_days: 0}
            transport: {advection: upwind}
            assimilation:
              members: 6
              window_hours: 4
              localization: {cutoff_km: 2000}
              flux_ensemble: {generator: gcasv2, gcasv2_scheme: biosphere-ocean, lambda: {biosphere: 0.5, ocean: 0.5},
                              correlation_km: 1200}
            ensemble: {seed: 3, ic_bc_perturbation: 0}
            observations:
              satellite: {source: synthetic, instrument: gosat, combination: super-observations, omb_gate_ppm: 1000}
              in_situ: {use: assimilate, omb_gate_ppm: 1000}
            outputs: {ensemble_averaging_kernel: true}
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return try ExperimentConfig.load(path)
    }

    @Test func theEstimateDoesNotDependOnRanksOrRestart() throws {
        let config = try Self.config()
        let twin = try TestEnvironment.temporaryDirectory("kernel-twin")
        _ = try TwinExperiment(config: config, output: twin, world: SerialCommunicator()).syntheticObservations()
        let folders = try EngineTests.assimilateOnOneTwoAndFourRanks(config, twin: twin, label: "kernel-engine")
        let fluxes = try NetCDFFile.open(folders[0].appendingPathComponent("fluxes.nc").path).root
        for component in ["bio", "ocn"] {
            let kernel = try fluxes.variable("\(component)_ensemble_averaging_kernel")
            #expect(try kernel.shape() == [8, 16, 20])
            // At most N − 1 = 5 per hour (the rank of the subspace), and the
            // observations resolve some of it.
            let values = try kernel.read(Double.self)
            let perHour = (0..<8).map { t in values[(t * 320)..<((t + 1) * 320)].reduce(0, +) }
            #expect(perHour.allSatisfy { $0 < 5 + 1e-3 }, "\(component): \(perHour)")
            #expect(perHour.contains { $0 > 0.01 }, "\(component): \(perHour)")
        }
        for folder in folders.dropFirst() {
            try EngineTests.expectIdentical(folders[0], folder, files: ["fluxes.nc"])
        }

        let stopped = try EngineTests.assimilateWithRestart(config, twin: twin, label: "kernel-restart")
        try EngineTests.expectIdentical(folders[0], stopped, files: ["fluxes.nc"])
    }
}
