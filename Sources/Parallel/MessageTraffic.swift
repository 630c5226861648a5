import Synchronization

/// Bytes this process has sent to other ranks through `MPICommunicator`, by
/// kind of operation: the logical volume (what leaves the rank, counted once
/// per destination), not what a particular MPI algorithm puts on the wire.
/// Benchmarks read it before and after a phase (`rcas bench cycle`,
/// Docs/scaling-model.md); oversubscribed runs count correctly.
public enum MessageTraffic {
    public enum Kind: String, CaseIterable, Sendable {
        /// Point-to-point exchanges of neighbouring tiles' halos.
        case halo
        /// `alltoallv` (the analysis transposes).
        case alltoallv
        /// `gather` and `allgather` (records, simulated observations, statistics).
        case gathers
        /// `broadcast` and `allreduce`.
        case broadcastsAndReductions
        /// `send` (checkpoint and other point-to-point messages).
        case pointToPoint
    }

    private static let counts = Mutex([Kind: Int]())

    static func add(_ kind: Kind, bytes: Int) {
        guard bytes > 0 else { return }
        counts.withLock { $0[kind, default: 0] += bytes }
    }

    /// Bytes sent so far, by kind (every kind present).
    public static var sent: [Kind: Int] {
        counts.withLock { counts in Dictionary(uniqueKeysWithValues: Kind.allCases.map { ($0, counts[$0] ?? 0) }) }
    }
}
