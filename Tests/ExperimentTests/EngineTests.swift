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
        let run = try Self.assimilationOfATwin(generator: "gcasv2", perturbation: 0, hours: 72, checkpointHours: 24,
                                               label: "engine-checkpoint-twin")
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

    /// From the third checkpoint on, the checkpoint is the spare written over
    /// in place (its inode comes back as `checkpoint.nc`); each must hold
    /// exactly what a new file written at the same hour holds, and the spare
    /// is gone when the run ends. A damaged spare (before the 4th) is
    /// replaced by a new file, and the 5th rewrites again.
    @Test func aCheckpointWrittenOverTheSpareEqualsANewFile() throws {
        let run = try Self.assimilationOfATwin(generator: "jdas", perturbation: 0.002, hours: 6, checkpointHours: 1,
                                               label: "engine-spare-twin")
        let folder = try TestEnvironment.temporaryDirectory("engine-spare")
        @Sendable func inode(_ name: String) -> UInt64? {
            var status = stat()
            return stat(folder.appendingPathComponent(name).path, &status) == 0 ? UInt64(status.st_ino) : nil
        }
        let rewritten = try ThreadCommunicator.run(ranks: 2) { world -> Int in
            let assimilation = try AssimilationRun(config: run, world: world,
                                                   observations: try ObservationInput.load(config: run), folder: folder)
            nonisolated(unsafe) var rewritten = 0
            assimilation.onCheckpoint = { assimilation in
                let damaged = assimilation.now == run.start.advanced(by: 4)
                let spare = world.rank == 0 && !damaged ? inode(AssimilationRun.spareCheckpointName) : nil
                if world.rank == 0 && damaged {
                    // (Not counted: the new file may get the freed inode number back.)
                    try Data("not a NetCDF file".utf8).write(
                        to: folder.appendingPathComponent(AssimilationRun.spareCheckpointName))
                }
                try assimilation.saveCheckpoint(in: folder)
                let fresh = try TestEnvironment.temporaryDirectory("engine-spare-fresh-\(assimilation.now.value)")
                try assimilation.saveCheckpoint(in: fresh)
                guard world.rank == 0 else { return }
                if let spare, spare == inode(AssimilationRun.checkpointName) { rewritten += 1 }
                try Self.expectIdentical(folder, fresh, files: ["checkpoint.nc"])
            }
            try assimilation.run()
            return rewritten
        }
        #expect(rewritten[0] == 2, "checkpoints after hours 1-5: the 3rd and 5th rewrite the spare, the 4th replaces a damaged one")
        #expect(inode(AssimilationRun.spareCheckpointName) == nil, "the spare is removed when the run ends")
    }
}

extension EngineTests {
    /// A run of 3 members with `generator` assimilating the synthetic OCO-2
    /// soundings of a twin run first (in a folder named after `label`),
    /// checkpointing every `checkpointHours`.
    static func assimilationOfATwin(generator: String, perturbation: Double, hours: Int, checkpointHours: Int,
                                    label: String) throws -> ExperimentConfig {
        let common = """
            assimilation: {members: 3, flux_ensemble: {generator: \(generator)}}
            ensemble: {seed: 3, ic_bc_perturbation: \(perturbation)}
            """
        let twin = try config(common + """

            observations:
              satellite: {source: synthetic, instrument: oco2}
            """, hours: hours)
        let twinFolder = try TestEnvironment.temporaryDirectory(label)
        _ = try ThreadCommunicator.run(ranks: 1) { world in
            _ = try TwinExperiment(config: twin, output: twinFolder, world: world).run()
        }
        return try config(common + """

            observations:
              satellite: {source: files, instrument: oco2, files: [\(twinFolder.appendingPathComponent("observations").path)]}
            checkpoint: {interval_hours: \(checkpointHours)}
            """, hours: hours)
    }

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
