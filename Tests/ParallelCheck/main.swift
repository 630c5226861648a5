// A test program run under mpirun by ParallelTests: it exercises every
// Communicator operation with values whose correct result each rank can compute
// by itself, and exits non-zero if any check fails on any rank.
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
var failures: [String] = []
var checks = 0
@MainActor func expect(_ condition: Bool, _ what: @autoclosure () -> String) {
    checks += 1
    if !condition { failures.append(what()) }
}

if let victim = option("--abort-on-rank") {
    if rank == victim { comm.abort("deliberate failure requested by the test") }
    comm.barrier()  // the other ranks wait here; the abort must end them too
    print("rank \(rank) passed a barrier it should never have left")
    exit(0)
}

// allgather of ranks: every rank sees 0..<size in order
let ranks = comm.allgather([rank]).flatMap { $0 }
expect(ranks == Array(0..<size), "allgather of ranks gave \(ranks)")

// broadcast from the last rank, with a length only the root knows
var values: [Double] = rank == size - 1 ? (0..<11).map { Double($0) * 1.5 } : []
comm.broadcast(&values, root: size - 1)
expect(values == (0..<11).map { Double($0) * 1.5 }, "broadcast gave \(values)")
var bytes: [UInt8] = rank == 0 ? Array("élan".utf8) : [1, 2]
comm.broadcast(&bytes, root: 0)
expect(String(decoding: bytes, as: UTF8.self) == "élan", "broadcast of bytes")

// allreduce: sums of exactly representable values, min and max
var ints = [rank + 1, 10 * rank, -rank]
comm.allreduce(&ints, .sum)
expect(ints == [size * (size + 1) / 2, 10 * size * (size - 1) / 2, -size * (size - 1) / 2], "Int sum \(ints)")
var doubles = (0..<7).map { Double(rank) + Double($0) / 4 }
comm.allreduce(&doubles, .max)
expect(doubles == (0..<7).map { Double(size - 1) + Double($0) / 4 }, "Double max \(doubles)")
var floats: [Float] = [Float(rank), -Float(rank)]
comm.allreduce(&floats, .min)
expect(floats == [0, -Float(size - 1)], "Float min \(floats)")
var int32s: [Int32] = [Int32(rank), 1]
comm.allreduce(&int32s, .sum)
expect(int32s == [Int32(size * (size - 1) / 2), Int32(size)], "Int32 sum \(int32s)")
expect(comm.allreduce(Double(rank), .sum) == Double(size * (size - 1) / 2), "scalar allreduce")

// gatherv at a non-zero root: rank r contributes r+1 values r*100+k
func contribution(_ r: Int) -> [Double] { (0...r).map { Double(r * 100 + $0) } }
let root = size > 1 ? 1 : 0
let gathered = comm.gather(contribution(rank), root: root)
if rank == root {
    expect(gathered.map { $0 == (0..<size).map(contribution) } ?? false, "gatherv at root")
} else {
    expect(gathered == nil, "gatherv returns nil off the root")
}

// allgatherv with an empty contribution from rank 0
let all = comm.allgather(rank == 0 ? [Int]() : (0..<rank).map { rank * 10 + $0 })
expect(all == (0..<size).map { r in r == 0 ? [] : (0..<r).map { r * 10 + $0 } }, "allgatherv")

// alltoallv: what r sends to d has length (r + d) % 3 + 1 and encodes (r, d)
func parcel(from r: Int, to d: Int) -> [Int] { (0..<((r + d) % 3 + 1)).map { r * 1000 + d * 10 + $0 } }
let received = comm.alltoallv((0..<size).map { parcel(from: rank, to: $0) })
expect(received == (0..<size).map { parcel(from: $0, to: rank) }, "alltoallv")
let floatsReceived = comm.alltoallv((0..<size).map { d in [Float](repeating: Float(rank * size + d), count: d) })
expect(floatsReceived == (0..<size).map { s in [Float](repeating: Float(s * size + rank), count: rank) },
       "alltoallv of Float with empty parcels")

// startExchange with the ring neighbours (oneself on one rank) into buffers
// the caller owns; progress() may be called before wait().
let neighbours = Array(Set([(rank + 1) % size, (rank + size - 1) % size])).sorted()
let sendBuffers = neighbours.map { d in
    let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: parcel(from: rank, to: d).count)
    _ = buffer.initialize(from: parcel(from: rank, to: d).map(Double.init))
    return buffer
}
let receiveBuffers = neighbours.map { s in
    let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: parcel(from: s, to: rank).count)
    buffer.initialize(repeating: -1)
    return buffer
}
let pending = comm.startExchange(sending: zip(neighbours, sendBuffers).map { ($0, UnsafeBufferPointer($1)) },
                                 receiving: Array(zip(neighbours, receiveBuffers)))
pending.progress()
pending.wait()
expect(zip(neighbours, receiveBuffers).allSatisfy { s, buffer in Array(buffer) == parcel(from: s, to: rank).map(Double.init) },
       "startExchange with the ring neighbours")
for buffer in sendBuffers + receiveBuffers { buffer.deallocate() }

// send / receive around a ring (even ranks send first so no deadlock at any size)
if size > 1 {
    let next = (rank + 1) % size, previous = (rank + size - 1) % size
    let message = (0..<(rank + 5)).map { Double(rank) + Double($0) / 8 }
    var incoming: [Double] = []
    if rank % 2 == 0 {
        comm.send(message, to: next, tag: 7)
        incoming = comm.receive(Double.self, from: previous, tag: 7)
    } else {
        incoming = comm.receive(Double.self, from: previous, tag: 7)
        comm.send(message, to: next, tag: 7)
    }
    expect(incoming == (0..<(previous + 5)).map { Double(previous) + Double($0) / 8 }, "ring send/receive")
} else {
    comm.send([1.0, 2.0], to: 0, tag: 3)
    expect(comm.receive(Double.self, from: 0, tag: 3) == [1.0, 2.0], "self send/receive")
}

// split into even and odd ranks, ordered by descending old rank
let half = comm.split(color: rank % 2, key: -rank)
let members = (0..<size).filter { $0 % 2 == rank % 2 }
expect(half.size == members.count, "split size \(half.size)")
expect(half.rank == members.reversed().firstIndex(of: rank)!, "split rank order")
expect(half.allreduce(rank, .sum) == members.reduce(0, +), "allreduce inside a split")

// the member-group x tile layout
if let layout = try? ParallelLayout(worldSize: size, memberGroups: size >= 2 ? 2 : 1) {
    let split = LayoutCommunicators(world: comm, layout: layout)
    expect(split.group.size == layout.tilesPerGroup, "group communicator size")
    expect(split.tileAcrossGroups.size == layout.memberGroups, "tile communicator size")
    expect(split.group.rank == split.tileIndex, "rank in group is the tile index")
    let groupsSeen = split.group.allgather([split.memberGroupIndex]).flatMap { $0 }
    expect(Set(groupsSeen).count == 1, "one member group per group communicator")
}

// report: every rank's failures reach rank 0
let failureCount = comm.allreduce(failures.count, .sum)
let allFailures = comm.gather(Array(failures.joined(separator: "; ").utf8), root: 0)
if rank == 0 {
    for (r, text) in (allFailures ?? []).enumerated() where !text.isEmpty {
        print("rank \(r) FAILED: \(String(decoding: text, as: UTF8.self))")
    }
    print("parallel-check: \(checks) checks on each of \(size) ranks, \(failureCount) failed")
}
MPIRuntime.finish()
exit(failureCount == 0 ? 0 : 1)
