import Inputs
import ModelTime

extension JacobianBasis {
    /// The basis of `config`'s grid, period and state vector. With the prior
    /// shape, the prior fluxes of the whole period are read once to leave out
    /// the functions whose prior is zero in every cell and hour.
    public static func make(config: ExperimentConfig, partition: Partition, periods: Periods,
                            shape: Shape) throws -> JacobianBasis {
        let grid = config.domain.grid
        let stateVector = config.assimilation.stateVector
        func basis(keep: @escaping (Int, Int, Int) -> Bool) -> JacobianBasis {
            JacobianBasis(grid: grid, start: config.start, end: config.end, windowHours: config.assimilation.windowHours,
                          stateComponents: stateVector.components, partition: partition, periods: periods, shape: shape,
                          keep: keep)
        }
        let layout = basis { _, _, _ in true }
        guard shape == .prior else { return layout }
        // Whether any cell-hour of (component, group, period) has a non-zero prior.
        let k = layout.componentNames.count, g = layout.groupNames.count
        var active = [Bool](repeating: false, count: layout.periodCount * k * g)
        let provider = try config.priorFlux.makeProvider(domain: config.domain)
        for offset in 0..<config.hourCount {
            let hour = config.start.advanced(by: offset)
            guard let p = layout.period(of: hour) else { continue }
            let priors = stateVector.statePriors(try provider.fluxes(at: hour).field)
            for (c, field) in priors.enumerated() {
                for (cell, value) in field.enumerated() where value != 0 {
                    active[(p * k + c) * g + layout.cellGroups[cell]] = true
                }
            }
        }
        return basis { c, group, p in active[(p * k + c) * g + group] }
    }
}
