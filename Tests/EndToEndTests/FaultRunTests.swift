import Foundation
import NetCDFIO
import Testing
import TestSupport

/// Issue 16, classes 3 and 4: a run checks what it used to trust (a resume's
/// configuration, every rank's configuration) and loses no work (two runs on
/// one folder, stale files of killed runs) (Docs/reliability.md).
@Suite(.serialized) struct FaultRunTests {
    /// Class 3: a resume whose configuration differs from the checkpoint's is
    /// refused (exit 78) naming every key that differs, and changes nothing;
    /// with --allow-changed-configuration it continues and every output file
    /// records the change, while rcas_configuration keeps the first one.
    @Test func aResumeWithAChangedConfigurationIsRefusedNamingTheKeys() throws {
        let output = try FaultFixture.output("fault-resume")
        let first = try TestEnvironment.mpirun(ranks: 2, ["run", try FaultFixture.config(), "--output", output.path,
                                                           "--until", "2016-07-01T02"])
        #expect(first.status == 0, "\(first.stderr)")
        let before = FaultFixture.contents(output)
        let checkpoint = output.appendingPathComponent("checkpoint.nc").path
        let stamp = try FileManager.default.attributesOfItem(atPath: checkpoint)[.modificationDate] as? Date

        let changed = try FaultFixture.config(seed: 4, extra: "outputs: {flux_averaging: hourly}")
        let refused = try TestEnvironment.mpirun(ranks: 2, ["run", changed, "--output", output.path, "--resume"])
        #expect(refused.status == 78, "\(refused.stderr)")
        #expect(refused.stderr.contains("ensemble.seed: 3 -> 4"), "\(refused.stderr)")
        #expect(refused.stderr.contains("--allow-changed-configuration"))
        #expect(FaultFixture.contents(output) == before, "a refused resume leaves the folder as it was")
        #expect(try FileManager.default.attributesOfItem(atPath: checkpoint)[.modificationDate] as? Date == stamp)

        let allowed = try TestEnvironment.mpirun(ranks: 2, ["run", changed, "--output", output.path, "--resume",
                                                             "--allow-changed-configuration"])
        #expect(allowed.status == 0, "\(allowed.stderr)")
        for name in ["fluxes.nc", "observations.nc", "concentrations.nc", "diagnostics.nc"] {
            let root = try NetCDFFile.open(output.appendingPathComponent(name).path).root
            let history = try root.attribute("rcas_configuration_changes")?.text ?? ""
            #expect(history.contains("resumed_at: 2016-07-01T02") && history.contains("ensemble.seed: 3 -> 4")
                    && history.contains("seed: 4,"), "\(name): \(history)")
            #expect(try root.attribute("rcas_configuration")?.text?.contains("seed: 3,") == true, "\(name)")
        }
    }

    /// Class 3: ranks started with different configurations stop together
    /// with one message naming the rank (exit 65) instead of crashing or
    /// mixing results; no output folder is left.
    @Test func ranksWithDifferentConfigurationsStopWithOneMessage() throws {
        let output = try FaultFixture.output("fault-mpmd")
        let rcas = TestEnvironment.rcasBinary.path
        let a = try FaultFixture.config(), b = try FaultFixture.config(seed: 5)
        let result = try TestEnvironment.run("/usr/bin/env", ["mpirun", "--oversubscribe", "--bind-to", "none",
                                                              "-np", "1", rcas, "run", a, "--output", output.path, ":",
                                                              "-np", "1", rcas, "run", b, "--output", output.path],
                                             environment: TestEnvironment.mpiEnvironment)
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("rank 1 holds a different configuration than rank 0"), "\(result.stderr)")
        #expect(FaultFixture.contents(output) == nil)
    }

    /// Class 4: a second run on a folder in use fails at once (exit 75)
    /// naming the holder; the first run is not disturbed and completes.
    @Test func aSecondRunOnTheSameFolderIsRefusedNamingTheHolder() throws {
        let output = try FaultFixture.output("fault-lock")
        let config = try FaultFixture.config(end: "2016-07-01T11")
        let first = try Launched(ranks: 2, ["run", config, "--output", output.path])
        let lock = output.appendingPathComponent(".rcas.lock").path
        #expect(first.waitFor { FileManager.default.fileExists(atPath: lock) })
        let second = try TestEnvironment.mpirun(ranks: 1, ["run", config, "--output", output.path])
        #expect(second.status == 75, "\(second.stderr)")
        #expect(second.stderr.contains("is in use by another rcas run (pid "), "\(second.stderr)")
        #expect(second.stderr.contains("rcas run, started"), "\(second.stderr)")
        #expect(first.finish() == 0, "\(first.stderr)")
        #expect(FaultFixture.contents(output) == FaultFixture.completeRun,
                "the first run's outputs are complete and its lock is gone")
    }

    /// Class 4: a resume removes the temporary files a killed checkpoint
    /// write left (`.checkpoint.nc.partial-PID`) and takes over the lock of
    /// a run that no longer exists, but continues the streamed files.
    @Test func aResumeRemovesStaleFilesOfAKilledRun() throws {
        let output = try FaultFixture.output("fault-stale")
        let config = try FaultFixture.config()
        let first = try TestEnvironment.mpirun(ranks: 1, ["run", config, "--output", output.path, "--until", "2016-07-01T02"])
        #expect(first.status == 0, "\(first.stderr)")
        let stale = output.appendingPathComponent(".checkpoint.nc.partial-999999").path
        #expect(FileManager.default.createFile(atPath: stale, contents: Data("half a checkpoint".utf8)))
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let hostName = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        try "pid 999999 on host \(hostName), rcas run, started 2026-01-01T00:00:00Z\n"
            .write(to: output.appendingPathComponent(".rcas.lock"), atomically: true, encoding: .utf8)
        let resumed = try TestEnvironment.mpirun(ranks: 2, ["run", config, "--output", output.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("removed 1 temporary file(s) left by a killed run: .checkpoint.nc.partial-999999"),
                "\(resumed.stderr)")
        #expect(resumed.stderr.contains("took over the lock of a run that is no longer running (pid 999999"),
                "\(resumed.stderr)")
        #expect(FaultFixture.contents(output) == FaultFixture.completeRun)
    }

    /// Class 4: a new run into a folder holding another run is refused
    /// (exit 73) with what to do; the folder is left as it was.
    @Test func aNewRunIntoAFolderWithACheckpointIsRefused() throws {
        let output = try FaultFixture.output("fault-nonempty")
        let config = try FaultFixture.config()
        #expect(try TestEnvironment.mpirun(ranks: 1, ["run", config, "--output", output.path, "--until", "2016-07-01T02"])
            .status == 0)
        let before = FaultFixture.contents(output)
        let again = try TestEnvironment.mpirun(ranks: 1, ["run", config, "--output", output.path])
        #expect(again.status == 73, "\(again.stderr)")
        #expect(again.stderr.contains("is not empty") && again.stderr.contains("continue that run with --resume"))
        #expect(FaultFixture.contents(output) == before)
        let noCheckpoint = try FaultFixture.output("fault-nothing")
        let resume = try TestEnvironment.mpirun(ranks: 1, ["run", config, "--output", noCheckpoint.path, "--resume"])
        #expect(resume.status == 78 && resume.stderr.contains("does not exist"), "\(resume.stderr)")
    }
}
