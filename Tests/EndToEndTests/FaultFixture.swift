import Foundation
import Testing
import TestSupport

/// Inputs and launch helpers of the fault tests: small OCO-2 Lite files in
/// the real layout (Tests/Fixtures/realformat/lite.py), plain and damaged,
/// and `rcas run` configurations on test-small over six hours (the soundings
/// lie in the 05 UTC hour near 35 N 116 E).
enum FaultFixture {
    static let testSmall = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path
    static let china = TestEnvironment.packageRoot.appendingPathComponent("Domains/china-64km").path

    /// One folder per Lite variant: plain, time-1e30, float-codes, wrong-units.
    static let observations: Result<URL, any Error> = Result {
        let folder = try TestEnvironment.temporaryDirectory("fault-lite")
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/Fixtures/realformat/lite.py").path
        let result = try TestEnvironment.run("/usr/bin/env", ["python3", script, folder.path, "--product", "oco2-v11",
                                                              "--each", "plain", "--each", "time-1e30",
                                                              "--each", "float-codes", "--each", "wrong-units"])
        guard result.status == 0 else { throw ExperimentTestFailure("lite.py failed: \(result.stderr)") }
        return folder
    }

    /// A configuration file in a fresh folder: `members` members from
    /// 2016-07-01T00 to `end`, satellite files `satellite` (default: the plain
    /// Lite variant), checkpoints every `checkpointHours`, `extra` appended.
    static func config(members: Int = 4, end: String = "2016-07-01T05", domain: String = testSmall, seed: Int = 3,
                       satellite: String? = nil, checkpointHours: Int = 2, extra: String = "") throws -> String {
        let files = try satellite ?? observations.get().appendingPathComponent("plain").path
        let folder = try TestEnvironment.temporaryDirectory("fault-config")
        let path = folder.appendingPathComponent("run.yaml").path
        try """
            name: fault-test
            domain: \(domain)
            period: {start: 2016-07-01T00, end: \(end), spin_up_days: 0}
            assimilation: {members: \(members), localization: {cutoff_km: 2000}}
            ensemble: {seed: \(seed), ic_bc_perturbation: 0.005}
            observations:
              satellite: {source: files, instrument: oco2, files: [\(files)]}
            checkpoint: {interval_hours: \(checkpointHours)}
            \(extra)
            """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// What a finished `rcas run` leaves in its folder.
    static let completeRun = ["checkpoint.nc", "concentrations.nc", "diagnostics.nc", "fluxes.nc", "observations.nc"]
    /// What a run stopped with a checkpoint leaves: the streamed files not yet renamed.
    static let stoppedRun = ["checkpoint.nc", "concentrations.nc.partial", "diagnostics.nc.partial", "fluxes.nc.partial",
                             "observations.nc.partial"]

    /// A path for an output folder that does not exist yet.
    static func output(_ label: String) throws -> URL {
        try TestEnvironment.temporaryDirectory(label).appendingPathComponent("run")
    }

    /// The names in a folder (hidden ones included), or nil when it does not exist.
    static func contents(_ folder: URL) -> [String]? {
        (try? FileManager.default.contentsOfDirectory(atPath: folder.path))?.sorted()
    }
}

/// A process started in the background with its output in files, which a
/// test can signal (by its own pid) and wait for with a deadline.
final class Launched {
    let process = Process()
    let stdoutFile: URL, stderrFile: URL

    /// `mpirun` with `ranks` ranks of rcas (`wrapper`: through JobScripts/rcas-mpirun.sh), or rcas alone (`ranks` nil).
    init(ranks: Int?, wrapper: Bool = false, _ arguments: [String]) throws {
        let folder = try TestEnvironment.temporaryDirectory("launched")
        stdoutFile = folder.appendingPathComponent("stdout")
        stderrFile = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrFile.path, contents: nil)
        let rcas = TestEnvironment.rcasBinary.path
        let command: [String]
        if let ranks {
            let script = TestEnvironment.packageRoot.appendingPathComponent("JobScripts/rcas-mpirun.sh").path
            command = (wrapper ? ["/bin/bash", script] : ["mpirun"]) + TestEnvironment.mpirunFlags(ranks: ranks) + [rcas] + arguments
        } else {
            command = [rcas] + arguments
        }
        // The test runner's threads block most signals and a child inherits
        // that mask (bash and mpirun would never see a SIGTERM): start the
        // command with an empty mask, as a shell would, and in a process
        // group of its own so that a hang can be cleaned up whole.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); "
                             + "os.setpgid(0, 0); os.execvp(sys.argv[1], sys.argv[1:])"] + command
        process.environment = ProcessInfo.processInfo.environment.merging(TestEnvironment.mpiEnvironment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: stdoutFile)
        process.standardError = try FileHandle(forWritingTo: stderrFile)
        try process.run()
    }

    /// Waits until `condition` holds or the process ends (at most `seconds`); true when it holds.
    func waitFor(seconds: Double = 300, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() && process.isRunning && Date() < deadline { usleep(10_000) }
        return condition()
    }

    func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// The exit status, or nil (after killing every process this test
    /// started: launcher, mpirun and ranks) when the process has not ended
    /// within `seconds`: a hang.
    func finish(within seconds: Double = 300) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        guard !process.isRunning else {
            kill(-process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    var stdout: String { (try? String(contentsOf: stdoutFile, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: stderrFile, encoding: .utf8)) ?? "" }
}
