/// Element types that can travel between ranks. Each maps to one MPI
/// datatype; each is a trivial type whose all-zero bytes are its zero (the
/// communicators copy and clear them as raw memory).
public protocol CommunicableScalar: Sendable, BitwiseCopyable {
    /// Which MPI datatype carries this type.
    static var scalarKind: ScalarKind { get }
}

/// The fixed-size scalar types the communicators know how to send.
public enum ScalarKind: Sendable {
    case double, float, int64, int32, uint8
}

extension Double: CommunicableScalar {
    public static var scalarKind: ScalarKind { .double }
}
extension Float: CommunicableScalar {
    public static var scalarKind: ScalarKind { .float }
}
extension Int: CommunicableScalar {
    public static var scalarKind: ScalarKind { .int64 }
}
extension Int32: CommunicableScalar {
    public static var scalarKind: ScalarKind { .int32 }
}
extension UInt8: CommunicableScalar {
    public static var scalarKind: ScalarKind { .uint8 }
}

/// Element-wise reductions. Results are independent of rank count only for
/// `min` and `max`; a `sum` of floating-point values over a different number of
/// ranks may differ in the last bit, so code that must be rank-count-independent
/// gathers values and sums them in a fixed order instead.
public enum ReductionOperation: Sendable {
    case sum, min, max
}

/// A group of processes that exchange data: the MPI world, a split of it, or the
/// serial stand-in. Every module except `Parallel` sees only this protocol, so
/// the same code runs under `mpirun` and in a plain test process.
///
/// All sizes are `Int` (64-bit). Messages above the MPI 32-bit count limit are
/// split into several messages by the implementation.
///
/// Collective calls must be made by every rank of the communicator in the same
/// order. A failure inside a call aborts the whole job with a message naming
/// the rank; no call returns an error.
public protocol Communicator: AnyObject {
    /// This process's rank, 0..<size.
    var rank: Int { get }
    /// Number of ranks.
    var size: Int { get }

    /// Blocks until every rank has reached the barrier.
    func barrier()

    /// Replaces `values` on every rank with the root's `values`. The array on
    /// non-root ranks is resized to the root's length.
    func broadcast<T: CommunicableScalar>(_ values: inout [T], root: Int)

    /// Element-wise reduction over all ranks, result on every rank. Every rank
    /// must pass the same number of elements.
    func allreduce<T: CommunicableScalar & Comparable & AdditiveArithmetic>(
        _ values: inout [T], _ operation: ReductionOperation)

    /// Collects each rank's `values` (lengths may differ: gatherv) at `root`,
    /// in rank order. Returns nil on the other ranks.
    func gather<T: CommunicableScalar>(_ values: [T], root: Int) -> [[T]]?

    /// Collects each rank's `values` (lengths may differ: allgatherv) on every
    /// rank, in rank order.
    func allgather<T: CommunicableScalar>(_ values: [T]) -> [[T]]

    /// Personalised all-to-all: `outgoing[r]` goes to rank r; the result's
    /// element r is what rank r sent to this rank. Counts may differ.
    func alltoallv<T: CommunicableScalar>(_ outgoing: [[T]]) -> [[T]]

    /// Starts a neighbour exchange into buffers the caller owns and returns at
    /// once, for exchanges repeated every step (halos), where `alltoallv`'s
    /// counts round and fresh arrays would cost more than the data: each
    /// `sending` buffer goes to its rank, each `receiving` buffer is filled
    /// from its rank. Both sides must agree on every pair's length; ranks not
    /// listed take no part. The buffers must stay valid, and the sending ones
    /// unchanged, until the returned exchange's `wait()` has returned.
    func startExchange<T: CommunicableScalar>(sending: [(rank: Int, values: UnsafeBufferPointer<T>)],
                                              receiving: [(rank: Int, values: UnsafeMutableBufferPointer<T>)])
        -> any PendingExchange

    /// Sends `values` to `destination` (blocking until the buffer may be reused).
    func send<T: CommunicableScalar>(_ values: [T], to destination: Int, tag: Int)

    /// Receives the message that `source` sent with `tag`; its length travels
    /// with it.
    func receive<T: CommunicableScalar>(_ type: T.Type, from source: Int, tag: Int) -> [T]

    /// Splits into sub-communicators: ranks with the same `color` form one,
    /// ordered by `key` (ties by old rank).
    func split(color: Int, key: Int) -> any Communicator

    /// Stops the whole job (every rank) after printing `message` with this
    /// rank's number to standard error, with exit status ``abortExitCode``.
    /// Never returns and never hangs.
    func abort(_ message: String) -> Never
}

/// Exit status of a job stopped by ``Communicator/abort(_:)``: an MPI or
/// internal failure (70, EX_SOFTWARE of sysexits.h; Docs/user-guide.md lists
/// every exit code).
public let abortExitCode: Int32 = 70

/// A neighbour exchange in flight (``Communicator/startExchange(sending:receiving:)``).
public protocol PendingExchange: AnyObject {
    /// Lets the transfer advance without waiting: MPI moves large messages
    /// only inside its calls, so work that overlaps an exchange calls this
    /// now and then.
    func progress()
    /// Returns when every buffer has been sent and received.
    func wait()
}

extension Communicator {
    /// Reduction of one value over all ranks.
    public func allreduce<T: CommunicableScalar & Comparable & AdditiveArithmetic>(
        _ value: T, _ operation: ReductionOperation
    ) -> T {
        var buffer = [value]
        allreduce(&buffer, operation)
        return buffer[0]
    }

    /// Broadcast of one value from `root`.
    public func broadcast<T: CommunicableScalar>(_ value: T, root: Int) -> T {
        var buffer = [value]
        broadcast(&buffer, root: root)
        return buffer[0]
    }

    /// Runs `body`; if it throws, the error aborts the job with a message that
    /// names this rank. For work where a failure on one rank would otherwise
    /// leave the others waiting in a collective forever.
    public func abortOnError<R>(_ body: () throws -> R) -> R {
        do {
            return try body()
        } catch {
            abort(String(describing: error))
        }
    }

    /// Broadcasts a UTF-8 string from `root`.
    public func broadcast(_ text: String, root: Int) -> String {
        var bytes = Array(text.utf8)
        broadcast(&bytes, root: root)
        return String(decoding: bytes, as: UTF8.self)
    }
}
