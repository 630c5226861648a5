import Foundation
import Testing
import TestSupport

/// Issue 16, classes 5 and 6: SIGTERM and SIGINT are honoured at any point
/// (Docs/reliability.md, "Signals"). The runs go through
/// JobScripts/rcas-mpirun.sh, which passes a TERM on to mpirun as USR1 (plain
/// mpirun would kill the ranks and exit 1).
@Suite struct FaultSignalTests {
    /// Class 6: SIGTERM while cycling: a checkpoint at the end of the hour,
    /// exit 0, nothing renamed to a final name; --resume then completes.
    @Test func aSignalWhileCyclingStopsWithACheckpointAndExitZero() throws {
        let output = try FaultFixture.output("fault-term")
        let config = try FaultFixture.config(end: "2016-07-01T11")
        let run = try Launched(ranks: 2, wrapper: true, ["run", config, "--output", output.path])
        let checkpoint = output.appendingPathComponent("checkpoint.nc").path
        #expect(run.waitFor { FileManager.default.fileExists(atPath: checkpoint) })
        run.signal(SIGTERM)
        #expect(run.finish() == 0, "\(run.stderr)")
        #expect(run.stdout.contains("stop requested by a signal: checkpoint at"), "\(run.stdout)")
        let left = FaultFixture.contents(output) ?? []
        #expect(left == FaultFixture.stoppedRun,
                "\(left)")
        let resumed = try TestEnvironment.mpirun(ranks: 1, ["run", config, "--output", output.path, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(FaultFixture.contents(output) == FaultFixture.completeRun)
    }

    /// Class 5: SIGTERM during initialisation (here: building a 64-member
    /// ensemble on china-64km) ends the run promptly with 128 + 15 and leaves
    /// no output folder behind.
    @Test func aSignalDuringInitialisationStopsAtOnceAndLeavesNoFolder() throws {
        let output = try FaultFixture.output("fault-init")
        let config = try FaultFixture.config(members: 64, domain: FaultFixture.china)
        let run = try Launched(ranks: 2, wrapper: true, ["run", config, "--output", output.path])
        let lock = output.appendingPathComponent(".rcas.lock").path
        #expect(run.waitFor { FileManager.default.fileExists(atPath: lock) })
        run.signal(SIGTERM)
        #expect(run.finish(within: 60) == 143, "\(run.stderr)")
        #expect(run.stderr.contains("signal received before the hourly cycle started"), "\(run.stderr)")
        #expect(FaultFixture.contents(output) == nil)
    }

    /// Class 5: a second signal (2 s or more after the first) stops at once
    /// (128 + 15) without waiting for the hour; the last checkpoint stays.
    @Test func aSecondSignalStopsAtOnce() throws {
        let output = try FaultFixture.output("fault-second")
        // Enough members that an hour outlasts the 2.5 s between the signals.
        let config = try FaultFixture.config(members: 96, domain: FaultFixture.china, checkpointHours: 1)
        let run = try Launched(ranks: nil, ["run", config, "--output", output.path])
        let checkpoint = output.appendingPathComponent("checkpoint.nc").path
        #expect(run.waitFor { FileManager.default.fileExists(atPath: checkpoint) })
        run.signal(SIGTERM)
        usleep(2_500_000)
        run.signal(SIGTERM)
        #expect(run.finish(within: 60) == 143, "\(run.stderr)")
        #expect(run.stderr.contains("second signal: stopping at once"), "\(run.stderr)")
        let left = FaultFixture.contents(output) ?? []
        #expect(left.contains("checkpoint.nc") && !left.contains("fluxes.nc") && !left.contains(".rcas.lock"), "\(left)")
    }
}
