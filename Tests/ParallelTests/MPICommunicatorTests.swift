import Foundation
import Testing
import TestSupport

/// Runs the `parallel-check` program under mpirun: every Communicator
/// operation against values each rank can verify itself.
@Suite(.serialized) struct MPICommunicatorTests {
    let program = TestEnvironment.builtExecutable("parallel-check")

    @Test(arguments: [1, 2, 4])
    func collectivesUnderMPI(ranks: Int) throws {
        let result = try TestEnvironment.mpirun(ranks: ranks, executable: program, [])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("on each of \(ranks) ranks, 0 failed"), "\(result.stdout)")
    }

    /// A message limit of 2 elements forces every operation through its
    /// multi-message path (the one taken above 2^31 elements).
    @Test(arguments: [1, 2, 4])
    func collectivesSplitIntoSmallMessages(ranks: Int) throws {
        let result = try TestEnvironment.mpirun(ranks: ranks, executable: program, ["--message-limit", "2"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(result.stdout.contains("0 failed"), "\(result.stdout)")
    }

    @Test func aFatalErrorOnOneRankAbortsTheJobNamingTheRank() throws {
        let start = Date()
        let result = try TestEnvironment.mpirun(ranks: 3, executable: program, ["--abort-on-rank", "1"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("fatal error on rank 1 of 3: deliberate failure"), "\(result.stderr)")
        #expect(!result.stdout.contains("should never have left"))
        #expect(Date().timeIntervalSince(start) < 60)
    }
}
