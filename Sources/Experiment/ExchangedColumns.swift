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
/// contributes the columns it owns, the group allgathers them (a few columns
/// per observation), and the observation operators then run on one rank per
/// group over this sampler, for that group's members only.
struct ExchangedColumnsSampler: EnsembleColumnSampler {
    let grid: HorizontalGrid
    let layers: VerticalLayers
    let memberCount: Int
    let hour: ModelHour
    /// Cell index -> CO2 values `[k * memberCount + m]`.
    let co2: [Int: ArraySlice<Double>]
    let met: MetFields

    func column(i: Int, j: Int, member: Int, hour requested: ModelHour) throws -> ModelColumn {
        let cell = grid.index(i, j)
        guard requested == hour, let values = co2[cell] else {
            throw ExperimentError.internalFailure("observation operator asked for cell (\(i), \(j)) at \(requested); the exchanged columns are for \(hour) (\(co2[cell] == nil ? "cell missing" : "cell present"))")
        }
        let nz = layers.count, base = values.startIndex
        return ModelColumn.extrapolatingPressures(
            co2: (0..<nz).map { values[base + $0 * memberCount + member] },
            pressure: (0..<nz).map { met.pressure[met.cell(i, j, $0)] },
            waterVapour: (0..<nz).map { met.waterVapour[met.cell(i, j, $0)] },
            midHeights: (0..<nz).map(layers.midHeight), topHeight: layers.top)
    }
}

extension EnsembleState {
    /// The columns of `cells` for this group's members, gathered from the
    /// group's tiles (collective over the group). `hour` is the
    /// observations' hour label; the columns are the state at its end (the
    /// time of `met`).
    func exchangedColumns(_ cells: [Int], met: MetFields, hour: ModelHour) -> ExchangedColumnsSampler {
        let owned = Set(self.cells)
        let mine = cells.filter(owned.contains)
        let allCells = comms.group.allgather(mine)
        let allValues = comms.group.allgather(transport.columns(at: mine))
        let width = layers.count * members.count
        var table: [Int: ArraySlice<Double>] = [:]
        for (r, list) in allCells.enumerated() {
            for (n, cell) in list.enumerated() { table[cell] = allValues[r][(n * width)..<((n + 1) * width)] }
        }
        return ExchangedColumnsSampler(grid: grid, layers: layers, memberCount: members.count, hour: hour, co2: table,
                                       met: met)
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
