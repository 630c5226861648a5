import Geometry
import Meteorology
import ModelTime
import Observations

/// One observation's operator written out as the affine map it is for fixed
/// meteorology (the column operator of Kou2023 Eq. 2 and the point
/// operator both are):
///
///     H(c) = offset + Σ_(n, k) weight[n · nz + k] · c(cells[n], k),
///
/// c the CO2 of the model columns the operator reads. Found by probing the
/// observation's own operator (``ModelObservation/simulate(with:)``) with
/// columns that are zero everywhere but in one layer of one cell, so that a
/// tracer's simulated value costs one dot product instead of the operator's
/// interpolations, however many tracers there are.
struct AffineObservationOperator {
    let cells: [Int]
    let weights: [Double]
    let offset: Double

    /// The CO2 of a probe (ppm): large, so that the weights are well above
    /// the rounding of the operator's a-priori terms.
    static let probe = 1000.0

    /// Probes `observation` at `hour` (state valid at its end, meteorology `met`).
    init(_ observation: any ModelObservation, grid: HorizontalGrid, layers: VerticalLayers, met: MetFields,
         hour: ModelHour) throws {
        let cells = Array(Set(observation.cellsNeeded(in: grid))).sorted()
        let nz = layers.count, probes = 1 + cells.count * nz
        // Member 0 is all zero; member 1 + n·nz + k has `probe` in layer k of cells[n].
        var table: [Int: ArraySlice<Double>] = [:]
        for (n, cell) in cells.enumerated() {
            var values = [Double](repeating: 0, count: nz * probes)
            for k in 0..<nz { values[k * probes + 1 + n * nz + k] = Self.probe }
            table[cell] = values[...]
        }
        let sampler = ExchangedColumnsSampler(grid: grid, layers: layers, memberCount: probes, hour: hour, co2: table, met: met)
        guard let values = try observation.simulate(with: sampler) else {
            throw ExperimentError.internalFailure("an observation at \(observation.position) lies outside the model")
        }
        self.cells = cells
        offset = values[0]
        weights = (1..<probes).map { (values[$0] - values[0]) / Self.probe }
    }

    /// Σ weight · c for member slot `m` of `columns` (an exchanged-columns
    /// table of `memberCount` members): the operator without its offset.
    func linearPart(_ columns: [Int: ArraySlice<Double>], member m: Int, memberCount: Int, layers nz: Int) -> Double {
        var sum = 0.0
        for (n, cell) in cells.enumerated() {
            let column = columns[cell]!, base = column.startIndex + m
            for k in 0..<nz { sum += weights[n * nz + k] * column[base + k * memberCount] }
        }
        return sum
    }
}
