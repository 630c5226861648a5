import Foundation

/// N ranks as threads of one process: the same API and semantics as
/// ``MPICommunicator``, so code written for `mpirun` runs with 1, 2, 3, …
/// ranks inside a plain test process (``run(ranks:_:)``).
///
/// Matching MPI: gathers in rank order; element-wise reductions, here summed
/// in rank order (so every rank gets the same bits); `alltoallv` counts may
/// differ; `split` orders by key, then old rank; messages match by (source,
/// tag) in the order they were sent; exchanges match in the order they were
/// started. Differences a correct MPI program cannot observe: `send` copies
/// the values and returns at once (MPI may wait for the receiver), and every
/// collective waits for all ranks (MPI may let some return earlier).
///
/// A rank calling ``abort(_:)`` prints the message with its rank and ends
/// the process (exit status 1), like `MPI_Abort`. A run in which every
/// running rank waits and none can proceed ends with
/// ``ThreadRunError/deadlock(_:)`` instead of hanging; its waiting threads
/// stay parked for the life of the process.
///
/// Each communicator belongs to the thread (rank) it was made for.
public final class ThreadCommunicator: Communicator {
    private let shared: ThreadRun
    /// Which communicator of the run (0 is the world).
    private let id: Int
    public let rank: Int
    public let size: Int
    /// This rank in the run's world, for messages.
    private let worldRank: Int
    /// How many collectives this rank has called on this communicator.
    private var collectiveCount = 0
    /// Messages sent to / received from each (peer, channel) so far.
    private var sentCount: [Peer: Int] = [:]
    private var receivedCount: [Peer: Int] = [:]

    private struct Peer: Hashable {
        let rank: Int
        let channel: ThreadRun.Channel
    }

    fileprivate init(shared: ThreadRun, id: Int, rank: Int, size: Int, worldRank: Int) {
        self.shared = shared
        self.id = id
        self.rank = rank
        self.size = size
        self.worldRank = worldRank
    }

    /// Runs `body` on `ranks` threads, each with its own communicator of a
    /// fresh world, waits for all of them, and returns their results in rank
    /// order. If any rank throws, rethrows the error of the lowest rank that
    /// threw, once every rank has ended or the others can only wait for it.
    /// Threads get 16 MiB stacks.
    public static func run<Value: Sendable>(ranks: Int,
                                            _ body: @escaping @Sendable (ThreadCommunicator) throws -> Value)
        throws -> [Value] {
        precondition(ranks >= 1, "a run needs at least one rank")
        let shared = ThreadRun(worldSize: ranks)
        let outcomes = Outcomes<Value>(count: ranks)
        for r in 0..<ranks {
            let thread = Thread {
                let comm = ThreadCommunicator(shared: shared, id: 0, rank: r, size: ranks, worldRank: r)
                let outcome = Result { try body(comm) }
                shared.condition.lock()
                outcomes.values[r] = outcome
                shared.finish()
                shared.condition.unlock()
            }
            thread.name = "rank \(r) of \(ranks)"
            thread.stackSize = 16 << 20
            thread.start()
        }
        shared.condition.lock()
        while shared.running > 0 && shared.deadlock == nil { shared.condition.wait() }
        let finished = outcomes.values, deadlock = shared.deadlock
        shared.condition.unlock()
        for outcome in finished { if case .failure(let error)? = outcome { throw error } }
        if let deadlock { throw ThreadRunError.deadlock(deadlock) }
        return try finished.map { try $0!.get() }
    }

    /// The ranks' results, guarded by the run's lock.
    private final class Outcomes<Value: Sendable>: @unchecked Sendable {
        var values: [Result<Value, any Error>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
    }

    // MARK: collectives

    /// Adds this rank's `contribution` to the communicator's next collective,
    /// waits for every rank's, and returns `read` of all of them (rank
    /// order); `read` runs with the lock held and may update the slot.
    private func collective<R>(_ operation: String, _ contribution: Any,
                               read: ([Any], inout ThreadRun.CollectiveSlot) -> R) -> R {
        let key = ThreadRun.CollectiveKey(communicator: id, sequence: collectiveCount)
        collectiveCount += 1
        shared.condition.lock()
        defer { shared.condition.unlock() }
        var slot = shared.collectives[key]
            ?? ThreadRun.CollectiveSlot(operation: operation, contributions: Array(repeating: nil, count: size))
        guard slot.operation == operation else {
            abort("collective \(collectiveCount) of communicator \(id): this rank calls \(operation), "
                  + "another rank called \(slot.operation)")
        }
        slot.contributions[rank] = contribution
        slot.arrived += 1
        shared.collectives[key] = slot
        shared.changed()
        shared.wait(worldRank: worldRank, for: "\(operation) (collective \(collectiveCount) of communicator \(id))") {
            shared.collectives[key]!.arrived == size
        }
        slot = shared.collectives[key]!
        let result = read(slot.contributions.map { $0! }, &slot)
        slot.departed += 1
        shared.collectives[key] = slot.departed == size ? nil : slot
        return result
    }

    /// The contributions as arrays of `T` (every rank passes `T`: the
    /// operation name, which includes `T`, matched).
    private func arrays<T>(_ all: [Any], of _: T.Type) -> [[T]] {
        all.map { $0 as! [T] }
    }

    private func checkRoot(_ root: Int, _ operation: String) {
        guard (0..<size).contains(root) else { abort("\(operation) root \(root) outside a \(size)-rank communicator") }
    }

    public func barrier() {
        collective("barrier", ()) { _, _ in }
    }

    public func broadcast<T: CommunicableScalar>(_ values: inout [T], root: Int) {
        checkRoot(root, "broadcast")
        values = collective("broadcast of \(T.self) from \(root)", rank == root ? values : [T]()) { all, _ in
            all[root] as! [T]
        }
    }

    public func allreduce<T: CommunicableScalar & Comparable & AdditiveArithmetic>(
        _ values: inout [T], _ operation: ReductionOperation
    ) {
        let all = collective("allreduce (\(operation)) of \(T.self)", values) { all, _ in arrays(all, of: T.self) }
        guard all.allSatisfy({ $0.count == values.count }) else {
            abort("allreduce with different lengths on different ranks: \(all.map(\.count))")
        }
        var result = all[0]
        for other in all.dropFirst() {
            for k in result.indices {
                switch operation {
                case .sum: result[k] += other[k]
                case .min: result[k] = Swift.min(result[k], other[k])
                case .max: result[k] = Swift.max(result[k], other[k])
                }
            }
        }
        values = result
    }

    public func gather<T: CommunicableScalar>(_ values: [T], root: Int) -> [[T]]? {
        checkRoot(root, "gather")
        let all = collective("gather of \(T.self) at \(root)", values) { all, _ in
            rank == root ? arrays(all, of: T.self) : nil
        }
        return all
    }

    public func allgather<T: CommunicableScalar>(_ values: [T]) -> [[T]] {
        collective("allgather of \(T.self)", values) { all, _ in arrays(all, of: T.self) }
    }

    public func alltoallv<T: CommunicableScalar>(_ outgoing: [[T]]) -> [[T]] {
        guard outgoing.count == size else {
            abort("alltoallv needs \(size) outgoing arrays, got \(outgoing.count)")
        }
        return collective("alltoallv of \(T.self)", outgoing) { all, _ in
            all.map { ($0 as! [[T]])[rank] }
        }
    }

    public func split(color: Int, key: Int) -> any Communicator {
        collective("split", (color, key)) { all, slot in
            let choices = all.map { $0 as! (color: Int, key: Int) }
            let group = choices.indices.filter { choices[$0].color == color }
                .sorted { (choices[$0].key, $0) < (choices[$1].key, $1) }
            let newID: Int
            if let known = slot.splitIDs[color] {
                newID = known
            } else {
                newID = shared.newCommunicatorID()
                slot.splitIDs[color] = newID
            }
            return ThreadCommunicator(shared: shared, id: newID, rank: group.firstIndex(of: rank)!, size: group.count,
                                      worldRank: worldRank)
        }
    }

    // MARK: point to point

    private func checkPeer(_ peer: Int, _ operation: String) {
        guard (0..<size).contains(peer) else { abort("\(operation) rank \(peer) of a \(size)-rank communicator") }
    }

    /// Posts the next message to `destination` on `channel`.
    private func post(_ values: Any, to destination: Int, on channel: ThreadRun.Channel) {
        let peer = Peer(rank: destination, channel: channel)
        let sequence = sentCount[peer, default: 0]
        sentCount[peer] = sequence + 1
        let key = ThreadRun.MessageKey(communicator: id, source: rank, destination: destination, channel: channel,
                                       sequence: sequence)
        shared.condition.lock()
        shared.messages[key] = values
        shared.changed()
        shared.condition.unlock()
    }

    /// The key of the next message expected from `source` on `channel`.
    private func nextKey(from source: Int, on channel: ThreadRun.Channel) -> ThreadRun.MessageKey {
        let peer = Peer(rank: source, channel: channel)
        let sequence = receivedCount[peer, default: 0]
        receivedCount[peer] = sequence + 1
        return ThreadRun.MessageKey(communicator: id, source: source, destination: rank, channel: channel,
                                    sequence: sequence)
    }

    /// Takes the message `key`, waiting for it if `wait`; nil if it has not
    /// arrived and `wait` is false.
    private func take(_ key: ThreadRun.MessageKey, wait: Bool, what: @autoclosure () -> String) -> Any? {
        shared.condition.lock()
        defer { shared.condition.unlock() }
        if wait { shared.wait(worldRank: worldRank, for: what()) { shared.messages[key] != nil } }
        return shared.messages.removeValue(forKey: key)
    }

    public func send<T: CommunicableScalar>(_ values: [T], to destination: Int, tag: Int) {
        checkPeer(destination, "send to")
        post(values, to: destination, on: .tag(tag))
    }

    public func receive<T: CommunicableScalar>(_ type: T.Type, from source: Int, tag: Int) -> [T] {
        checkPeer(source, "receive from")
        let message = take(nextKey(from: source, on: .tag(tag)), wait: true,
                           what: "receive of \(T.self) from rank \(source) with tag \(tag) (communicator \(id))")
        guard let values = message as? [T] else {
            abort("receive of \(T.self) from rank \(source) with tag \(tag) got \(message.map { "\(Swift.type(of: $0))" } ?? "nothing")")
        }
        return values
    }

    public func startExchange<T: CommunicableScalar>(sending: [(rank: Int, values: UnsafeBufferPointer<T>)],
                                                     receiving: [(rank: Int, values: UnsafeMutableBufferPointer<T>)])
        -> any PendingExchange {
        for (source, _) in receiving { checkPeer(source, "exchange with") }
        for (destination, _) in sending { checkPeer(destination, "exchange with") }
        let expected = receiving.map { (source, buffer) in (key: nextKey(from: source, on: .exchange), buffer: buffer) }
        for (destination, buffer) in sending { post(Array(buffer), to: destination, on: .exchange) }
        return ThreadExchange(communicator: self, expected: expected)
    }

    /// An exchange in flight: the receive buffers still to fill. Waited for
    /// at the latest when released, as ``MPICommunicator``'s are.
    private final class ThreadExchange<T: CommunicableScalar>: PendingExchange {
        let communicator: ThreadCommunicator
        var expected: [(key: ThreadRun.MessageKey, buffer: UnsafeMutableBufferPointer<T>)]

        init(communicator: ThreadCommunicator,
             expected: [(key: ThreadRun.MessageKey, buffer: UnsafeMutableBufferPointer<T>)]) {
            self.communicator = communicator
            self.expected = expected
        }

        /// Fills the buffers whose data has arrived; waits for them all if `wait`.
        private func deliver(wait: Bool) {
            expected = expected.filter { key, buffer in
                guard let message = communicator.take(key, wait: wait, what: "exchange wait for rank \(key.source) "
                                                      + "(communicator \(key.communicator))") else { return true }
                guard let values = message as? [T] else {
                    communicator.abort("exchange: rank \(key.source) sent \(type(of: message)) where \(T.self) was expected")
                }
                guard values.count == buffer.count else {
                    communicator.abort("exchange: rank \(key.source) sent \(values.count) values into a buffer "
                                       + "of \(buffer.count)")
                }
                _ = buffer.update(fromContentsOf: values)
                return false
            }
        }

        func progress() { deliver(wait: false) }
        func wait() { deliver(wait: true) }
        deinit { wait() }
    }

    public func abort(_ message: String) -> Never {
        FileHandle.standardError.write(
            Data("rcas: fatal error on rank \(worldRank) of \(shared.worldSize): \(message)\n".utf8))
        exit(1)
    }
}
