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
    let co2: [Int: [Double]]
    let met: MetFields

    func column(i: Int, j: Int, member: Int, hour requested: ModelHour) throws -> ModelColumn {
        let cell = grid.index(i, j)
        guard requested == hour, let values = co2[cell] else {
            throw ExperimentError.internalFailure("observation operator asked for cell (\(i), \(j)) at \(requested); the exchanged columns are for \(hour) (\(co2[cell] == nil ? "cell missing" : "cell present"))")
        }
        let nz = layers.count
        return ModelColumn.extrapolatingPressures(
            co2: (0..<nz).map { values[$0 * memberCount + member] },
            pressure: (0..<nz).map { met.pressure[met.cell(i, j, $0)] },
            waterVapour: (0..<nz).map { met.waterVapour[met.cell(i, j, $0)] },
            midHeights: (0..<nz).map(layers.midHeight), topHeight: layers.top)
    }

    /// The cells the observation operators may read for a point.
    static func neighbourhood(of point: GeoPoint, grid: HorizontalGrid) -> [Int] {
        let (fi, fj) = grid.gridCoordinates(of: point)
        return ExchangedColumnsSampler.interpolationCells(fi, fj, grid: grid)
    }

    /// Collects the columns of `cells` (sorted, unique) for the group's members
    /// from every tile of the group (collective over `group`).
    /// `hour` is the observations' hour label; the columns are the state at
    /// its end (the time of `met`).
    static func exchange(cells: [Int], ensemble: TracerEnsemble, grid: HorizontalGrid, layers: VerticalLayers,
                         met: MetFields, hour: ModelHour, group: any Communicator) -> ExchangedColumnsSampler {
        let M = ensemble.memberCount, nz = layers.count
        var mine: [Int] = []
        var values: [Double] = []
        for cell in cells {
            let i = cell % grid.nx, j = cell / grid.nx
            guard ensemble.tile.iRange.contains(i) && ensemble.tile.jRange.contains(j) else { continue }
            mine.append(cell)
            for k in 0..<nz {
                let base = ensemble.offset(i, j, k)
                values.append(contentsOf: ensemble.values[base..<(base + M)])
            }
        }
        let allCells = group.allgather(mine)
        let allValues = group.allgather(values)
        var table: [Int: [Double]] = [:]
        for (r, owned) in allCells.enumerated() {
            for (n, cell) in owned.enumerated() {
                table[cell] = Array(allValues[r][(n * nz * M)..<((n + 1) * nz * M)])
            }
        }
        return ExchangedColumnsSampler(grid: grid, layers: layers, memberCount: M, hour: hour, co2: table, met: met)
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
