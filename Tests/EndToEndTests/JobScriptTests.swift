import Foundation
import Testing
import TestSupport

/// The job scripts on a real single-node SLURM (Tests/JobScripts/slurm-end-to-end.sh
/// starts slurmctld and slurmd, runs the checks and stops the daemons it started).
@Suite(.serialized) struct JobScriptTests {
    @Test func arrayChainAndTimeLimitJobsOnSLURM() throws {
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/JobScripts/slurm-end-to-end.sh").path
        let result = try TestEnvironment.run("/bin/bash", [script], environment: ["RCAS_BIN": TestEnvironment.rcasBinary.path])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let passed = result.stdout.split(separator: "\n").filter { $0.hasPrefix("PASS ") }.count
        #expect(passed == 11, "\(result.stdout)")
        #expect(result.stdout.contains("slurm job-script tests: 11 passed, 0 failed"), "\(result.stdout)")
    }
}
