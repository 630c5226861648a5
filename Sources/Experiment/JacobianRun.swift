import Foundation
import Geometry
import Meteorology
import ModelTime
import Observations
import Parallel

/// One observation row of a Jacobian: what the synthesis needs of it.
public struct JacobianObservation: Sendable, Equatable {
    /// Seconds since 1970-01-01 UTC.
    public var time: Double
    /// The hour [hour, hour + 1) it belongs to; the model state it is
    /// simulated from is valid at hour + 1 (as in the filter).
    public var hour: ModelHour
    public var latitude: Double
    public var longitude: Double
    public var kind: ObservationKind
    public var role: ObservationRole
    /// y (ppm).
    public var value: Double
    /// σ (ppm) after the type's error model: the error the filter uses.
    public var error: Double
    /// The OMB gate (ppm; infinity: none).
    public var ombThreshold: Double
    public var site: String
    public var instrument: String

    init(_ o: any ModelObservation, hour: ModelHour) {
        time = o.time
        self.hour = hour
        latitude = o.position.latitude
        longitude = o.position.longitude
        kind = o.kind
        role = o.role
        value = o.value
        error = o.error
        ombThreshold = o.ombThreshold
        site = o.site
        instrument = o.instrument
    }

    public init(time: Double, hour: ModelHour, latitude: Double, longitude: Double, kind: ObservationKind,
                role: ObservationRole, value: Double, error: Double, ombThreshold: Double, site: String, instrument: String) {
        self.time = time
        self.hour = hour
        self.latitude = latitude
        self.longitude = longitude
        self.kind = kind
        self.role = role
        self.value = value
        self.error = error
        self.ombThreshold = ombThreshold
        self.site = site
        self.instrument = instrument
    }
}

/// A transport Jacobian: the simulated observations as an affine function
/// of the basis coefficients x (InversionSlides: c = G f + A c0),
///
///     H(x) = c_background + c_prior_flux + H x      (prior shape)
///     H(x) = c_background + H x                     (unit shape)
///
/// c_background is everything that is not an optimised flux (initial field,
/// lateral boundary, prescribed flux components), c_prior_flux the response
/// to the prior of the optimised components. Exact for a transport scheme
/// that is linear in the tracer (Docs/jacobians.md).
public struct Jacobian: Sendable {
    public let basis: JacobianBasis
    public var observations: [JacobianObservation]
    /// H, row-major [observation][function] (ppm per unit coefficient).
    public var matrix: [Double]
    /// c_background (ppm).
    public var background: [Double]
    /// c_prior_flux (ppm).
    public var priorFlux: [Double]
    /// The advection scheme the columns were computed with.
    public var transportScheme: String
    /// The columns of the lateral-boundary bias elements (the configuration's
    /// `boundary_bias:`), row-major [observation][element], ppm per ppm of
    /// inflow bias held over the whole period; empty without them.
    public var boundary: [Double] = []

    /// Number of boundary-bias elements.
    public var boundaryCount: Int { observations.isEmpty ? 0 : boundary.count / observations.count }
    /// Columns of the whole state: basis functions, then boundary elements.
    public var stateColumnCount: Int { basis.count + boundaryCount }
    /// [H | H_boundary], row-major [observation][state column].
    public var stateMatrix: [Double] {
        let n = basis.count, nb = boundaryCount
        guard nb > 0 else { return matrix }
        return observations.indices.flatMap { o in matrix[(o * n)..<((o + 1) * n)] + boundary[(o * nb)..<((o + 1) * nb)] }
    }

    /// c0 of the basis's coefficients: the simulated observations at x = 0.
    public var offset: [Double] {
        basis.shape == .prior ? zip(background, priorFlux).map { $0 + $1 } : background
    }
}

/// Transport Jacobians by tagged tracers (Docs/jacobians.md): each basis
/// function's flux is carried as one member of an ``EnsembleState``, with
/// zero initial and boundary values, beside a `background` tracer (the
/// initial field, the boundary and the prescribed fluxes) and a `prior`
/// tracer (the prior of the optimised components). Every observation is
/// simulated from every tracer with the filter's own operators at the
/// filter's times: each operator is written out once as the affine map it
/// is (``AffineObservationOperator``, probing the operator itself); a flux
/// tracer's H entry is its linear part, the background's value includes the
/// offset (the column operator's a-priori term) and is checked against the
/// operator run directly, so a non-affine operator cannot pass unnoticed.
///
/// With a `boundary_bias:` section, one more tracer per bias element carries
/// 1 ppm of inflow on that element's edge and layers (zero initial field and
/// flux): its column is the response to that bias held over the period.
///
/// Members are split over the ranks' member groups as in an assimilation.
/// Tracers run in batches of at most ``batchSize``, functions ordered by
/// period: a batch starts at its first function's period (the flux tracers
/// are zero before) and every batch stops at the last hour with observations.
public final class JacobianRun {
    enum Tracer: Equatable {
        case background, prior
        case function(Int)
        /// A lateral-boundary bias element.
        case boundary(Int)
    }

    public let config: ExperimentConfig
    public let basis: JacobianBasis
    let world: any Communicator
    let observationTypes: [any ObservationType]
    let inputs: HourlyInputs
    /// Largest number of tracers (members) transported at once.
    public var batchSize: Int
    /// Whether the independent validation observations get rows too (they
    /// can outnumber the candidates a hundredfold: thinned-out soundings).
    public var includeValidation: Bool
    /// Called on rank 0 with progress messages.
    public var progress: ((String) -> Void)?

    public init(config: ExperimentConfig, basis: JacobianBasis, world: any Communicator,
                observations: [any ObservationType], batchSize: Int = 2000, includeValidation: Bool = true) throws {
        guard batchSize >= 1 else { throw ExperimentError.invalidInput("a Jacobian batch needs at least one tracer") }
        self.config = config
        self.basis = basis
        self.world = world
        observationTypes = observations
        self.batchSize = batchSize
        self.includeValidation = includeValidation
        inputs = try HourlyInputs(config: config)
    }

    /// The observations of `hour` that get rows, in the filter's order.
    func observations(in hour: ModelHour) -> [any ModelObservation] {
        let all = observationTypes.flatMap { $0.observations(in: hour) }
        return includeValidation ? all : all.filter { $0.role == .candidate }
    }

    /// Runs every batch (collective); the Jacobian on world rank 0, nil elsewhere.
    public func run() throws -> Jacobian? {
        var rows: [JacobianObservation] = []
        var firstRow: [ModelHour: Int] = [:]
        var lastObservationHour: ModelHour?
        for offset in 0..<config.hourCount {
            let hour = config.start.advanced(by: offset)
            let list = observations(in: hour)
            guard !list.isEmpty else { continue }
            firstRow[hour] = rows.count
            rows += list.map { JacobianObservation($0, hour: hour) }
            lastObservationHour = hour
        }
        guard let last = lastObservationHour else {
            throw ExperimentError.invalidInput("\(config.file): no observation falls in \(config.start.iso) to \(config.end.iso): "
                                               + "the Jacobian would be empty")
        }
        let m = rows.count, n = basis.count, rank0 = world.rank == 0
        var jacobian = Jacobian(basis: basis, observations: rows, matrix: rank0 ? [Double](repeating: 0, count: m * n) : [],
                                background: [Double](repeating: 0, count: m), priorFlux: [Double](repeating: 0, count: m),
                                transportScheme: config.transport.options.scheme.rawValue)
        let nb = config.boundaryBias?.elementCount ?? 0
        if rank0 { jacobian.boundary = [Double](repeating: 0, count: m * nb) }

        let chunks = stride(from: 0, to: max(n, 1), by: batchSize).map { $0..<min($0 + batchSize, n) }
        for (number, chunk) in chunks.enumerated() {
            let tracers: [Tracer] = (number == 0 ? [.background, .prior] + (0..<nb).map { .boundary($0) } : [])
                + chunk.map { .function($0) }
            let start = number == 0 ? config.start : basis.periodStarts[basis.functions[chunk.lowerBound].period]
            guard start <= last else { break }   // later functions cannot reach any observation
            progress?("tracer batch \(number + 1) of \(chunks.count): \(tracers.count) tracers from \(start.iso) to \(last.advanced(by: 1).iso)")
            try runBatch(tracers, from: start, through: last) { hour, values in
                guard let row0 = firstRow[hour] else { return }
                let count = tracers.count
                for o in 0..<(values.count / count) {
                    let row = row0 + o
                    for (m, tracer) in tracers.enumerated() {
                        let value = values[o * count + m]
                        switch tracer {
                        case .background: jacobian.background[row] = value
                        case .prior: jacobian.priorFlux[row] = value
                        case .function(let f): jacobian.matrix[row * n + f] = value
                        case .boundary(let e): jacobian.boundary[row * nb + e] = value
                        }
                    }
                }
            }
        }
        world.barrier()
        return rank0 ? jacobian : nil
    }

    /// Transports `tracers` from the top of `start` to the end of `last`,
    /// handing every hour's simulated observations ([observation][tracer])
    /// to `record` on world rank 0 (collective).
    func runBatch(_ tracers: [Tracer], from start: ModelHour, through last: ModelHour,
                  record: (ModelHour, [Double]) -> Void) throws {
        let grid = config.domain.grid, nx = grid.nx, ny = grid.ny
        let comms = try EnsembleState.communicators(world: world, memberCount: tracers.count, memberGroups: config.memberGroups,
                                                    columnCount: grid.cellCount)
        let initial = tracers.contains(.background) ? try inputs.background.initialField(at: start) : []
        let state = try EnsembleState(domain: config.domain, memberCount: tracers.count, comms: comms,
                                      transport: config.transport.options) { m, i, j, k in
            tracers[m] == .background ? initial[(k * ny + j) * nx + i] : 0
        }
        let stateVector = config.assimilation.stateVector
        let cells = state.cells
        var hour = start
        while hour <= last {
            let met = try inputs.meteorology(at: hour)
            let prior = try inputs.prior(at: hour)
            let priors = stateVector.statePriors(prior.field)
            let prescribed = stateVector.prescribedTotal(prior.field, cellCount: grid.cellCount)
            let period = basis.period(of: hour)
            let zeros = [Double](repeating: 0, count: cells.count)
            try state.advance(met: met, memberFlux: { slot in
                switch tracers[state.members.lowerBound + slot] {
                case .background: return cells.map { prescribed[$0] }
                case .boundary: return zeros
                case .prior: return cells.map { cell in priors.reduce(0) { $0 + $1[cell] } }
                case .function(let f):
                    let function = self.basis.functions[f]
                    guard function.period == period else { return zeros }
                    let unit = self.basis.shape == .unit
                    return cells.map { cell in
                        self.basis.cellGroups[cell] != function.group ? 0 : unit ? 1 : priors[function.component][cell]
                    }
                }
            }, boundary: try inputs.background.boundary(at: hour, region: state.transport.meteorologyRegion),
               boundaryScale: { m, _ in tracers[m] == .background ? 1 : 0 },
               boundaryOffset: config.boundaryBias.map { settings in { m, i, j, k in
                   guard case .boundary(let e) = tracers[m] else { return 0 }
                   return settings.element(i: i, j: j, k: k, nx: nx, ny: ny) == e ? 1 : 0
               } })
            let label = hour
            hour = hour.advanced(by: 1)
            let list = observations(in: label)
            guard !list.isEmpty else { continue }
            if let values = try simulate(list, state: state, tracers: tracers, met: try inputs.meteorology(at: hour), hour: label) {
                record(label, values)
            }
        }
    }

    /// Every tracer's simulated value of `list` ([observation][tracer]) on
    /// world rank 0, nil elsewhere (collective): the group's tile 0 computes
    /// its members' values from the exchanged columns.
    func simulate(_ list: [any ModelObservation], state: EnsembleState, tracers: [Tracer], met: MetFields,
                  hour: ModelHour) throws -> [Double]? {
        let grid = config.domain.grid, layers = config.domain.layers, nz = layers.count
        let operators = try list.map { try AffineObservationOperator($0, grid: grid, layers: layers, met: met, hour: hour) }
        let sampler = state.exchangedColumns(Array(Set(operators.flatMap(\.cells))).sorted(), met: met, hour: hour)
        let members = state.members, M = members.count, computes = state.comms.tileIndex == 0
        var local: [Double] = []
        if computes {
            local.reserveCapacity(list.count * M)
            for (o, affine) in operators.enumerated() {
                for m in 0..<M {
                    let linear = affine.linearPart(sampler.co2, member: m, memberCount: M, layers: nz)
                    local.append(tracers[members.lowerBound + m] == .background ? affine.offset + linear : linear)
                }
                if let slot = (0..<M).first(where: { tracers[members.lowerBound + $0] == .background }) {
                    try checkAffine(list[o], probed: local[o * M + slot], columns: sampler, slot: slot)
                }
            }
        }
        let values = world.gather(local, root: 0)
        let ranges = world.gather(computes ? [members.lowerBound, members.upperBound] : [], root: 0)
        guard let values, let ranges else { return nil }
        var result = [Double](repeating: 0, count: list.count * tracers.count)
        for (piece, range) in zip(values, ranges) where range.count == 2 {
            let width = range[1] - range[0]
            for o in list.indices {
                for m in 0..<width { result[o * tracers.count + range[0] + m] = piece[o * width + m] }
            }
        }
        return result
    }

    /// The operator run directly on the background tracer must give the
    /// probed affine value: a tagged-tracer Jacobian is only right for
    /// operators that are affine in the CO2 columns.
    func checkAffine(_ observation: any ModelObservation, probed: Double, columns: ExchangedColumnsSampler, slot: Int) throws {
        let nz = columns.layers.count, M = columns.memberCount
        var single: [Int: ArraySlice<Double>] = [:]
        for (cell, values) in columns.co2 {
            single[cell] = (0..<nz).map { values[values.startIndex + $0 * M + slot] }[...]
        }
        let sampler = ExchangedColumnsSampler(grid: columns.grid, layers: columns.layers, memberCount: 1, hour: columns.hour,
                                              co2: single, meteorology: columns.meteorology)
        guard let direct = try observation.simulate(with: sampler)?.first else {
            throw ExperimentError.internalFailure("an observation at \(observation.position) lies outside the model")
        }
        guard abs(direct - probed) <= 1e-8 else {
            throw ExperimentError.internalFailure("the operator of the observation at \(observation.position) is not affine in "
                                                  + "CO2: direct \(direct) ppm, affine map \(probed) ppm")
        }
    }
}
