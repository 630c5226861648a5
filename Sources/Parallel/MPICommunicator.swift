import CMPI
import Foundation

/// Starts and stops the MPI library for the process.
public enum MPIRuntime {
    nonisolated(unsafe) private static var world: MPICommunicator?

    /// Initialises MPI once and returns the world communicator. Errors are set
    /// to return codes so that every call is checked and a failure aborts with
    /// a message naming the rank instead of hanging.
    public static func start() -> MPICommunicator {
        if let world { return world }
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            let status = MPI_Init(nil, nil)
            if status != rcas_mpi_success() {
                FileHandle.standardError.write(Data("rcas: MPI_Init failed (code \(status))\n".utf8))
                exit(abortExitCode)
            }
        }
        MPI_Comm_set_errhandler(rcas_mpi_comm_world(), rcas_mpi_errors_return())
        let communicator = MPICommunicator(handle: rcas_mpi_comm_world(), owned: false)
        world = communicator
        return communicator
    }

    /// Finalises MPI if it was started. Call once, at the end of the process.
    public static func finish() {
        guard world != nil else { return }
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 { MPI_Finalize() }
        world = nil
    }

    /// Ends every rank of the job with exit status `code` (MPI_Abort; mpirun
    /// exits with the same code), or this process alone when MPI was not started.
    public static func abort(code: Int32) -> Never {
        if world != nil { MPI_Abort(rcas_mpi_comm_world(), code) }
        exit(code)
    }

    /// True when this process was started by an MPI launcher (mpirun, srun with
    /// PMI), as opposed to a plain singleton process.
    public static var launchedByMPI: Bool {
        let environment = ProcessInfo.processInfo.environment
        return environment["OMPI_COMM_WORLD_SIZE"] != nil || environment["PMI_SIZE"] != nil
            || environment["PMIX_RANK"] != nil
    }
}

/// A communicator backed by Open MPI.
///
/// Every MPI return code is checked; a failure aborts the job (all ranks) with
/// a message naming the rank and the MPI call. Arrays longer than
/// `messageLimit` elements are moved as several messages, so no count or
/// displacement passed to MPI ever exceeds the 32-bit range.
public final class MPICommunicator: Communicator {
    let handle: MPI_Comm
    private let owned: Bool
    /// Largest number of elements in one MPI message (default `Int32.max`).
    public let messageLimit: Int
    public let rank: Int
    public let size: Int

    private static let chunkTag: Int32 = 32_001
    private static let exchangeTag: Int32 = 32_002

    init(handle: MPI_Comm, owned: Bool, messageLimit: Int = Int(Int32.max)) {
        self.handle = handle
        self.owned = owned
        self.messageLimit = messageLimit
        var r: Int32 = 0
        var s: Int32 = 0
        MPI_Comm_rank(handle, &r)
        MPI_Comm_size(handle, &s)
        rank = Int(r)
        size = Int(s)
    }

    /// The same communicator with a smaller message limit; lets tests exercise
    /// the multi-message paths without allocating 2^31 elements.
    public func withMessageLimit(_ limit: Int) -> MPICommunicator {
        precondition(limit >= 1 && limit <= Int(Int32.max))
        return MPICommunicator(handle: handle, owned: false, messageLimit: limit)
    }

    deinit {
        guard owned else { return }
        var finalized: Int32 = 0
        MPI_Finalized(&finalized)
        if finalized == 0 {
            var comm: MPI_Comm? = handle
            MPI_Comm_free(&comm)
        }
    }

    // MARK: error handling

    fileprivate func check(_ status: Int32, _ call: @autoclosure () -> String) {
        guard status != rcas_mpi_success() else { return }
        var length: Int32 = 0
        var text = [CChar](repeating: 0, count: Int(rcas_mpi_max_error_string()) + 1)
        MPI_Error_string(status, &text, &length)
        let reason = String(decoding: text.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        abort("\(call()) failed: \(reason)")
    }

    public func abort(_ message: String) -> Never {
        var worldRank: Int32 = 0
        var worldSize: Int32 = 0
        MPI_Comm_rank(rcas_mpi_comm_world(), &worldRank)
        MPI_Comm_size(rcas_mpi_comm_world(), &worldSize)
        FileHandle.standardError.write(
            Data("rcas: fatal error on rank \(worldRank) of \(worldSize): \(message)\n".utf8))
        MPI_Abort(rcas_mpi_comm_world(), abortExitCode)
        exit(abortExitCode)
    }

    private static func datatype(_ kind: ScalarKind) -> MPI_Datatype {
        switch kind {
        case .double: rcas_mpi_double()
        case .float: rcas_mpi_float()
        case .int64: rcas_mpi_int64()
        case .int32: rcas_mpi_int32()
        case .uint8: rcas_mpi_uint8()
        }
    }

    private static func op(_ operation: ReductionOperation) -> MPI_Op {
        switch operation {
        case .sum: rcas_mpi_sum()
        case .min: rcas_mpi_min()
        case .max: rcas_mpi_max()
        }
    }

    /// Start offsets and lengths of the messages that carry `count` elements.
    private func chunks(_ count: Int) -> [(offset: Int, length: Int)] {
        stride(from: 0, to: count, by: messageLimit).map { ($0, min(messageLimit, count - $0)) }
    }

    // MARK: collectives

    public func barrier() {
        check(MPI_Barrier(handle), "MPI_Barrier")
    }

    public func broadcast<T: CommunicableScalar>(_ values: inout [T], root: Int) {
        if rank == root { MessageTraffic.add(.broadcastsAndReductions, bytes: values.count * MemoryLayout<T>.stride * (size - 1)) }
        broadcastValues(&values, root: root)
    }

    private func broadcastValues<T: CommunicableScalar>(_ values: inout [T], root: Int) {
        var count = rank == root ? values.count : 0
        withUnsafeMutablePointer(to: &count) { pointer in
            check(MPI_Bcast(pointer, 1, rcas_mpi_int64(), Int32(root), handle), "MPI_Bcast (length)")
        }
        if rank != root { values = Self.zeroed(T.self, count: count) }
        let type = Self.datatype(T.scalarKind)
        values.withUnsafeMutableBufferPointer { buffer in
            for (offset, length) in chunks(count) {
                check(MPI_Bcast(buffer.baseAddress! + offset, Int32(length), type, Int32(root), handle),
                      "MPI_Bcast of \(length) \(T.self)")
            }
        }
    }

    public func allreduce<T: CommunicableScalar & Comparable & AdditiveArithmetic>(
        _ values: inout [T], _ operation: ReductionOperation
    ) {
        MessageTraffic.add(.broadcastsAndReductions, bytes: values.count * MemoryLayout<T>.stride * (size - 1))
        let type = Self.datatype(T.scalarKind)
        values.withUnsafeMutableBufferPointer { buffer in
            for (offset, length) in chunks(buffer.count) {
                check(MPI_Allreduce(rcas_mpi_in_place(), buffer.baseAddress! + offset, Int32(length),
                                    type, Self.op(operation), handle),
                      "MPI_Allreduce of \(length) \(T.self)")
            }
        }
    }

    /// Every rank's element count, on every rank.
    private func allCounts(_ count: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: size)
        var mine = count
        counts.withUnsafeMutableBufferPointer { buffer in
            check(MPI_Allgather(&mine, 1, rcas_mpi_int64(), buffer.baseAddress, 1, rcas_mpi_int64(), handle),
                  "MPI_Allgather (counts)")
        }
        return counts
    }

    /// True when counts and their displacements fit one 32-bit MPI call.
    private func fitsOneCall(_ counts: [Int]) -> Bool {
        counts.reduce(0, +) <= messageLimit
    }

    private static func displacements(_ counts: [Int]) -> [Int32] {
        var offsets = [Int32](repeating: 0, count: counts.count)
        var running = 0
        for (r, c) in counts.enumerated() {
            offsets[r] = Int32(running)
            running += c
        }
        return offsets
    }

    private static func split<T: CommunicableScalar>(_ flat: [T], counts: [Int]) -> [[T]] {
        var parts: [[T]] = []
        parts.reserveCapacity(counts.count)
        var start = 0
        flat.withUnsafeBufferPointer { flat in
            for c in counts {
                parts.append(buffer(T.self, count: c) { $0.copyMemory(from: flat.baseAddress! + start, byteCount: c * MemoryLayout<T>.stride) })
                start += c
            }
        }
        return parts
    }

    /// `count` values of `T` made by `fill` from raw memory. The scalars are
    /// trivial types, so bytes are copied in bulk: called through `any
    /// Communicator`, these generic functions are not specialised, and an
    /// element-wise copy or fill would go through the type's value witnesses
    /// one element at a time (a tenth of a checkpoint's time in `perf`).
    private static func buffer<T: CommunicableScalar>(_: T.Type, count: Int,
                                                      _ fill: (UnsafeMutableRawPointer) -> Void) -> [T] {
        [T](unsafeUninitializedCapacity: count) { values, initialised in
            if count > 0 { fill(UnsafeMutableRawPointer(values.baseAddress!)) }
            initialised = count
        }
    }

    /// `count` zero-filled values of `T`, to receive into.
    private static func zeroed<T: CommunicableScalar>(_: T.Type, count: Int) -> [T] {
        buffer(T.self, count: count) { $0.initializeMemory(as: UInt8.self, repeating: 0, count: count * MemoryLayout<T>.stride) }
    }

    public func gather<T: CommunicableScalar>(_ values: [T], root: Int) -> [[T]]? {
        if rank != root { MessageTraffic.add(.gathers, bytes: values.count * MemoryLayout<T>.stride) }
        // Alone, the root already holds everything: no copies of large fields.
        if size == 1 { return [values] }
        let counts = allCounts(values.count)
        let type = Self.datatype(T.scalarKind)
        if fitsOneCall(counts) {
            var flat = Self.zeroed(T.self, count: rank == root ? counts.reduce(0, +) : 0)
            let recvCounts = counts.map { Int32($0) }
            let displs = Self.displacements(counts)
            values.withUnsafeBufferPointer { send in
                flat.withUnsafeMutableBufferPointer { receive in
                    check(MPI_Gatherv(send.baseAddress, Int32(send.count), type, receive.baseAddress,
                                      recvCounts, displs, type, Int32(root), handle),
                          "MPI_Gatherv of \(T.self)")
                }
            }
            return rank == root ? Self.split(flat, counts: counts) : nil
        }
        if rank != root {
            sendChunks(values, to: root, tag: Self.chunkTag)
            return nil
        }
        return (0..<size).map { r in
            r == rank ? values : receiveChunks(T.self, count: counts[r], from: r, tag: Self.chunkTag)
        }
    }

    public func allgather<T: CommunicableScalar>(_ values: [T]) -> [[T]] {
        MessageTraffic.add(.gathers, bytes: values.count * MemoryLayout<T>.stride * (size - 1))
        if size == 1 { return [values] }
        let counts = allCounts(values.count)
        if fitsOneCall(counts) {
            let type = Self.datatype(T.scalarKind)
            var flat = Self.zeroed(T.self, count: counts.reduce(0, +))
            let recvCounts = counts.map { Int32($0) }
            let displs = Self.displacements(counts)
            values.withUnsafeBufferPointer { send in
                flat.withUnsafeMutableBufferPointer { receive in
                    check(MPI_Allgatherv(send.baseAddress, Int32(send.count), type, receive.baseAddress,
                                         recvCounts, displs, type, handle),
                          "MPI_Allgatherv of \(T.self)")
                }
            }
            return Self.split(flat, counts: counts)
        }
        return (0..<size).map { r in
            var part = r == rank ? values : []
            broadcastValues(&part, root: r)
            return part
        }
    }

    public func alltoallv<T: CommunicableScalar>(_ outgoing: [[T]]) -> [[T]] {
        guard outgoing.count == size else {
            abort("alltoallv needs \(size) outgoing arrays, got \(outgoing.count)")
        }
        MessageTraffic.add(.alltoallv, bytes: outgoing.enumerated().reduce(0) { sum, part in
            sum + (part.offset == rank ? 0 : part.element.count * MemoryLayout<T>.stride)
        })
        var sendCounts = outgoing.map(\.count)
        var recvCounts = [Int](repeating: 0, count: size)
        sendCounts.withUnsafeMutableBufferPointer { send in
            recvCounts.withUnsafeMutableBufferPointer { receive in
                check(MPI_Alltoall(send.baseAddress, 1, rcas_mpi_int64(), receive.baseAddress, 1,
                                   rcas_mpi_int64(), handle), "MPI_Alltoall (counts)")
            }
        }
        if fitsOneCall(sendCounts) && fitsOneCall(recvCounts) {
            let type = Self.datatype(T.scalarKind)
            let sendFlat = outgoing.flatMap { $0 }
            var recvFlat = Self.zeroed(T.self, count: recvCounts.reduce(0, +))
            let sc = sendCounts.map { Int32($0) }
            let rc = recvCounts.map { Int32($0) }
            let sd = Self.displacements(sendCounts)
            let rd = Self.displacements(recvCounts)
            sendFlat.withUnsafeBufferPointer { send in
                recvFlat.withUnsafeMutableBufferPointer { receive in
                    check(MPI_Alltoallv(send.baseAddress, sc, sd, type, receive.baseAddress, rc, rd, type, handle),
                          "MPI_Alltoallv of \(T.self)")
                }
            }
            return Self.split(recvFlat, counts: recvCounts)
        }
        return exchangeInChunks(outgoing, recvCounts: recvCounts)
    }

    public func startExchange<T: CommunicableScalar>(sending: [(rank: Int, values: UnsafeBufferPointer<T>)],
                                                     receiving: [(rank: Int, values: UnsafeMutableBufferPointer<T>)])
        -> any PendingExchange {
        MessageTraffic.add(.halo, bytes: sending.reduce(0) { $0 + ($1.rank == rank ? 0 : $1.values.count * MemoryLayout<T>.stride) })
        let type = Self.datatype(T.scalarKind)
        var requests: [MPI_Request?] = []
        for (source, buffer) in receiving {
            for (offset, length) in chunks(buffer.count) {
                var request: MPI_Request?
                check(MPI_Irecv(buffer.baseAddress! + offset, Int32(length), type, Int32(source), Self.exchangeTag,
                                handle, &request), "MPI_Irecv from rank \(source)")
                requests.append(request)
            }
        }
        for (destination, buffer) in sending {
            for (offset, length) in chunks(buffer.count) {
                var request: MPI_Request?
                check(MPI_Isend(buffer.baseAddress! + offset, Int32(length), type,
                                Int32(destination), Self.exchangeTag, handle, &request), "MPI_Isend to rank \(destination)")
                requests.append(request)
            }
        }
        return MPIPendingExchange(communicator: self, requests: requests)
    }

    /// The requests of one ``startExchange(sending:receiving:)``; waited for
    /// at the latest when released, so no transfer outlives its buffers'
    /// owner by accident.
    private final class MPIPendingExchange: PendingExchange {
        let communicator: MPICommunicator
        var requests: [MPI_Request?]
        var done = false

        init(communicator: MPICommunicator, requests: [MPI_Request?]) {
            self.communicator = communicator
            self.requests = requests
        }

        func progress() {
            guard !done else { return }
            var flag: Int32 = 0
            communicator.check(MPI_Testall(Int32(requests.count), &requests, &flag, nil), "MPI_Testall (exchange)")
            done = flag != 0
        }

        func wait() {
            guard !done else { return }
            communicator.check(MPI_Waitall(Int32(requests.count), &requests, nil), "MPI_Waitall (exchange)")
            done = true
        }

        deinit { wait() }
    }

    /// Pairwise exchange for all-to-all volumes beyond one 32-bit call: all
    /// receives are posted first, then all sends, then everything is awaited.
    private func exchangeInChunks<T: CommunicableScalar>(_ outgoing: [[T]], recvCounts: [Int]) -> [[T]] {
        let type = Self.datatype(T.scalarKind)
        var incoming = recvCounts.map { Self.zeroed(T.self, count: $0) }
        var requests: [MPI_Request?] = []
        for r in 0..<size {
            incoming[r].withUnsafeMutableBufferPointer { buffer in
                for (offset, length) in chunks(buffer.count) {
                    var request: MPI_Request?
                    check(MPI_Irecv(buffer.baseAddress! + offset, Int32(length), type, Int32(r), Self.chunkTag,
                                    handle, &request), "MPI_Irecv from rank \(r)")
                    requests.append(request)
                }
            }
        }
        for r in 0..<size {
            outgoing[r].withUnsafeBufferPointer { buffer in
                for (offset, length) in chunks(buffer.count) {
                    var request: MPI_Request?
                    check(MPI_Isend(buffer.baseAddress! + offset, Int32(length), type, Int32(r), Self.chunkTag,
                                    handle, &request), "MPI_Isend to rank \(r)")
                    requests.append(request)
                }
            }
        }
        // The buffers above stay alive (owned by `outgoing` and `incoming`) until
        // every request has completed here.
        check(MPI_Waitall(Int32(requests.count), &requests, nil), "MPI_Waitall")
        return incoming
    }

    // MARK: point to point

    private func sendChunks<T: CommunicableScalar>(_ values: [T], to destination: Int, tag: Int32) {
        let type = Self.datatype(T.scalarKind)
        values.withUnsafeBufferPointer { buffer in
            for (offset, length) in chunks(buffer.count) {
                check(MPI_Send(buffer.baseAddress! + offset, Int32(length), type, Int32(destination), tag, handle),
                      "MPI_Send of \(length) \(T.self) to rank \(destination)")
            }
        }
    }

    private func receiveChunks<T: CommunicableScalar>(_: T.Type, count: Int, from source: Int, tag: Int32) -> [T] {
        let type = Self.datatype(T.scalarKind)
        var values = Self.zeroed(T.self, count: count)
        values.withUnsafeMutableBufferPointer { buffer in
            for (offset, length) in chunks(count) {
                check(MPI_Recv(buffer.baseAddress! + offset, Int32(length), type, Int32(source), tag, handle,
                               rcas_mpi_status_ignore()),
                      "MPI_Recv of \(length) \(T.self) from rank \(source)")
            }
        }
        return values
    }

    public func send<T: CommunicableScalar>(_ values: [T], to destination: Int, tag: Int) {
        MessageTraffic.add(.pointToPoint, bytes: values.count * MemoryLayout<T>.stride)
        var count = values.count
        check(MPI_Send(&count, 1, rcas_mpi_int64(), Int32(destination), Int32(tag), handle),
              "MPI_Send (length) to rank \(destination)")
        sendChunks(values, to: destination, tag: Int32(tag))
    }

    public func receive<T: CommunicableScalar>(_ type: T.Type, from source: Int, tag: Int) -> [T] {
        var count = 0
        check(MPI_Recv(&count, 1, rcas_mpi_int64(), Int32(source), Int32(tag), handle, rcas_mpi_status_ignore()),
              "MPI_Recv (length) from rank \(source)")
        return receiveChunks(T.self, count: count, from: source, tag: Int32(tag))
    }

    public func split(color: Int, key: Int) -> any Communicator {
        var newHandle: MPI_Comm?
        check(MPI_Comm_split(handle, Int32(color), Int32(key), &newHandle), "MPI_Comm_split")
        return MPICommunicator(handle: newHandle!, owned: true, messageLimit: messageLimit)
    }
}
