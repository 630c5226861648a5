/// A self-check of a communicator: every ``Communicator`` operation with
/// values whose correct result each rank can compute by itself, including
/// split communicators, halo-style exchanges, zero-length and large messages.
/// The MPI test program (`parallel-check`, run under mpirun) and the thread
/// tests run the same scenarios through it; a user can run it to check an MPI
/// installation.
public enum CommunicatorCheck {
    /// What one rank saw.
    public struct Report: Sendable {
        /// Checks made on this rank.
        public var checks = 0
        /// Descriptions of the checks that failed on this rank.
        public var failures: [String] = []

        mutating func expect(_ condition: Bool, _ what: @autoclosure () -> String) {
            checks += 1
            if !condition { failures.append(what()) }
        }
    }

    /// Runs every scenario on `comm`; a collective call (every rank calls
    /// it). `largeCount` is the element count of the large messages.
    public static func run(on comm: any Communicator, largeCount: Int = 300_001) -> Report {
        var report = Report()
        collectives(comm, &report)
        exchanges(comm, &report)
        pointToPoint(comm, &report)
        largeMessages(comm, count: largeCount, &report)
        splits(comm, &report)
        return report
    }

    /// What rank `r` contributes to a gather: r + 1 values r·100 + k.
    static func contribution(_ r: Int) -> [Double] { (0...r).map { Double(r * 100 + $0) } }

    /// What rank `r` sends rank `d`: (r + d) % 3 + 1 values encoding (r, d).
    static func parcel(from r: Int, to d: Int) -> [Int] { (0..<((r + d) % 3 + 1)).map { r * 1000 + d * 10 + $0 } }

    static func collectives(_ comm: any Communicator, _ report: inout Report) {
        let rank = comm.rank, size = comm.size
        let ranks = comm.allgather([rank]).flatMap { $0 }
        report.expect(ranks == Array(0..<size), "allgather of ranks gave \(ranks)")
        comm.barrier()

        // broadcast from the last rank, with a length only the root knows
        var values: [Double] = rank == size - 1 ? (0..<11).map { Double($0) * 1.5 } : []
        comm.broadcast(&values, root: size - 1)
        report.expect(values == (0..<11).map { Double($0) * 1.5 }, "broadcast gave \(values)")
        var bytes: [UInt8] = rank == 0 ? Array("élan".utf8) : [1, 2]
        comm.broadcast(&bytes, root: 0)
        report.expect(String(decoding: bytes, as: UTF8.self) == "élan", "broadcast of bytes")
        var nothing: [Int32] = rank == 0 ? [] : [5, 6]
        comm.broadcast(&nothing, root: 0)
        report.expect(nothing.isEmpty, "broadcast of an empty array gave \(nothing)")

        // allreduce: sums of exactly representable values, min and max
        var ints = [rank + 1, 10 * rank, -rank]
        comm.allreduce(&ints, .sum)
        report.expect(ints == [size * (size + 1) / 2, 10 * size * (size - 1) / 2, -size * (size - 1) / 2],
                      "Int sum \(ints)")
        var doubles = (0..<7).map { Double(rank) + Double($0) / 4 }
        comm.allreduce(&doubles, .max)
        report.expect(doubles == (0..<7).map { Double(size - 1) + Double($0) / 4 }, "Double max \(doubles)")
        var floats: [Float] = [Float(rank), -Float(rank)]
        comm.allreduce(&floats, .min)
        report.expect(floats == [0, -Float(size - 1)], "Float min \(floats)")
        var int32s: [Int32] = [Int32(rank), 1]
        comm.allreduce(&int32s, .sum)
        report.expect(int32s == [Int32(size * (size - 1) / 2), Int32(size)], "Int32 sum \(int32s)")
        report.expect(comm.allreduce(Double(rank), .sum) == Double(size * (size - 1) / 2), "scalar allreduce")
        var empty: [Double] = []
        comm.allreduce(&empty, .sum)
        report.expect(empty.isEmpty, "allreduce of nothing")

        // gatherv at a non-zero root
        let root = size > 1 ? 1 : 0
        let gathered = comm.gather(contribution(rank), root: root)
        if rank == root {
            report.expect(gathered.map { $0 == (0..<size).map(contribution) } ?? false, "gatherv at root")
        } else {
            report.expect(gathered == nil, "gatherv returns nil off the root")
        }

        // allgatherv with an empty contribution from rank 0
        let all = comm.allgather(rank == 0 ? [Int]() : (0..<rank).map { rank * 10 + $0 })
        report.expect(all == (0..<size).map { r in r == 0 ? [] : (0..<r).map { r * 10 + $0 } }, "allgatherv")

        // alltoallv with counts that differ, and with empty parcels
        let received = comm.alltoallv((0..<size).map { parcel(from: rank, to: $0) })
        report.expect(received == (0..<size).map { parcel(from: $0, to: rank) }, "alltoallv")
        let floatsReceived = comm.alltoallv((0..<size).map { d in [Float](repeating: Float(rank * size + d), count: d) })
        report.expect(floatsReceived == (0..<size).map { s in [Float](repeating: Float(s * size + rank), count: rank) },
                      "alltoallv of Float with empty parcels")
    }

    /// Buffers the caller owns, as halo exchanges use them.
    private final class Buffers {
        var sending: [(rank: Int, values: UnsafeMutableBufferPointer<Double>)] = []
        var receiving: [(rank: Int, values: UnsafeMutableBufferPointer<Double>)] = []

        func send(_ values: [Double], to rank: Int) {
            let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: values.count)
            _ = buffer.initialize(fromContentsOf: values)
            sending.append((rank, buffer))
        }

        func receive(_ count: Int, from rank: Int) {
            let buffer = UnsafeMutableBufferPointer<Double>.allocate(capacity: count)
            buffer.initialize(repeating: -1)
            receiving.append((rank, buffer))
        }

        func start(_ comm: any Communicator) -> any PendingExchange {
            comm.startExchange(sending: sending.map { ($0.rank, UnsafeBufferPointer($0.values)) }, receiving: receiving)
        }

        func received() -> [[Double]] { receiving.map { Array($0.values) } }

        deinit { for buffer in sending.map(\.values) + receiving.map(\.values) { buffer.deallocate() } }
    }

    static func exchanges(_ comm: any Communicator, _ report: inout Report) {
        let rank = comm.rank, size = comm.size
        // The ring neighbours (oneself on one rank); progress() before wait().
        let neighbours = Array(Set([(rank + 1) % size, (rank + size - 1) % size])).sorted()
        let ring = Buffers()
        for d in neighbours { ring.send(parcel(from: rank, to: d).map(Double.init), to: d) }
        for s in neighbours { ring.receive(parcel(from: s, to: rank).count, from: s) }
        let pending = ring.start(comm)
        pending.progress()
        pending.wait()
        report.expect(ring.received() == neighbours.map { parcel(from: $0, to: rank).map(Double.init) },
                      "startExchange with the ring neighbours")

        // A halo of width 2 on a line cut into blocks of 5 + rank cells
        // holding their global index; the ends have one neighbour. Two
        // exchanges in flight at once, waited for in reverse order: each
        // receive gets the data of the exchange it was started with.
        let lengths = (0..<size).map { 5 + $0 }
        let first = lengths.prefix(rank).reduce(0, +), last = first + lengths[rank]
        let halo = 2
        var exchanges: [Buffers] = []
        var pendings: [any PendingExchange] = []
        for round in 0..<2 {
            let buffers = Buffers()
            let offset = Double(1000 * round)
            if rank > 0 {
                buffers.send((first..<first + halo).map { Double($0) + offset }, to: rank - 1)
                buffers.receive(halo, from: rank - 1)
            }
            if rank < size - 1 {
                buffers.send((last - halo..<last).map { Double($0) + offset }, to: rank + 1)
                buffers.receive(halo, from: rank + 1)
            }
            exchanges.append(buffers)
            pendings.append(buffers.start(comm))
        }
        for pending in pendings.reversed() { pending.wait() }
        for (round, buffers) in exchanges.enumerated() {
            var expected: [[Double]] = []
            let offset = Double(1000 * round)
            if rank > 0 { expected.append((first - halo..<first).map { Double($0) + offset }) }
            if rank < size - 1 { expected.append((last..<last + halo).map { Double($0) + offset }) }
            report.expect(buffers.received() == expected, "halo exchange, round \(round): \(buffers.received())")
        }

        // Zero-length buffers take part like any other.
        let hollow = Buffers()
        for d in neighbours { hollow.send([], to: d) }
        for s in neighbours { hollow.receive(0, from: s) }
        hollow.start(comm).wait()
        report.expect(hollow.received().allSatisfy(\.isEmpty), "exchange of empty buffers")
    }

    static func pointToPoint(_ comm: any Communicator, _ report: inout Report) {
        let rank = comm.rank, size = comm.size
        let next = (rank + 1) % size, previous = (rank + size - 1) % size
        // Around a ring (even ranks send first so no deadlock at any size):
        // a message, an empty one, then two small ones with other tags that
        // the receiver takes in the opposite order.
        let message = (0..<(rank + 5)).map { Double(rank) + Double($0) / 8 }
        func sendAll() {
            comm.send(message, to: next, tag: 7)
            comm.send([Double](), to: next, tag: 7)
            comm.send([rank, 1], to: next, tag: 8)
            comm.send([rank, 2], to: next, tag: 9)
        }
        var incoming: [[Double]] = []
        var tagged: [[Int]] = []
        func receiveAll() {
            incoming = [comm.receive(Double.self, from: previous, tag: 7), comm.receive(Double.self, from: previous, tag: 7)]
            tagged = [comm.receive(Int.self, from: previous, tag: 9), comm.receive(Int.self, from: previous, tag: 8)]
        }
        if size == 1 || rank % 2 == 0 {
            sendAll()
            receiveAll()
        } else {
            receiveAll()
            sendAll()
        }
        report.expect(incoming == [(0..<(previous + 5)).map { Double(previous) + Double($0) / 8 }, []],
                      "ring send/receive in order per tag")
        report.expect(tagged == [[previous, 2], [previous, 1]], "receive by tag out of sending order")
    }

    static func largeMessages(_ comm: any Communicator, count: Int, _ report: inout Report) {
        let rank = comm.rank, size = comm.size
        var big = rank == 0 ? (0..<count).map(Double.init) : []
        comm.broadcast(&big, root: 0)
        report.expect(big.count == count && big.enumerated().allSatisfy { Double($0) == $1 }, "large broadcast")
        var sums = [Int](repeating: rank, count: count)
        comm.allreduce(&sums, .sum)
        report.expect(sums.allSatisfy { $0 == size * (size - 1) / 2 }, "large allreduce")
        // Everything to the next rank, nothing to the others.
        let next = (rank + 1) % size, previous = (rank + size - 1) % size
        let outgoing = (0..<size).map { d in d == next ? [Int32](repeating: Int32(rank), count: count) : [] }
        let incoming = comm.alltoallv(outgoing)
        report.expect(incoming.enumerated().allSatisfy { s, values in
            s == previous ? values.count == count && values.allSatisfy { $0 == Int32(previous) } : values.isEmpty
        }, "large alltoallv")
        let gathered = comm.allgather([UInt8](repeating: UInt8(rank % 256), count: count))
        report.expect(gathered.enumerated().allSatisfy { r, values in
            values.count == count && values.allSatisfy { $0 == UInt8(r % 256) }
        }, "large allgather")
    }

    static func splits(_ comm: any Communicator, _ report: inout Report) {
        let rank = comm.rank, size = comm.size
        // Even and odd ranks, ordered by descending old rank.
        let half = comm.split(color: rank % 2, key: -rank)
        let members = (0..<size).filter { $0 % 2 == rank % 2 }
        report.expect(half.size == members.count, "split size \(half.size)")
        report.expect(half.rank == members.reversed().firstIndex(of: rank), "split rank order")
        report.expect(half.allreduce(rank, .sum) == members.reduce(0, +), "allreduce inside a split")
        let ranksInHalf = half.allgather([rank]).flatMap { $0 }
        report.expect(ranksInHalf == members.reversed(), "allgather inside a split: \(ranksInHalf)")
        // A split of the split with equal keys: ordered by rank in the parent.
        let quarter = half.split(color: half.rank / 2, key: 0)
        let parentRanks = quarter.allgather([half.rank]).flatMap { $0 }
        report.expect(parentRanks == parentRanks.sorted() && parentRanks.contains(half.rank),
                      "split with equal keys keeps the parent order: \(parentRanks)")
        // The same world split the other way still works after the first.
        let whole = comm.split(color: 0, key: rank)
        report.expect(whole.rank == rank && whole.size == size, "split with one colour")

        // The member-group x tile layout
        if let layout = try? ParallelLayout(worldSize: size, memberGroups: size >= 2 ? 2 : 1) {
            let split = LayoutCommunicators(world: comm, layout: layout)
            report.expect(split.group.size == layout.tilesPerGroup, "group communicator size")
            report.expect(split.tileAcrossGroups.size == layout.memberGroups, "tile communicator size")
            report.expect(split.group.rank == split.tileIndex, "rank in group is the tile index")
            let groupsSeen = split.group.allgather([split.memberGroupIndex]).flatMap { $0 }
            report.expect(Set(groupsSeen).count == 1, "one member group per group communicator")
        }
    }
}
