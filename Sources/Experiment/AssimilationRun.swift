import Assimilation
import Foundation
import Geometry
import Logging
import Meteorology
import ModelTime
import Observations
import Parallel
import Transport

/// Natural (optimised) flux fields of one hour: [state component][cell] in the
/// state vector's order, µmol m-2 s-1.
public typealias NaturalFluxSource = @Sendable (ModelHour) throws -> [[Double]]

/// The hourly assimilation cycle (Kou2023 §2.2): ensemble transport with each
/// member's flux, the flux ensemble of each new hour from its generator,
/// observation operators and the joint EnKS analysis over the smoothing
/// window. It wires the seams together and holds no equation. Every rank runs
/// it collectively; rank 0 streams the outputs.
public final class AssimilationRun {
    public let config: ExperimentConfig
    let state: EnsembleState
    let inputs: HourlyInputs
    let perturbation: InitialBoundaryPerturbation
    /// The held members' inflow factors (1 + σ δ) per ghost cell: fixed for the run.
    lazy var inflowScale = state.ringScale(perturbation.boundaryScale)
    let generator: any FluxEnsembleGenerator
    let observationTypes: [any ObservationType]
    let layout: ColumnStateLayout
    let columnCenters: [GeoPoint]
    /// The adaptive inflation's state (nil: a fixed factor).
    var inflation: AdaptiveInflation?
    /// Rank 0's output files (nil on the other ranks).
    var outputs: RunOutputs?
    /// The twin experiment's truth, recorded beside the analysis.
    let truth: NaturalFluxSource?
    /// The run folder (outputs and checkpoint).
    let folder: URL
    /// The lateral-boundary bias elements (nil: not in the state) and their
    /// hourly forecast/analysis statistics so far.
    var boundaryBias: BoundaryBiasEnsemble?
    var boundaryBiasRecords: [BoundaryBiasRecord] = []

    /// Time the concentrations are valid at (top of an hour).
    public internal(set) var now: ModelHour
    /// Window fluxes of this rank's tile columns and members, and, during an
    /// analysis, the concentrations of the columns it updates (elsewhere the
    /// concentration variables are stale: the transport holds them).
    var block: ColumnEnsemble
    var window: FluxWindow
    /// Per window slot: hour and prior/forecast statistics [component][tile column].
    var slots: [SlotStatistics?]
    /// Final analysis and prior means of past hours ([component][tile
    /// column]), kept for the generator's memory.
    var pastFluxHours: [Int: PastFluxHour] = [:]

    /// Where the cycle reports what each analysis did (debug level) and its
    /// state changes (info level); set by the command.
    public var logger = Logger(label: "rcas.cycle")
    /// Called on rank 0 with each hour reached (progress reporting).
    public var onHour: ((ModelHour) -> Void)?
    /// Asked on every rank after each hour (must be collective and give the
    /// same answer everywhere): true writes a checkpoint and stops the run
    /// with ``ExperimentError/stopRequested(_:)``.
    public var stopRequested: (() -> Bool)?
    /// Called on every rank when a checkpoint is due.
    public var onCheckpoint: ((AssimilationRun) throws -> Void)?
    /// Wall time of each phase of the cycle on this rank.
    public let phases = CyclePhases()

    struct SlotStatistics: Sendable {
        var hour: ModelHour
        var priorMean: [[Double]]
        var priorSpread: [[Double]]
        var forecastMean: [[Double]]
        var forecastSpread: [[Double]]
        /// The prescribed prior components, [component][tile column].
        var prescribed: [[Double]]
        /// The held forecast members as generated, [component][tile column ×
        /// held member], kept for the averaging-kernel estimate (nil: not configured).
        var forecastMembers: [[Double]]? = nil
    }

    /// A run from the start of the period writing into `folder` (`truth`:
    /// a twin experiment's truth to record beside the analysis), or, with
    /// `resuming`, one that continues from the checkpoint in `folder`.
    public init(config: ExperimentConfig, world: any Communicator, observations: [any ObservationType],
                folder: URL, resuming: Bool = false, truth: NaturalFluxSource? = nil) throws {
        self.config = config
        self.observationTypes = observations
        self.truth = truth
        self.folder = folder
        boundaryBias = config.boundaryBias.map {
            BoundaryBiasEnsemble(settings: $0, memberCount: config.members, seed: config.seed, start: config.start.value)
        }
        inputs = try HourlyInputs(config: config)
        let layers = config.domain.layers
        layout = config.assimilation.layout(layerCount: layers.count)
        let initial = try inputs.background.initialField(at: config.start)
        let grid = config.domain.grid, nx = grid.nx, ny = grid.ny
        let comms = try EnsembleState.communicators(world: world, memberCount: config.members,
                                                    memberGroups: config.memberGroups, columnCount: grid.cellCount)
        let perturbation = InitialBoundaryPerturbation(config: config, members: comms.members(memberCount: config.members))
        self.perturbation = perturbation
        state = try EnsembleState(domain: config.domain, memberCount: config.members, comms: comms,
                                  transport: config.transport.options) { m, i, j, k in
            initial[(k * ny + j) * nx + i] * perturbation.initialScale(member: m, cell: j * nx + i)
        }
        generator = config.assimilation.makeFluxGenerator(grid: grid, cellScale: try config.buffer?.cellFactors(config: config))
        inflation = config.assimilation.adaptiveInflation
        columnCenters = grid.centers()
        now = config.start
        window = FluxWindow(layout: layout)
        slots = Array(repeating: nil, count: config.assimilation.windowHours)
        block = ColumnEnsemble(columns: state.cells, variableCount: layout.variableCount, members: state.members)
        if resuming {
            let positions = try restoreCheckpoint(from: folder)
            if world.rank == 0 { outputs = try RunOutputs(resuming: folder, config: config, positions: positions) }
        } else if world.rank == 0 {
            outputs = try RunOutputs(creating: folder, config: config, kind: "AN", truth: truth != nil)
        }
    }

    // MARK: the cycle

    /// Runs from the current time to the end of the period and finishes the
    /// output files (collective).
    public func run() throws {
        if now == config.start && window.activeHours.isEmpty { try phases.measure(.fluxEnsemble) { try forecastFlux(at: now) } }
        let stop = config.end.advanced(by: 1)
        while now < stop {
            try step()
            onHour?(now)
            guard now < stop else { break }
            let stopping = stopRequested?() ?? false
            if stopping || config.start.distance(to: now) % config.checkpointInterval == 0 {
                try phases.measure(.checkpoint) { try onCheckpoint?(self) }
            }
            if stopping {
                removeSpareCheckpoint()
                throw ExperimentError.stopRequested(now)
            }
        }
        try phases.measure(.output) {
            for hour in window.activeHours { try finish(slot: layout.slot(ofHour: hour)) }
            try outputs?.finish()
            removeSpareCheckpoint()
            if outputs != nil, let settings = config.boundaryBias {
                try BoundaryBiasFile.write(boundaryBiasRecords, settings: settings, imposed: config.imposedBoundaryBias,
                                           config: config, to: folder.appendingPathComponent(BoundaryBiasFile.name).path)
                try? FileManager.default.removeItem(atPath: boundaryBiasPartialPath)
            }
        }
        state.world.barrier()
    }

    /// Advances one hour: transport, analysis, the flux ensemble of the new hour.
    func step() throws {
        let hour = now
        // Each rank asks for the meteorology its transport reads, the prior
        // of its own columns and the inflow next to them, so the ranks share
        // that work.
        let region = state.transport.meteorologyRegion
        let (met, prior, boundary) = try phases.measure(.inputs) {
            (try inputs.meteorology(at: hour, region: region), try inputs.prior(at: hour, cells: state.cells),
             try inputs.background.boundary(at: hour, region: region))
        }
        let prescribed = config.assimilation.stateVector.prescribedTotal(prior.field, cells: state.cells)
        let slot = layout.slot(ofHour: hour.value)
        if hour != config.start { boundaryBias?.forecast(to: hour.value) }
        // The members' fluxes and inflow are assembled outside the transport
        // phase, which times the transport model alone.
        let flux = try phases.measure(.fluxEnsemble) {
            try SurfaceFlux(nx: state.grid.nx, ny: state.grid.ny, members: state.members, cells: state.cells,
                            columns: totalFluxes(slot: slot, prescribed: prescribed))
        }
        let lateral = phases.measure(.inputs) {
            let bias = boundaryBias, nx = state.grid.nx, ny = state.grid.ny
            return state.memberBoundary(boundary, ringScale: inflowScale, offset: bias.map { bias in
                { m, i, j, k in bias.offset(member: m, i: i, j: j, k: k, nx: nx, ny: ny) }
            })
        }
        try phases.measure(.transport) { try state.advance(met: met, flux: flux, boundary: lateral) }
        now = hour.advanced(by: 1)
        // The analysis of the hour's observations updates the flux hours that
        // have acted (the window holds hours up to `hour`); the next flux hour
        // is forecast afterwards, from the analysed state.
        let next = try phases.measure(.inputs) { try inputs.meteorology(at: now, region: region) }
        let biasForecast = boundaryBias?.statistics
        try analyse(hour: hour, met: next)
        if let biasForecast, let bias = boundaryBias {
            boundaryBiasRecords.append(BoundaryBiasRecord(hour: now.value, prior: biasForecast, posterior: bias.statistics))
        }
        if now <= config.end { try phases.measure(.fluxEnsemble) { try forecastFlux(at: now) } }
        try phases.measure(.output) { try recordConcentrations() }
    }

    /// Each held member's total surface flux of window slot `slot` on this
    /// rank's cells, [c * members + m] for cell `state.cells[c]` (the
    /// transport's layout, so no rank builds whole-grid fields): the
    /// prescribed components (`prescribed[c]`, their total at cell
    /// `state.cells[c]`) plus the optimised ones, added in state-vector
    /// order. Read straight from the block's storage a column at a time
    /// (members fastest there too), once per hour.
    func totalFluxes(slot: Int, prescribed: [Double]) -> [Double] {
        let variables = layout.fluxComponents.indices.map { layout.flux(slot: slot, component: $0) }
        let cells = state.cells, nv = block.variableCount, M = block.members.count
        var columns = [Double](repeating: 0, count: cells.count * M)
        block.values.withUnsafeBufferPointer { values in
            columns.withUnsafeMutableBufferPointer { columns in
                for c in cells.indices {
                    let total = columns.baseAddress! + c * M
                    for m in 0..<M { total[m] = prescribed[c] }
                    for v in variables {
                        let column = (c * nv + v) * M
                        for m in 0..<M { total[m] += values[column + m] }
                    }
                }
            }
        }
        return columns
    }

    /// Ensemble mean and spread of the analysis at the output levels (rank 0 writes them).
    func recordConcentrations() throws {
        var fields: [[Double]] = []
        for level in config.concentrationLevels {
            let statistics = state.columnStatistics(state.transport.layer(level))
            fields.append(statistics.map(\.mean))
            fields.append(statistics.map(\.spread))
        }
        guard let global = state.gatherToGrid(fields), let outputs else { return }
        try outputs.concentrations?.append(ConcentrationRecord(
            time: now, mean: stride(from: 0, to: global.count, by: 2).map { global[$0] },
            spread: stride(from: 1, to: global.count, by: 2).map { global[$0] }))
    }
}
