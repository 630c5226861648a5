import Foundation
import Parallel
import Testing
import TestSupport

/// The in-process communicator: the scenarios the MPI check runs, on 1–4
/// thread ranks, plus what only threads can show (results per rank, errors,
/// deadlocks reported instead of hanging).
@Suite struct ThreadCommunicatorTests {
    @Test(arguments: [1, 2, 3, 4])
    func everyScenarioOfTheMPICheckPasses(ranks: Int) throws {
        let reports = try ThreadCommunicator.run(ranks: ranks) { comm in
            CommunicatorCheck.run(on: comm, largeCount: 300_001)
        }
        #expect(reports.count == ranks)
        for (rank, report) in reports.enumerated() {
            #expect(report.failures.isEmpty, "rank \(rank) of \(ranks): \(report.failures)")
            #expect(report.checks == reports[0].checks)
        }
        #expect(reports[0].checks >= 30)   // 34 with the layout scenario, which 3 ranks skip
    }

    @Test func resultsComeBackInRankOrder() throws {
        let results = try ThreadCommunicator.run(ranks: 4) { comm in (comm.rank, comm.size) }
        #expect(results.map(\.0) == [0, 1, 2, 3] && results.allSatisfy { $0.1 == 4 })
    }

    /// Sums are taken in rank order, so every rank gets the same bits even
    /// when the values are not exactly representable.
    @Test func floatingPointSumsAreIdenticalOnEveryRank() throws {
        @Sendable func value(_ k: Int, rank: Int) -> Double { 0.1 * Double(k + rank) + 1e-17 * Double(rank) }
        let sums = try ThreadCommunicator.run(ranks: 3) { comm in
            var values = (0..<100).map { value($0, rank: comm.rank) }
            comm.allreduce(&values, .sum)
            return values
        }
        let expected = (0..<100).map { k in (value(k, rank: 0) + value(k, rank: 1)) + value(k, rank: 2) }
        for sum in sums { #expect(firstBitDifference(sum, expected) == nil) }
    }

    struct Deliberate: Error, Equatable { let rank: Int }

    @Test func theLowestThrowingRankErrorIsRethrown() {
        #expect(throws: Deliberate(rank: 1)) {
            _ = try ThreadCommunicator.run(ranks: 4) { comm in
                comm.barrier()
                if comm.rank % 2 == 1 { throw Deliberate(rank: comm.rank) }
                return comm.rank
            }
        }
    }

    /// Rank 0 throws before a collective the others wait in: they can never
    /// leave it, so the run ends with rank 0's error instead of hanging.
    @Test func anErrorWhileOthersWaitEndsTheRun() {
        #expect(throws: Deliberate(rank: 0)) {
            _ = try ThreadCommunicator.run(ranks: 3) { comm in
                if comm.rank == 0 { throw Deliberate(rank: 0) }
                comm.barrier()
            }
        }
    }

    /// abort ends the whole process (as MPI_Abort ends the job), naming the rank.
    @Test func abortEndsTheProcessNamingTheRank() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = try? ThreadCommunicator.run(ranks: 3) { comm in
                if comm.rank == 1 { comm.abort("deliberate failure requested by the test") }
                comm.barrier()
            }
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("rcas: fatal error on rank 1 of 3: deliberate failure"), "\(stderr)")
    }

    @Test func aReceiveWithoutASendIsReportedAsADeadlock() {
        do {
            _ = try ThreadCommunicator.run(ranks: 2) { comm in
                if comm.rank == 1 { _ = comm.receive(Double.self, from: 0, tag: 5) }
            }
            Issue.record("a receive that no rank serves returned")
        } catch let error as ThreadRunError {
            #expect("\(error)".contains("rank 1 in receive of Double from rank 0 with tag 5"), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func collectivesOfSplitCommunicatorsDoNotMix() throws {
        // Two halves run different numbers of collectives on their own
        // communicators between two collectives of the world.
        let results = try ThreadCommunicator.run(ranks: 4) { comm in
            let half = comm.split(color: comm.rank / 2, key: 0)
            var total = 0
            for round in 0..<(comm.rank < 2 ? 3 : 5) { total += half.allreduce(round + comm.rank, .sum) }
            comm.barrier()
            return comm.allgather([total]).flatMap { $0 }
        }
        // Ranks 0, 1: Σ_{round<3} (2 round + 1) = 9; ranks 2, 3: Σ_{round<5} (2 round + 5) = 45.
        for result in results { #expect(result == [9, 9, 45, 45]) }
    }

    @Test func exchangeReleasedWithoutWaitStillDelivers() throws {
        let received = try ThreadCommunicator.run(ranks: 2) { comm in
            let other = 1 - comm.rank
            let outgoing = [Double](repeating: Double(comm.rank), count: 3)
            var incoming = [Double](repeating: -1, count: 3)
            outgoing.withUnsafeBufferPointer { send in
                incoming.withUnsafeMutableBufferPointer { receive in
                    _ = comm.startExchange(sending: [(other, send)], receiving: [(other, receive)])
                }
            }
            return incoming
        }
        #expect(received == [[1, 1, 1], [0, 0, 0]])
    }

    @Test func runsOneAfterAnotherAndNestedAreIndependent() throws {
        for _ in 0..<3 {
            let sums = try ThreadCommunicator.run(ranks: 2) { comm in
                let inner = try ThreadCommunicator.run(ranks: 3) { $0.allreduce($0.rank, .sum) }
                return comm.allreduce(inner[comm.rank], .sum)
            }
            #expect(sums == [6, 6])
        }
    }
}
