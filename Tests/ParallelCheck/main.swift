// A test program run under mpirun by ParallelTests: it runs CommunicatorCheck
// (every Communicator operation with values whose correct result each rank can
// compute by itself) and exits non-zero if any check fails on any rank.
//
//   parallel-check [--message-limit N] [--abort-on-rank R]
import Foundation
import Parallel

let arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> Int? {
    guard let at = arguments.firstIndex(of: name), at + 1 < arguments.count else { return nil }
    return Int(arguments[at + 1])
}

let world = MPIRuntime.start()
let comm: any Communicator = option("--message-limit").map { world.withMessageLimit($0) } ?? world
let rank = comm.rank, size = comm.size

if let victim = option("--abort-on-rank") {
    if rank == victim { comm.abort("deliberate failure requested by the test") }
    comm.barrier()  // the other ranks wait here; the abort must end them too
    print("rank \(rank) passed a barrier it should never have left")
    exit(0)
}

// Every scenario of CommunicatorCheck (the thread tests run the same). With a
// small message limit, "large" messages of 10 limits plus one already take
// the multi-message paths.
let limit = option("--message-limit")
let report = CommunicatorCheck.run(on: comm, largeCount: limit.map { 10 * $0 + 1 } ?? 300_001)

// report: every rank's failures reach rank 0
let failureCount = comm.allreduce(report.failures.count, .sum)
let allFailures = comm.gather(Array(report.failures.joined(separator: "; ").utf8), root: 0)
if rank == 0 {
    for (r, text) in (allFailures ?? []).enumerated() where !text.isEmpty {
        print("rank \(r) FAILED: \(String(decoding: text, as: UTF8.self))")
    }
    print("parallel-check: \(report.checks) checks on each of \(size) ranks, \(failureCount) failed")
}
MPIRuntime.finish()
exit(failureCount == 0 ? 0 : 1)
