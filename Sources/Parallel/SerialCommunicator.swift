import Foundation

/// The one-rank communicator: the same API as ``MPICommunicator`` without MPI,
/// so any module can run in a plain process (tests, serial tools).
public final class SerialCommunicator: Communicator {
    private var mailbox: [Int: [Any]] = [:]

    public init() {}

    public var rank: Int { 0 }
    public var size: Int { 1 }

    public func barrier() {}

    public func broadcast<T: CommunicableScalar>(_ values: inout [T], root: Int) {
        precondition(root == 0, "broadcast root \(root) outside a 1-rank communicator")
    }

    public func allreduce<T: CommunicableScalar & Comparable & AdditiveArithmetic>(
        _ values: inout [T], _ operation: ReductionOperation) {}

    public func gather<T: CommunicableScalar>(_ values: [T], root: Int) -> [[T]]? {
        precondition(root == 0, "gather root \(root) outside a 1-rank communicator")
        return [values]
    }

    public func allgather<T: CommunicableScalar>(_ values: [T]) -> [[T]] { [values] }

    public func alltoallv<T: CommunicableScalar>(_ outgoing: [[T]]) -> [[T]] {
        precondition(outgoing.count == 1, "alltoallv needs one outgoing array per rank")
        return outgoing
    }

    public func startExchange<T: CommunicableScalar>(sending: [(rank: Int, values: UnsafeBufferPointer<T>)],
                                                     receiving: [(rank: Int, values: UnsafeMutableBufferPointer<T>)])
        -> any PendingExchange {
        precondition(sending.allSatisfy { $0.rank == 0 } && receiving.allSatisfy { $0.rank == 0 },
                     "exchange with a rank outside a 1-rank communicator")
        precondition(sending.map(\.values.count) == receiving.map(\.values.count),
                     "exchange: what rank 0 sends itself does not fit what it receives")
        for (outgoing, incoming) in zip(sending, receiving) {
            _ = incoming.values.update(fromContentsOf: outgoing.values)
        }
        return CompletedExchange()
    }

    /// A 1-rank exchange is over when it starts.
    private final class CompletedExchange: PendingExchange {
        func progress() {}
        func wait() {}
    }

    public func send<T: CommunicableScalar>(_ values: [T], to destination: Int, tag: Int) {
        precondition(destination == 0, "send to rank \(destination) of a 1-rank communicator")
        mailbox[tag, default: []].append(values)
    }

    public func receive<T: CommunicableScalar>(_ type: T.Type, from source: Int, tag: Int) -> [T] {
        precondition(source == 0, "receive from rank \(source) of a 1-rank communicator")
        guard var queue = mailbox[tag], !queue.isEmpty, let message = queue.removeFirst() as? [T] else {
            abort("receive with tag \(tag) has no matching send of \(T.self) (a 1-rank receive would wait forever)")
        }
        mailbox[tag] = queue
        return message
    }

    public func split(color: Int, key: Int) -> any Communicator { SerialCommunicator() }

    public func abort(_ message: String) -> Never {
        FileHandle.standardError.write(Data("rcas: fatal error on rank 0 of 1: \(message)\n".utf8))
        exit(abortExitCode)
    }
}
