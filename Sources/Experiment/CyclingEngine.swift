import Assimilation
import Foundation
import Geometry
import Logging
import Meteorology
import ModelTime
import Observations
import Parallel
import RandomStreams
import SyntheticWorld
import Transport

/// Natural (optimised) flux fields of one hour: [component][cell] in the
/// state's component order, µmol m-2 s-1.
public typealias NaturalFluxSource = @Sendable (ModelHour) -> [[Double]]

/// Observations a run simulates, grouped by the hour that contains them.
/// Observations of hour h (times in [h, h+1)) are compared with the model state
/// valid at h+1, the end of that hour, and assimilated by the analysis at h+1.
public struct HourlyObservations: Sendable {
    /// Assimilation candidates (thinned or super-observations).
    public var candidates: [ModelHour: [XCO2Observation]] = [:]
    /// Independent validation soundings (removed by thinning).
    public var validation: [ModelHour: [XCO2Sounding]] = [:]
    /// In-situ records (site code, record), used for validation.
    public var inSitu: [ModelHour: [(site: String, record: InSituRecord)]] = [:]
    public var instrument: String
    public var report: SelectionReport

    public init(instrument: String, report: SelectionReport = SelectionReport()) {
        self.instrument = instrument
        self.report = report
    }
}

/// Runs the hourly cycle: ensemble transport with each member's flux, the
/// JDAS flux forecast, observation operators and the joint EnKS analysis
/// (`assimilation`), or one deterministic forward run with given fluxes
/// (`forward`, for truth, CTRL and FC runs). Every rank runs this collectively.
public final class CyclingEngine {
    public enum Mode {
        case assimilation
        case forward(label: String, natural: NaturalFluxSource)
    }

    public let config: ExperimentConfig
    let mode: Mode
    let world: any Communicator
    let comms: LayoutCommunicators
    let grid: HorizontalGrid
    let layers: VerticalLayers
    let model: TransportModel
    let meteorology: any MeteorologyProvider
    let prior: SyntheticPriorFlux
    let background: SyntheticBackground
    let observations: HourlyObservations
    let stateLayout: ColumnStateLayout
    let memberCount: Int
    let members: Range<Int>
    let tileColumns: [Int]
    let columnCenters: [GeoPoint]
    let components: [FluxComponent] = [.biosphere, .ocean]
    let perturbation: RandomStreams.KeyedRandom
    /// Each member's initial (hour key 0) and boundary (hour key -1)
    /// perturbation pattern δ, unit variance, grid order; a column is scaled by
    /// (1 + σ δ) in every layer.
    let initialPattern: [[Double]]
    let boundaryPattern: [[Double]]

    /// Time the concentrations are valid at (top of an hour).
    public internal(set) var now: ModelHour
    var concentrations: TracerEnsemble
    /// Window fluxes of this rank's tile columns and members (concentration
    /// variables are filled only around an analysis).
    var block: ColumnEnsemble
    var window: FluxWindow
    /// Per window slot: hour and prior/forecast statistics [component][tile column].
    var slotStatistics: [SlotStatistics?]
    /// Final analysis means of past hours, [component][tile column], for the
    /// flux forecast's smoothing over M days.
    var pastAnalysisMeans: [Int: [[Double]]] = [:]
    /// Correlated GCASv2 draws of the current period, per component, and the
    /// kernel that makes them (both rebuilt on demand, so not checkpointed).
    var patternCache: [FluxComponent: (period: Int, fields: [[Double]])] = [:]
    /// The last meteorology read (pure function of time, so not checkpointed).
    var lastMeteorology: MetFields?
    var fluxNoise: CorrelatedNoise?
    /// Output rows gathered on rank 0.
    public internal(set) var fluxRecords: [FluxHourRecord] = []
    public internal(set) var observationRecords: [ObservationRecord] = []
    public internal(set) var concentrationRecords: [ConcentrationRecord] = []
    /// Where the cycle reports what each analysis did (debug level) and
    /// its state changes (info level); set by the command.
    public var logger = Logger(label: "rcas.cycle")
    /// Called on rank 0 with each hour reached (progress reporting).
    public var onHour: ((ModelHour) -> Void)?
    /// Called on every rank after each hour's step with the meteorology valid
    /// at the new time (the twin experiment samples its observations here).
    public var afterStep: ((CyclingEngine, MetFields) throws -> Void)?
    /// Asked on every rank after each hour (must be collective and give the
    /// same answer everywhere): true writes a checkpoint and stops the run
    /// with ``ExperimentError/stopRequested(_:)``.
    public var stopRequested: (() -> Bool)?
    /// Called on every rank when a checkpoint is due at the given time.
    public var onCheckpoint: ((CyclingEngine) throws -> Void)?

    struct SlotStatistics: Sendable {
        var hour: ModelHour
        var priorMean: [[Double]]
        var priorSpread: [[Double]]
        var forecastMean: [[Double]]
        var forecastSpread: [[Double]]
    }

    public init(config: ExperimentConfig, mode: Mode, world: any Communicator,
                observations: HourlyObservations) throws {
        self.config = config
        self.mode = mode
        self.world = world
        self.observations = observations
        grid = config.domain.grid
        layers = config.domain.layers
        let forward: Bool
        if case .forward = mode { forward = true } else { forward = false }
        memberCount = forward ? 1 : config.members
        let layout: ParallelLayout
        do {
            if let groups = config.memberGroups, case .assimilation = mode {
                layout = try ParallelLayout(worldSize: world.size, memberGroups: groups)
            } else {
                layout = try ParallelLayout.automatic(worldSize: world.size, memberCount: memberCount, columnCount: grid.cellCount)
            }
        } catch {
            throw ExperimentError.invalidInput("\(config.file): key 'parallel.member_groups': \(error)")
        }
        comms = LayoutCommunicators(world: world, layout: layout)
        let decomposition = try TileDecomposition(nx: grid.nx, ny: grid.ny, count: layout.tilesPerGroup,
                                                  halo: TracerEnsemble.margin)
        model = TransportModel(grid: grid, layers: layers, decomposition: decomposition, tileIndex: comms.tileIndex)
        members = layout.members(ofGroup: comms.memberGroupIndex, memberCount: memberCount)
        let tile = model.tile, nx = grid.nx
        tileColumns = tile.jRange.flatMap { j in tile.iRange.map { i in j * nx + i } }
        columnCenters = grid.centers()
        meteorology = try config.meteorology.makeProvider(domain: config.domain)
        prior = try SyntheticPriorFlux(domain: config.domain)
        background = SyntheticBackground(domain: config.domain)
        stateLayout = ColumnStateLayout(layerCount: layers.count, windowHours: config.assimilation.windowHours,
                                        fluxComponents: components)
        perturbation = RandomStreams.KeyedRandom(seed: config.seed, stream: "initial-boundary-perturbation")
        now = config.start
        window = FluxWindow(layout: stateLayout)
        slotStatistics = Array(repeating: nil, count: config.assimilation.windowHours)
        block = ColumnEnsemble(columns: tileColumns, variableCount: stateLayout.variableCount, members: members)
        let initial = background.field(at: config.start)
        let sigma = forward ? 0 : config.initialBoundaryPerturbation
        if sigma > 0 {
            let noise = CorrelatedNoise(grid: grid, length: config.perturbationCorrelationLength)
            let random = perturbation
            initialPattern = members.map { m in noise.field { random.normal(member: m, hour: 0, cell: $0) } }
            boundaryPattern = members.map { m in noise.field { random.normal(member: m, hour: -1, cell: $0) } }
        } else {
            let zero = [Double](repeating: 0, count: grid.cellCount)
            initialPattern = members.map { _ in zero }
            boundaryPattern = initialPattern
        }
        let ny = grid.ny, first = members.lowerBound, pattern = initialPattern
        concentrations = model.makeEnsemble(members: members) { m, i, j, k in
            initial[(k * ny + j) * nx + i] * (1 + sigma * pattern[m - first][j * nx + i])
        }
    }

    var isForward: Bool { if case .forward = mode { return true } else { return false } }

    // MARK: the cycle

    /// Runs from the current time to the end of the period (collective).
    public func run() throws {
        if now == config.start && window.activeHours.isEmpty && !isForward {
            try forecastFlux(at: now)
        }
        let stop = config.end.advanced(by: 1)
        while now < stop {
            try step()
            onHour?(now)
            guard now < stop else { break }
            let stopping = stopRequested?() ?? false
            if stopping || config.start.distance(to: now) % config.checkpointInterval == 0 {
                try onCheckpoint?(self)
            }
            if stopping { throw ExperimentError.stopRequested(now) }
        }
        if !isForward { try flushWindow() }
    }

    /// Advances one hour: transport, flux forecast for the new hour, analysis.
    func step() throws {
        let hour = now
        let met = try meteorologyFields(at: hour)
        let natural = naturalFluxes(hour: hour)
        let prescribed = prior.components(at: hour)
        var fields: [[Double]] = []
        for (offset, _) in members.enumerated() {
            var field = [Double](repeating: 0, count: grid.cellCount)
            for (c, cell) in tileColumns.enumerated() {
                var total = prescribed.fossil[cell] + prescribed.fire[cell]
                for component in components.indices { total += natural[component][offset][c] }
                field[cell] = total
            }
            fields.append(field)
        }
        let flux = try SurfaceFlux(nx: grid.nx, ny: grid.ny, members: members, fields: fields)
        let boundaryField = background.field(at: hour)
        let sigma = isForward ? 0 : config.initialBoundaryPerturbation
        let nx = grid.nx, ny = grid.ny, first = members.lowerBound, pattern = boundaryPattern
        // Boundary perturbations are fixed per member (each member keeps its
        // own inflow bias); ghost cells take the nearest edge column's value.
        let boundary = LateralBoundary(nx: nx, ny: ny, nz: layers.count, members: members) { m, i, j, k in
            let ci = min(max(i, 0), nx - 1), cj = min(max(j, 0), ny - 1)
            return boundaryField[(k * ny + cj) * nx + ci] * (1 + sigma * pattern[m - first][cj * nx + ci])
        }
        _ = try model.advance(&concentrations, met: met, flux: flux, boundary: boundary, communicator: comms.group)
        now = hour.advanced(by: 1)
        let metNow = try meteorologyFields(at: now)
        if !isForward && now <= config.end { try forecastFlux(at: now) }
        try observe(hour: hour, met: metNow)
        if !isForward { recordConcentrations() }
        try afterStep?(self, metNow)
    }

    /// The full 3-D field of `member` ((k * ny + j) * nx + i) on world rank 0,
    /// nil on the other ranks (collective).
    public func gatherMemberField(_ member: Int) -> [Double]? {
        let holds = members.contains(member)
        var values: [Double] = []
        if holds {
            for k in 0..<layers.count {
                for cell in tileColumns {
                    values.append(concentrations.value(member: member, cell % grid.nx, cell / grid.nx, k))
                }
            }
        }
        // Both gathers run on every rank (collectives), before any early return.
        let gatheredValues = world.gather(values, root: 0)
        let gatheredCells = world.gather(holds ? tileColumns : [], root: 0)
        guard let pieces = gatheredValues, let cells = gatheredCells else { return nil }
        let n = grid.cellCount
        var field = [Double](repeating: 0, count: n * layers.count)
        for (r, owned) in cells.enumerated() where !owned.isEmpty {
            for k in 0..<layers.count {
                for (c, cell) in owned.enumerated() { field[k * n + cell] = pieces[r][k * owned.count + c] }
            }
        }
        return field
    }

    /// The meteorology of `time`, kept for the next step, which starts from it.
    func meteorologyFields(at time: ModelHour) throws -> MetFields {
        if let cached = lastMeteorology, cached.time == time { return cached }
        let fields = try meteorology.fields(at: time)
        lastMeteorology = fields
        return fields
    }

    /// Each member's natural flux of `hour` on the tile: [component][member][tile column].
    func naturalFluxes(hour: ModelHour) -> [[[Double]]] {
        switch mode {
        case .forward(_, let source):
            let fields = source(hour)
            return fields.map { field in [tileColumns.map { field[$0] }] }
        case .assimilation:
            let slot = stateLayout.slot(ofHour: hour.value)
            return components.indices.map { component in
                members.map { m in
                    tileColumns.indices.map { c in block[column: c, variable: stateLayout.flux(slot: slot, component: component), member: m] }
                }
            }
        }
    }

    /// Concentrations of layer `k` of every member on this tile, [tile column][member]
    /// in member order (gathered from the other member groups).
    func layerAllMembers(_ k: Int) -> [[Double]] {
        var mine: [Double] = []
        mine.reserveCapacity(tileColumns.count * members.count)
        for cell in tileColumns {
            let base = concentrations.offset(cell % grid.nx, cell / grid.nx, k)
            mine.append(contentsOf: concentrations.values[base..<(base + members.count)])
        }
        return regroupByColumn(comms.tileAcrossGroups.allgather(mine))
    }

    /// Lowest-layer concentrations of every member on this tile (κ of the flux forecast).
    func lowestLayerAllMembers() -> [[Double]] { layerAllMembers(0) }

    /// Ensemble mean and spread of the analysis at the output levels, kept on
    /// rank 0 for `concentrations.nc`.
    func recordConcentrations() {
        var fields: [[Double]] = []
        for level in config.concentrationLevels {
            let statistics = layerAllMembers(level).map { meanAndSpread($0[...]) }
            fields.append(statistics.map(\.mean))
            fields.append(statistics.map(\.spread))
        }
        guard let global = gatherTileFields(fields), world.rank == 0 else { return }
        concentrationRecords.append(ConcentrationRecord(
            time: now, mean: stride(from: 0, to: global.count, by: 2).map { global[$0] },
            spread: stride(from: 1, to: global.count, by: 2).map { global[$0] }))
    }

    /// Turns per-group [tile column][group member] blocks into [tile column][member].
    func regroupByColumn(_ pieces: [[Double]]) -> [[Double]] {
        var result = [[Double]](repeating: [], count: tileColumns.count)
        for piece in pieces {
            let m = piece.count / max(1, tileColumns.count)
            for c in tileColumns.indices { result[c].append(contentsOf: piece[(c * m)..<((c + 1) * m)]) }
        }
        return result
    }

    /// The flux forecast (seed 000 Eq. 1, or GCASv2) for `hour`, admitted into
    /// the window; the hour it displaces is finished.
    func forecastFlux(at hour: ModelHour) throws {
        if let departing = window.departing(whenAdmitting: hour.value) {
            finish(slot: stateLayout.slot(ofHour: departing))
        }
        let slot = window.admit(hour.value)
        let priorFields = prior.components(at: hour)
        let priorByComponent = [priorFields.bio, priorFields.ocn]
        let generator = config.assimilation.fluxGenerator
        var lowest: [[Double]] = []
        var pastHours: [Int] = []
        if case .jdas(let jdas) = generator {
            lowest = lowestLayerAllMembers()
            pastHours = (1..<jdas.smoothingDays).map { hour.value - 24 * $0 }
        }
        var stats = SlotStatistics(hour: hour, priorMean: [], priorSpread: [], forecastMean: [], forecastSpread: [])
        for (component, fluxComponent) in components.enumerated() {
            let priorField = tileColumns.map { priorByComponent[component][$0] }
            var allMembers = [[Double]](repeating: [], count: tileColumns.count)
            var priorSpread = [Double](repeating: 0, count: tileColumns.count)
            switch generator {
            case .jdas(let jdas):
                for c in tileColumns.indices {
                    let past = pastHours.compactMap { pastAnalysisMeans[$0]?[component][c] }
                    allMembers[c] = jdas.forecast(prior: priorField[c], concentrations: lowest[c], pastAnalysisMeans: past)
                    // E^p_i = E^p + β (κ_i − κ̄) E^p: its spread is β |E^p| std(κ).
                    let mean = lowest[c].reduce(0, +) / Double(lowest[c].count)
                    let kappaSpread = meanAndSpread(lowest[c].map { $0 / mean }[...]).spread
                    priorSpread[c] = jdas.beta * abs(priorField[c]) * kappaSpread
                }
            case .gcasv2(let gcas):
                let perMember: [[Double]]
                if gcas.correlationLength > 0 {
                    let lambda = gcas.scale[fluxComponent] ?? 0
                    let patterns = correlatedPatterns(gcas, component: fluxComponent, hour: hour)
                    perMember = patterns.map { delta in
                        zip(tileColumns, priorField).map { cell, e0 in e0 + lambda * delta[cell] * e0 }
                    }
                } else {
                    perMember = (0..<memberCount).map { m in
                        gcas.member(m, component: fluxComponent, hour: hour.value, cells: tileColumns, prior: priorField)
                    }
                }
                for c in tileColumns.indices { allMembers[c] = perMember.map { $0[c] } }
                for c in tileColumns.indices { priorSpread[c] = meanAndSpread(allMembers[c][...]).spread }
            }
            let variable = stateLayout.flux(slot: slot, component: component)
            for c in tileColumns.indices {
                for m in members { block[column: c, variable: variable, member: m] = allMembers[c][m] }
            }
            let forecast = allMembers.map { meanAndSpread($0[...]) }
            stats.priorMean.append(priorField)
            stats.priorSpread.append(priorSpread)
            stats.forecastMean.append(forecast.map(\.mean))
            stats.forecastSpread.append(forecast.map(\.spread))
        }
        slotStatistics[slot] = stats
    }

    /// Every member's correlated δ (whole grid) for the draw period holding
    /// `hour`, computed once per period and component.
    func correlatedPatterns(_ gcas: GCASv2FluxPerturbation, component: FluxComponent, hour: ModelHour) -> [[Double]] {
        let period = gcas.period(ofHour: hour.value)
        if let cached = patternCache[component], cached.period == period { return cached.fields }
        if fluxNoise == nil { fluxNoise = CorrelatedNoise(grid: grid, length: gcas.correlationLength) }
        let fields = (0..<memberCount).map { gcas.pattern(member: $0, component: component, hour: hour.value, noise: fluxNoise!) }
        patternCache[component] = (period, fields)
        return fields
    }

    /// A flux hour leaves the window: its values are final (E^a). Records the
    /// statistics and keeps the mean for the flux forecast's smoothing.
    func finish(slot: Int) {
        guard let stats = slotStatistics[slot] else { return }
        var analysisMean: [[Double]] = [], analysisSpread: [[Double]] = []
        for component in components.indices {
            let variable = stateLayout.flux(slot: slot, component: component)
            var mine: [Double] = []
            for c in tileColumns.indices { for m in members { mine.append(block[column: c, variable: variable, member: m]) } }
            let all = regroupByColumn(comms.tileAcrossGroups.allgather(mine))
            let statistics = all.map { meanAndSpread($0[...]) }
            analysisMean.append(statistics.map(\.mean))
            analysisSpread.append(statistics.map(\.spread))
        }
        pastAnalysisMeans[stats.hour.value] = analysisMean
        var smoothingDays = 1
        if case .jdas(let jdas) = config.assimilation.fluxGenerator { smoothingDays = jdas.smoothingDays }
        let oldest = stats.hour.value - 24 * max(1, smoothingDays - 1)
        for key in pastAnalysisMeans.keys where key < oldest { pastAnalysisMeans[key] = nil }
        slotStatistics[slot] = nil
        let fields = [stats.priorMean, stats.priorSpread, stats.forecastMean, stats.forecastSpread, analysisMean, analysisSpread]
        let global = gatherTileFields(fields.flatMap { $0 })
        guard world.rank == 0, let global else { return }
        let n = components.count
        let prescribed = prior.components(at: stats.hour)
        fluxRecords.append(FluxHourRecord(
            hour: stats.hour, priorMean: Array(global[0..<n]), priorSpread: Array(global[n..<2 * n]),
            forecastMean: Array(global[2 * n..<3 * n]), forecastSpread: Array(global[3 * n..<4 * n]),
            analysisMean: Array(global[4 * n..<5 * n]), analysisSpread: Array(global[5 * n..<6 * n]),
            fossil: prescribed.fossil, fire: prescribed.fire, truth: nil))
    }

    /// Remaining window hours are final at the end of the period (they saw
    /// fewer than `windowHours` analyses).
    func flushWindow() throws {
        for hour in window.activeHours { finish(slot: stateLayout.slot(ofHour: hour)) }
    }

    /// Assembles tile fields (each [tile column]) of member group 0 into full
    /// grids on world rank 0, in the order given.
    func gatherTileFields(_ fields: [[Double]]) -> [[Double]]? {
        let contribution = comms.memberGroupIndex == 0 ? fields.flatMap { $0 } : []
        let columns = comms.memberGroupIndex == 0 ? tileColumns : []
        let gatheredValues = world.gather(contribution, root: 0)
        let gatheredCells = world.gather(columns, root: 0)
        guard let values = gatheredValues, let cells = gatheredCells else { return nil }
        var global = [[Double]](repeating: [Double](repeating: 0, count: grid.cellCount), count: fields.count)
        for (r, owned) in cells.enumerated() where !owned.isEmpty {
            for f in fields.indices {
                for (c, cell) in owned.enumerated() { global[f][cell] = values[r][f * owned.count + c] }
            }
        }
        return global
    }
}
