import Parallel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time consumed so far by the calling thread.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// The simulated observations one rank computed: for the observations in
/// `observations` (batch indices) and the members `members`, values [obs][member].
public struct ObservationPriorPiece: Sendable, Equatable {
    public var observations: [Int]
    public var members: Range<Int>
    public var values: [Double]

    public init(observations: [Int], members: Range<Int>, values: [Double]) {
        precondition(values.count == observations.count * members.count)
        self.observations = observations
        self.members = members
        self.values = values
    }
}

/// The parallel analysis of one hour.
///
/// 1. Simulated observations are computed where the members live and
///    allgathered, so every rank holds the full prior ensemble of every
///    observation (choice documented in Docs/assimilation.md: with at most a few
///    thousand observations per hour this costs less than the NOAA EnKF's
///    per-observation broadcasts and needs no owner bookkeeping).
/// 2. Every rank runs the observation-space sweep of the serial EnSRF
///    identically (same data, same calls), updating all simulated observations.
/// 3. Each column is updated where all its members are. When every rank holds
///    all members of its columns (tiles only, the automatic layout whenever the
///    tiles are large enough), the columns are updated in place: no data move.
///    With member groups, the columns some observation reaches are transposed
///    to their owners (all members of a column on one rank, balanced by
///    nearby-observation count), updated, and sent back straight into the
///    model blocks; a column no observation reaches is left bit for bit by
///    the update, so it stays where it is.
/// Each column's update uses the same arithmetic in the same order whoever owns
/// it, so the result is bit-identical for any rank count and layout.
public struct ParallelAnalysis {
    public let filter: SerialEnSRF

    public init(filter: SerialEnSRF) { self.filter = filter }

    /// Assembles the full [obs][member] prior ensemble from every rank's piece.
    /// Aborts if any (observation, member) is missing or given twice.
    public static func gatherPriors(_ piece: ObservationPriorPiece, observationCount: Int, memberCount: Int,
                                    communicator: any Communicator) -> [Double] {
        let indices = communicator.allgather(piece.observations)
        let ranges = communicator.allgather([piece.members.lowerBound, piece.members.upperBound])
        let values = communicator.allgather(piece.values)
        var priors = [Double](repeating: 0, count: observationCount * memberCount)
        var filled = [UInt8](repeating: 0, count: observationCount * memberCount)
        for r in 0..<communicator.size {
            let members = ranges[r][0]..<ranges[r][1]
            for (o, j) in indices[r].enumerated() {
                for (mi, m) in members.enumerated() {
                    priors[j * memberCount + m] = values[r][o * members.count + mi]
                    filled[j * memberCount + m] += 1
                }
            }
        }
        if let bad = filled.firstIndex(where: { $0 != 1 }) {
            communicator.abort("simulated observation \(bad / memberCount) member \(bad % memberCount) "
                               + "was computed \(filled[bad]) times (expected once)")
        }
        return priors
    }

    /// CPU time (s) of this rank's thread in the phases of one analysis. CPU
    /// time, not wall time, so that the figures mean cost per core even on a
    /// machine shared with other work.
    public struct Timings: Sendable {
        /// Allgather of the simulated observations.
        public var gather = 0.0
        /// The observation-space sweep (identical on every rank).
        public var observationSpace = 0.0
        /// Column ownership and both transposes (none when every rank holds all members of its columns).
        public var transposes = 0.0
        /// The column updates of this rank's columns.
        public var columnUpdates = 0.0

        public init(gather: Double = 0, observationSpace: Double = 0, transposes: Double = 0, columnUpdates: Double = 0) {
            self.gather = gather
            self.observationSpace = observationSpace
            self.transposes = transposes
            self.columnUpdates = columnUpdates
        }
    }

    /// Runs the analysis collectively. `state` is this rank's model-layout
    /// block (its members, its tile's columns); `allColumns` every column of the
    /// domain. Returns the observation-space record (identical on all ranks).
    @discardableResult
    public func run(state: inout ColumnEnsemble, allColumns: [Int], observations: ObservationBatch,
                    priors piece: ObservationPriorPiece, geometry: some LocalizationGeometry,
                    communicator: any Communicator) -> ObservationSpaceUpdate {
        var timings = Timings()
        return run(state: &state, allColumns: allColumns, observations: observations, priors: piece,
                   geometry: geometry, communicator: communicator, timings: &timings)
    }

    /// `run`, also reporting the time spent in each phase on this rank.
    public func run(state: inout ColumnEnsemble, allColumns: [Int], observations: ObservationBatch,
                    priors piece: ObservationPriorPiece, geometry: some LocalizationGeometry,
                    communicator: any Communicator, timings: inout Timings) -> ObservationSpaceUpdate {
        var mark = threadCPUSeconds()
        func lap() -> Double {
            let now = threadCPUSeconds()
            defer { mark = now }
            return now - mark
        }
        let n = filter.memberCount
        let priors = Self.gatherPriors(piece, observationCount: observations.count, memberCount: n,
                                       communicator: communicator)
        timings.gather = lap()
        let update = filter.assimilateObservationSpace(observations, priors: priors, geometry: geometry)
        timings.observationSpace = lap()
        let holdsAllMembers = state.members == 0..<n ? 1 : 0
        if communicator.allgather([holdsAllMembers]).allSatisfy({ $0 == [1] }) {
            // The model layout already is an analysis layout (all members of
            // each column on one rank): a transpose would only move columns.
            timings.transposes = lap()
            filter.updateColumns(&state, observations: observations, update: update, geometry: geometry)
            timings.columnUpdates = lap()
            return update
        }
        let costs = ColumnOwnership.costs(columns: allColumns, observationCount: observations.count,
                                          reach: filter.configuration.reach, geometry: geometry)
        // Cost 1 is the column alone: no observation within reach.
        let reached = zip(allColumns, costs).filter { $0.1 > 1 }
        let owned = ColumnOwnership.balanced(columns: reached.map(\.0), costs: reached.map(\.1),
                                             rankCount: communicator.size)
        let isReached = Set(reached.map(\.0))
        let transpose = ColumnTranspose(communicator: communicator, localColumns: state.columns.filter(isReached.contains),
                                        localMembers: state.members, ownedColumns: owned,
                                        variableCount: state.variableCount, memberCount: n)
        var columns = transpose.toOwners(state)
        timings.transposes = lap()
        filter.updateColumns(&columns, observations: observations, update: update, geometry: geometry)
        timings.columnUpdates = lap()
        transpose.toMembers(columns, into: &state)
        timings.transposes += lap()
        return update
    }
}
