import Assimilation
import Foundation
import Meteorology
import ModelTime
import Observations
import Parallel

/// One deterministic forward run with given natural fluxes (truth, CTRL with
/// the prior, FC with the posterior), from the same initial and boundary
/// fields as the assimilation, sampled at the observations. Collective.
public final class ForwardRun {
    public let config: ExperimentConfig
    public let label: String
    let natural: NaturalFluxSource
    let state: EnsembleState
    let inputs: HourlyInputs
    let observationTypes: [any ObservationType]
    /// Rank 0's observation file, when the run writes one.
    let outputs: RunOutputs?
    /// Time the concentrations are valid at.
    public private(set) var now: ModelHour
    /// Called on every rank after each hour's step with the meteorology valid
    /// at the new time (the twin experiment samples its observations here).
    public var afterStep: ((ForwardRun, MetFields) throws -> Void)?
    /// A bias (ppm) added to the inflow on whole edges (a twin experiment's
    /// truth run with a biased boundary); none by default.
    public var imposedBoundaryBias = ImposedBoundaryBias(ppm: [:])
    /// The EnKS's analysed boundary biases (a twin's FC run with boundary
    /// elements); nil: none.
    var posteriorBoundaryBias: PosteriorBoundaryBias?

    /// A run labelled `label` (CTRL, FC, truth) whose observation rows go to
    /// `folder/observations.nc` when a folder is given.
    public init(config: ExperimentConfig, label: String, natural: @escaping NaturalFluxSource, world: any Communicator,
                observations: [any ObservationType], folder: URL?) throws {
        self.config = config
        self.label = label
        self.natural = natural
        observationTypes = observations
        inputs = try HourlyInputs(config: config)
        let initial = try inputs.background.initialField(at: config.start)
        let grid = config.domain.grid, nx = grid.nx, ny = grid.ny
        let comms = try EnsembleState.communicators(world: world, memberCount: 1, memberGroups: nil, columnCount: grid.cellCount)
        state = try EnsembleState(domain: config.domain, memberCount: 1, comms: comms, transport: config.transport.options) { _, i, j, k in
            initial[(k * ny + j) * nx + i]
        }
        outputs = try folder.flatMap { world.rank == 0 ? try RunOutputs(forwardRunIn: $0, config: config, kind: label) : nil }
        now = config.start
    }

    /// Runs the whole period and completes the observation file.
    public func run() throws {
        let stop = config.end.advanced(by: 1)
        let stateVector = config.assimilation.stateVector
        while now < stop {
            let hour = now
            let met = try inputs.meteorology(at: hour)
            let prior = try inputs.prior(at: hour, cells: state.cells)
            let prescribed = stateVector.prescribedTotal(prior.field, cells: state.cells)
            let fields = try natural(hour)
            try state.advance(met: met, memberFlux: { _ in
                zip(self.state.cells, prescribed).map { cell, prescribed in
                    var total = prescribed
                    for field in fields { total += field[cell] }
                    return total
                }
            }, boundary: try inputs.background.boundary(at: hour, region: state.transport.meteorologyRegion), boundaryScale: { _, _ in 1 },
               boundaryOffset: imposedBoundaryBias.ppm.isEmpty && posteriorBoundaryBias == nil ? nil
                   : { [imposedBoundaryBias, posteriorBoundaryBias, nx = state.grid.nx, ny = state.grid.ny] _, i, j, k in
                       imposedBoundaryBias.offset(i: i, j: j, nx: nx, ny: ny)
                           + (posteriorBoundaryBias?.offset(hour: hour, i: i, j: j, k: k, nx: nx, ny: ny) ?? 0)
                   })
            now = hour.advanced(by: 1)
            let metNow = try inputs.meteorology(at: now)
            try sample(hour: hour, met: metNow)
            try afterStep?(self, metNow)
        }
        try outputs?.finish()
        state.world.barrier()
    }

    /// The model at the observations of `hour` (state valid at its end).
    func sample(hour: ModelHour, met: MetFields) throws {
        let list = observationTypes.flatMap { $0.observations(in: hour) }
        guard !list.isEmpty else { return }
        let values = try state.simulate(list, met: met, hour: hour).all
        guard let outputs else { return }
        try outputs.observations.append(list.enumerated().map { o, observation in
            ObservationRecord(observation, analysisHour: now,
                              status: observation.role == .candidate ? .assimilated : .validation,
                              background: (values[o], 0), analysis: (values[o], 0))
        })
    }

    /// The 3-D concentration field, (k * ny + j) * nx + i, on world rank 0;
    /// nil elsewhere (collective).
    public func gatherField() -> [Double]? { state.gatherConcentrationField(0) }
}
