/// What a flux generator needs to make the ensemble of one new flux hour on
/// one rank's grid columns.
public struct FluxForecastRequest {
    /// The model hour (hours since 1970-01-01 00 UTC) of the new flux hour.
    public let hour: Int
    /// Global cell indices (j * nx + i) of the columns, ascending.
    public let cells: [Int]
    /// E^p of each state component, [component][column].
    public let prior: [[Double]]
    /// The ensemble size N.
    public let memberCount: Int
    /// The members whose values are returned (this rank's block).
    public let members: Range<Int>
    /// Lowest-layer forecast concentrations C^f of every member,
    /// [column × N + member] (members fastest), when the generator asks for them.
    public let lowestLayer: [Double]?
    /// An earlier flux hour's final analysis and prior means, or nil when that
    /// hour is unknown (before the run, or not kept).
    public let past: (_ hour: Int) -> PastFluxHour?

    public init(hour: Int, cells: [Int], prior: [[Double]], memberCount: Int, members: Range<Int>,
                lowestLayer: [Double]?, past: @escaping (_ hour: Int) -> PastFluxHour?) {
        self.hour = hour
        self.cells = cells
        self.prior = prior
        self.memberCount = memberCount
        self.members = members
        self.lowestLayer = lowestLayer
        self.past = past
    }
}

/// The ensemble of one new flux hour.
public struct FluxEnsembleForecast {
    /// E^f of the requested members, [component][column × held + (member −
    /// members.lowerBound)]: members fastest, as the ensemble block stores them.
    public var packedMembers: [[Double]]
    /// The number of requested (held) members per column.
    public let heldCount: Int
    /// Spread (N − 1) of the prior ensemble E^p_i before its mean is moved,
    /// [component][column], for the outputs.
    public var priorSpread: [[Double]]
    /// Mean and spread (N − 1) of all N members of E^f (every rank computes
    /// every member of its columns, so no rank needs the others'), [component][column].
    public var forecastMean: [[Double]]
    public var forecastSpread: [[Double]]

    public init(packedMembers: [[Double]], heldCount: Int, priorSpread: [[Double]], forecastMean: [[Double]],
                forecastSpread: [[Double]]) {
        self.packedMembers = packedMembers
        self.heldCount = heldCount
        self.priorSpread = priorSpread
        self.forecastMean = forecastMean
        self.forecastSpread = forecastSpread
    }

    /// E^f of the requested members, [component][column][member − members.lowerBound].
    public var members: [[[Double]]] {
        packedMembers.map { packed in
            stride(from: 0, to: packed.count, by: max(1, heldCount)).map { Array(packed[$0..<($0 + heldCount)]) }
        }
    }
}

/// Makes the flux ensemble of each new hour entering the smoothing window:
/// the only place flux perturbation formulas live (Kou2023 Eq. 1, Jiang2021
/// Eq. 1-5). The cycling engine asks for one hour at a time and stores what
/// it is given.
public protocol FluxEnsembleGenerator: AnyObject {
    /// True when the request must carry the lowest-layer concentrations.
    var needsLowestLayer: Bool { get }
    /// How far back (hours) the generator reads past flux hours; the engine
    /// keeps those, and no older ones.
    var memoryHours: Int { get }
    /// The ensemble of `request.hour` for `request.members`. Every member's
    /// value is a pure function of the request's inputs and keyed random
    /// numbers, so it does not depend on which rank asks.
    func forecast(_ request: FluxForecastRequest) -> FluxEnsembleForecast
}

/// Sample mean and standard deviation (N − 1), summed in index order so the
/// result does not depend on how members were distributed. Inlinable so that
/// callers in other modules get it specialised (the generic call cost ~10 %
/// of a cycle in `rcas bench cycle`).
@inlinable
public func meanAndSpread(_ values: some Collection<Double>) -> (mean: Double, spread: Double) {
    let n = Double(values.count)
    let mean = ensembleMean(values)
    guard values.count > 1 else { return (mean, 0) }
    var squares = 0.0
    for v in values { squares += (v - mean) * (v - mean) }
    return (mean, (squares / (n - 1)).squareRoot())
}

/// The mean of ``meanAndSpread(_:)`` alone (the same number).
@inlinable
public func ensembleMean(_ values: some Collection<Double>) -> Double {
    var sum = 0.0
    for v in values { sum += v }
    return sum / Double(values.count)
}
