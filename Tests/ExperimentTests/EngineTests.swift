import Foundation
import NetCDFIO
import Parallel
import Testing
import TestSupport
@testable import Experiment

/// The cycling engine run in-process on 1, 2 and 4 thread ranks: the outputs
/// must not depend on the rank count, and a checkpoint must not grow with the
/// length of the run.
@Suite(.serialized) struct EngineTests {
    static let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path

    static func config(_ body: String, hours: Int = 6) throws -> ExperimentConfig {
        let folder = try TestEnvironment.temporaryDirectory("engine-config")
        let path = folder.appendingPathComponent("twin.yaml").path
        let end = ModelHourText.after(hours: hours - 1)
        try """
            name: engine
            domain: \(domain)
            period: {start: 2016-07-01T00, end: \(end), spin_up_days: 0}
            \(body)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return try ExperimentConfig.load(path)
    }

    /// Every variable of every streamed file equal to the last bit.
    static func expectIdentical(_ a: URL, _ b: URL, files: [String]) throws {
        for name in files {
            let left = try NetCDFFile.open(a.appendingPathComponent(name).path).root
            let right = try NetCDFFile.open(b.appendingPathComponent(name).path).root
            let variables = try left.variableNames()
            #expect(try right.variableNames() == variables)
            for variable in variables {
                let l = try left.variable(variable), r = try right.variable(variable)
                if try l.type() == .char {
                    #expect(try l.readCharacterRows() == r.readCharacterRows(), "\(name):\(variable) differs")
                } else {
                    let x = try l.read(Double.self), y = try r.read(Double.self)
                    #expect(firstBitDifference(x, y) == nil, "\(name):\(variable) differs")
                }
            }
        }
    }

    @Test(arguments: ["{generator: gcasv2, correlation_km: 500, lambda: {biosphere: 0.5, ocean: 0.5}}",
                      "{generator: jdas}"])
    func twinOutputsAreBitIdenticalOnOneTwoAndFourThreadRanks(fluxEnsemble: String) throws {
        let experiment = try Self.config("""
            assimilation: {members: 4, localization: {cutoff_km: 2000, lag_growth_km_per_hour: 30}, flux_ensemble: \(fluxEnsemble)}
            ensemble: {seed: 3, ic_bc_perturbation: 0.005}
            observations:
              satellite: {source: synthetic, instrument: oco2}
            """)
        var folders: [URL] = []
        for ranks in [1, 2, 4] {
            let folder = try TestEnvironment.temporaryDirectory("engine-\(ranks)")
            _ = try ThreadCommunicator.run(ranks: ranks) { world in
                _ = try TwinExperiment(config: experiment, output: folder, world: world).run()
            }
            folders.append(folder)
        }
        for folder in folders.dropFirst() {
            try Self.expectIdentical(folders[0], folder, files: ["fluxes.nc", "observations.nc", "concentrations.nc",
                                                                 "diagnostics.nc", "ctrl/observations.nc", "fc/observations.nc"])
        }
    }

    @Test func checkpointSizeDoesNotGrowWithTheRun() throws {
        let twin = try Self.config("""
            assimilation: {members: 3, flux_ensemble: {generator: gcasv2}}
            ensemble: {seed: 3, ic_bc_perturbation: 0.0}
            observations:
              satellite: {source: synthetic, instrument: oco2}
            """, hours: 72)
        let twinFolder = try TestEnvironment.temporaryDirectory("engine-checkpoint-twin")
        _ = try ThreadCommunicator.run(ranks: 1) { world in
            _ = try TwinExperiment(config: twin, output: twinFolder, world: world).run()
        }
        let run = try Self.config("""
            assimilation: {members: 3, flux_ensemble: {generator: gcasv2}}
            ensemble: {seed: 3, ic_bc_perturbation: 0.0}
            observations:
              satellite: {source: files, instrument: oco2, files: [\(twinFolder.appendingPathComponent("observations").path)]}
            checkpoint: {interval_hours: 24}
            """, hours: 72)
        let folder = try TestEnvironment.temporaryDirectory("engine-checkpoint")
        let sizes = try ThreadCommunicator.run(ranks: 2) { world -> [Int] in
            let assimilation = try AssimilationRun(config: run, world: world,
                                                   observations: try ObservationInput.load(config: run), folder: folder)
            nonisolated(unsafe) var sizes: [Int] = []
            assimilation.onCheckpoint = { assimilation in
                try assimilation.saveCheckpoint(in: folder)
                let path = folder.appendingPathComponent("checkpoint.nc").path
                sizes.append((try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1)
            }
            try assimilation.run()
            return sizes
        }
        #expect(sizes[0].count == 2, "checkpoints after day 1 and day 2: \(sizes[0])")
        #expect(Set(sizes[0]).count == 1, "checkpoint sizes \(sizes[0]) differ")
    }
}

extension EngineTests {
    /// `config` assimilating the observations of the twin in `twin` on
    /// 1, 2 and 4 thread ranks: the three run folders (named after `label`).
    static func assimilateOnOneTwoAndFourRanks(_ config: ExperimentConfig, twin: URL, label: String) throws -> [URL] {
        try [1, 2, 4].map { ranks in
            let folder = try TestEnvironment.temporaryDirectory("\(label)-\(ranks)")
            _ = try ThreadCommunicator.run(ranks: ranks) { world in
                let observations = try TwinExperiment.observations(in: twin, config: config)
                try AssimilationRun(config: config, world: world, observations: observations, folder: folder).run()
            }
            return folder
        }
    }

    /// The same run stopped at a checkpoint 3 hours after the start on 2
    /// thread ranks and resumed on 1: its folder.
    static func assimilateWithRestart(_ config: ExperimentConfig, twin: URL, label: String) throws -> URL {
        let stopped = try TestEnvironment.temporaryDirectory(label)
        _ = try ThreadCommunicator.run(ranks: 2) { world in
            let observations = try TwinExperiment.observations(in: twin, config: config)
            let run = try AssimilationRun(config: config, world: world, observations: observations, folder: stopped)
            run.onCheckpoint = { try $0.saveCheckpoint(in: stopped) }
            run.stopRequested = { run.now == config.start.advanced(by: 3) }
            #expect(throws: ExperimentError.self) { try run.run() }
        }
        _ = try ThreadCommunicator.run(ranks: 1) { world in
            let observations = try TwinExperiment.observations(in: twin, config: config)
            try AssimilationRun(config: config, world: world, observations: observations, folder: stopped, resuming: true).run()
        }
        return stopped
    }
}

/// ISO hours of the test period.
enum ModelHourText {
    static func after(hours: Int) -> String {
        let day = 1 + hours / 24, hour = hours % 24
        return String(format: "2016-07-%02dT%02d", day, hour)
    }
}
