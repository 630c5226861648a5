import Foundation

/// Why ``ThreadCommunicator/run(ranks:_:)`` ended without results when no
/// rank threw.
public enum ThreadRunError: Error, CustomStringConvertible {
    /// Every rank still running waits for something only a finished or
    /// waiting rank could provide (a collective some rank never joins, a
    /// receive without a send). The text names each waiting rank and its call.
    case deadlock(String)

    public var description: String {
        switch self {
        case .deadlock(let waits): "deadlock: every running rank waits and none can proceed: \(waits)"
        }
    }
}

/// What the ranks of one ``ThreadCommunicator/run(ranks:_:)`` share: the
/// messages and collective contributions in flight, for every communicator
/// split from the run's world. One lock guards all of it, so a rank that
/// waits can tell when no rank can ever wake it (a deadlock).
final class ThreadRun: @unchecked Sendable {
    /// Guards every stored property below; waiting ranks sleep on it.
    let condition = NSCondition()
    /// Ranks of the run's world.
    let worldSize: Int

    /// A collective call of one communicator, by its position in that
    /// communicator's sequence of collectives.
    struct CollectiveKey: Hashable {
        let communicator: Int
        let sequence: Int
    }

    /// The contributions to one collective call.
    struct CollectiveSlot {
        /// The call's name and element type, to catch ranks calling different collectives.
        let operation: String
        var contributions: [Any?]
        var arrived = 0
        var departed = 0
        /// The communicator id given to each colour of a split.
        var splitIDs: [Int: Int] = [:]
    }

    /// Point-to-point traffic is kept apart from exchanges as MPI keeps
    /// separate tags apart.
    enum Channel: Hashable {
        case tag(Int)
        case exchange
    }

    /// One message: the n-th from `source` to `destination` on `channel`.
    struct MessageKey: Hashable {
        let communicator: Int
        let source: Int
        let destination: Int
        let channel: Channel
        let sequence: Int
    }

    var collectives: [CollectiveKey: CollectiveSlot] = [:]
    var messages: [MessageKey: Any] = [:]
    var nextCommunicatorID = 1
    /// Ranks whose body has not returned or thrown.
    var running: Int
    /// Bumped on every change a waiting rank may be waiting for.
    var version = 0
    /// Running ranks that found nothing to do at `version`.
    var stuckAtVersion = 0
    /// What each waiting rank (by world rank) waits for.
    var waits: [Int: String] = [:]
    /// Set once no waiting rank can proceed; they never return.
    var deadlock: String?

    init(worldSize: Int) {
        self.worldSize = worldSize
        running = worldSize
    }

    /// Records a change waiting ranks may be waiting for (lock held).
    func changed() {
        version += 1
        stuckAtVersion = 0
        condition.broadcast()
    }

    /// Waits, with the lock held, until `ready()`. A rank that finds itself
    /// the last running rank with nothing to do declares a deadlock; ranks
    /// caught in it never return to their callers (they stay parked).
    func wait(worldRank: Int, for what: @autoclosure () -> String, until ready: () -> Bool) {
        while !ready() {
            if deadlock != nil { park() }
            stuckAtVersion += 1
            waits[worldRank] = what()
            if stuckAtVersion == running {
                deadlock = waits.keys.sorted().map { "rank \($0) in \(waits[$0]!)" }.joined(separator: "; ")
                condition.broadcast()
                park()
            }
            let seen = version
            while version == seen && deadlock == nil { condition.wait() }
        }
        waits[worldRank] = nil
    }

    /// Releases the lock and blocks this thread for the rest of the process.
    private func park() -> Never {
        condition.unlock()
        let never = DispatchSemaphore(value: 0)
        while true { never.wait() }
    }

    /// A rank's body has ended (lock held).
    func finish() {
        running -= 1
        changed()
    }

    /// A fresh communicator id (lock held).
    func newCommunicatorID() -> Int {
        defer { nextCommunicatorID += 1 }
        return nextCommunicatorID
    }
}
