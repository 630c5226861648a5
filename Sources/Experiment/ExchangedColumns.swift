import Assimilation
import Geometry
import Meteorology
import ModelTime
import Observations
import Parallel
import Transport

/// Model columns of one member group at the cells the observation operators
/// need, collected from the group's tiles.
///
/// Observations sit anywhere on the grid and bilinear interpolation reads the
/// four surrounding columns, which may belong to different tiles. Each tile
/// contributes the columns it owns (CO2, and the pressure and water vapour
/// of its own meteorology, which may cover only its region), the group
/// allgathers them (a few columns per observation), and the observation
/// operators then run on any rank of the group over this sampler, for that
/// group's members only.
struct ExchangedColumnsSampler: EnsembleColumnSampler {
    let grid: HorizontalGrid
    let layers: VerticalLayers
    let memberCount: Int
    let hour: ModelHour
    /// Cell index -> CO2 values `[k * memberCount + m]`.
    let co2: [Int: ArraySlice<Double>]
    /// Cell index -> the column's pressure (Pa) then water-vapour mole
    /// fraction, `[k]` and `[nz + k]`.
    let meteorology: [Int: ArraySlice<Double>]

    /// Columns whose meteorology is read from `met` (which must hold every cell of `co2`).
    init(grid: HorizontalGrid, layers: VerticalLayers, memberCount: Int, hour: ModelHour, co2: [Int: ArraySlice<Double>],
         met: MetFields) {
        self.init(grid: grid, layers: layers, memberCount: memberCount, hour: hour, co2: co2,
                  meteorology: Dictionary(uniqueKeysWithValues: co2.keys.map { ($0, Self.meteorologyColumn(met, cell: $0)[...]) }))
    }

    init(grid: HorizontalGrid, layers: VerticalLayers, memberCount: Int, hour: ModelHour, co2: [Int: ArraySlice<Double>],
         meteorology: [Int: ArraySlice<Double>]) {
        self.grid = grid
        self.layers = layers
        self.memberCount = memberCount
        self.hour = hour
        self.co2 = co2
        self.meteorology = meteorology
    }

    /// Pressure then water vapour of `cell`'s column, as ``meteorology`` holds them.
    static func meteorologyColumn(_ met: MetFields, cell: Int) -> [Double] {
        let cells = met.nx * met.ny
        return (0..<met.nz).map { met.pressure[$0 * cells + cell] } + (0..<met.nz).map { met.waterVapour[$0 * cells + cell] }
    }

    func column(i: Int, j: Int, member: Int, hour requested: ModelHour) throws -> ModelColumn {
        let cell = grid.index(i, j)
        guard requested == hour, let values = co2[cell], let met = meteorology[cell] else {
            throw ExperimentError.internalFailure("observation operator asked for cell (\(i), \(j)) at \(requested); the exchanged columns are for \(hour) (\(co2[cell] == nil ? "cell missing" : "cell present"))")
        }
        let nz = layers.count, base = values.startIndex, metBase = met.startIndex
        return ModelColumn.extrapolatingPressures(
            co2: (0..<nz).map { values[base + $0 * memberCount + member] },
            pressure: (0..<nz).map { met[metBase + $0] },
            waterVapour: (0..<nz).map { met[metBase + nz + $0] },
            midHeights: (0..<nz).map(layers.midHeight), topHeight: layers.top)
    }
}

extension EnsembleState {
    /// The columns of `cells` for this group's members, gathered from the
    /// group's tiles with their meteorology from `met` (which holds at least
    /// each tile's own cells; collective over the group). `hour` is the
    /// observations' hour label; the columns are the state at its end (the
    /// time of `met`).
    func exchangedColumns(_ cells: [Int], met: MetFields, hour: ModelHour) -> ExchangedColumnsSampler {
        let owned = Set(self.cells)
        let mine = cells.filter(owned.contains)
        let allCells = comms.group.allgather(mine)
        let co2Width = layers.count * members.count, metWidth = 2 * layers.count, width = co2Width + metWidth
        let co2 = transport.columns(at: mine)
        var sent: [Double] = []
        sent.reserveCapacity(mine.count * width)
        for (n, cell) in mine.enumerated() {
            sent.append(contentsOf: co2[(n * co2Width)..<((n + 1) * co2Width)])
            sent.append(contentsOf: ExchangedColumnsSampler.meteorologyColumn(met, cell: cell))
        }
        let allValues = comms.group.allgather(sent)
        var table: [Int: ArraySlice<Double>] = [:], meteorology: [Int: ArraySlice<Double>] = [:]
        for (r, list) in allCells.enumerated() {
            for (n, cell) in list.enumerated() {
                table[cell] = allValues[r][(n * width)..<(n * width + co2Width)]
                meteorology[cell] = allValues[r][(n * width + co2Width)..<((n + 1) * width)]
            }
        }
        return ExchangedColumnsSampler(grid: grid, layers: layers, memberCount: members.count, hour: hour, co2: table,
                                       meteorology: meteorology)
    }

    /// Simulated observations of every member, [observation][member] in member
    /// order on every rank, and the piece this rank computed: the tiles of
    /// each member group share the observations (observation o on tile o
    /// modulo the group's tile count; after the exchange every tile holds
    /// every column needed), each for its group's members. Collective.
    func simulate(_ list: [any ModelObservation], met: MetFields, hour: ModelHour) throws
        -> (all: [Double], local: ObservationPriorPiece) {
        var cells = Set<Int>()
        for observation in list { cells.formUnion(observation.cellsNeeded(in: grid)) }
        let sampler = exchangedColumns(cells.sorted(), met: met, hour: hour)
        let tiles = comms.layout.tilesPerGroup
        let mine = list.indices.filter { $0 % tiles == comms.tileIndex }
        var local: [Double] = []
        for o in mine {
            guard let values = try list[o].simulate(with: sampler) else {
                throw ExperimentError.internalFailure("an observation at \(list[o].position) lies outside the model")
            }
            local.append(contentsOf: values)
        }
        let piece = ObservationPriorPiece(observations: mine, members: members, values: local)
        let all = ParallelAnalysis.gatherPriors(piece, observationCount: list.count, memberCount: memberCount,
                                                communicator: world)
        return (all, piece)
    }
}

/// A failure of the experiment driver.
public enum ExperimentError: Error, CustomStringConvertible {
    case invalidInput(String)
    case internalFailure(String)
    /// The run stopped on request after writing a checkpoint valid at this time.
    case stopRequested(ModelHour)

    public var description: String {
        switch self {
        case .invalidInput(let message): message
        case .internalFailure(let message): "internal error: \(message)"
        case .stopRequested(let time): "stopped on request; checkpoint at \(time)"
        }
    }
}
