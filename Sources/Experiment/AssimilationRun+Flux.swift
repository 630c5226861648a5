import Assimilation
import ModelTime

extension AssimilationRun {
    /// The flux ensemble of `hour` from the generator, admitted into the
    /// window; the hour it displaces is finished (collective).
    func forecastFlux(at hour: ModelHour) throws {
        if let departing = window.departing(whenAdmitting: hour.value) {
            try phases.measure(.output) { try finish(slot: layout.slot(ofHour: departing)) }
        }
        let slot = window.admit(hour.value)
        let prior = try phases.measure(.inputs) { try inputs.prior(at: hour, cells: state.cells) }
        let stateVector = config.assimilation.stateVector
        let cells = state.cells
        let statePriors = stateVector.statePriors(prior.field, cells: cells)
        let request = FluxForecastRequest(
            hour: hour.value, cells: cells, prior: statePriors, memberCount: state.memberCount, members: state.members,
            lowestLayer: generator.needsLowestLayer ? state.allMembersPacked(state.transport.layer(0)) : nil,
            past: { [pastFluxHours] in pastFluxHours[$0] })
        let forecast = generator.forecast(request)
        let heldMembers = state.members.count, columnStride = block.columnStride
        block.values.withUnsafeMutableBufferPointer { values in
            for (component, packed) in forecast.packedMembers.enumerated() {
                let variable = layout.flux(slot: slot, component: component)
                packed.withUnsafeBufferPointer { packed in
                    for c in cells.indices {
                        let start = c * columnStride + variable * heldMembers
                        for m in 0..<heldMembers { values[start + m] = packed[c * heldMembers + m] }
                    }
                }
            }
        }
        slots[slot] = SlotStatistics(
            hour: hour, priorMean: statePriors, priorSpread: forecast.priorSpread,
            forecastMean: forecast.forecastMean, forecastSpread: forecast.forecastSpread,
            prescribed: stateVector.prescribed.map { component in cells.map { prior.field(component)[$0] } },
            forecastMembers: config.ensembleAveragingKernel ? forecast.packedMembers : nil)
    }

    /// A flux hour leaves the window: its values are final (E^a). Keeps its
    /// mean for the generator's memory and streams its record (collective).
    func finish(slot: Int) throws {
        guard let statistics = slots[slot] else { return }
        var analysisMean: [[Double]] = [], analysisSpread: [[Double]] = [], analysisMembers: [[[Double]]] = []
        for component in layout.fluxComponents.indices {
            let variable = layout.flux(slot: slot, component: component)
            let held = state.members.count, columnStride = block.columnStride
            var mine: [Double] = []
            mine.reserveCapacity(state.cells.count * held)
            block.values.withUnsafeBufferPointer { values in
                for c in state.cells.indices {
                    let start = c * columnStride + variable * held
                    mine.append(contentsOf: values[start..<(start + held)])
                }
            }
            let all: [(mean: Double, spread: Double)]
            if statistics.forecastMembers != nil {
                let members = state.allMembers(mine)
                all = members.map(meanAndSpread)
                analysisMembers.append(members)
            } else {
                all = state.columnStatistics(mine)
            }
            analysisMean.append(all.map(\.mean))
            analysisSpread.append(all.map(\.spread))
        }
        let kernel = averagingKernel(forecast: statistics.forecastMembers, analysis: analysisMembers)
        let hour = statistics.hour
        pastFluxHours[hour.value] = PastFluxHour(analysisMean: analysisMean, priorMean: statistics.priorMean)
        for key in pastFluxHours.keys where key < hour.value - generator.memoryHours { pastFluxHours[key] = nil }
        slots[slot] = nil
        let s = statistics
        let fields = [s.priorMean, s.priorSpread, s.forecastMean, s.forecastSpread, analysisMean, analysisSpread, s.prescribed]
        guard let global = state.gatherToGrid(fields.flatMap { $0 }), let outputs else { return }
        let n = layout.fluxComponents.count
        func part(_ k: Int) -> [[Double]] { Array(global[(k * n)..<((k + 1) * n)]) }
        try outputs.fluxes?.append(FluxHourRecord(
            hour: hour, priorMean: part(0), priorSpread: part(1), forecastMean: part(2), forecastSpread: part(3),
            analysisMean: part(4), analysisSpread: part(5), prescribed: Array(global[(6 * n)...]), truth: try truth?(hour),
            averagingKernel: kernel))
    }
}

extension AssimilationRun {
    /// The ensemble estimate of diag(K H) of a finished flux hour
    /// (``EnsembleAveragingKernel``) per component, [component][cell] on the
    /// whole grid at world rank 0; nil elsewhere and when the hour kept no
    /// forecast members (collective). `forecast`: this rank's held forecast
    /// members as generated ([component][column × held member]); `analysis`:
    /// the final members of the tile ([component][column][member]). Both
    /// Grams are formed on rank 0 from the anomalies gathered in grid order,
    /// so the result does not depend on the rank count.
    func averagingKernel(forecast: [[Double]]?, analysis: [[[Double]]]) -> [[Double]]? {
        guard let forecast else { return nil }
        var diagonals: [[Double]] = []
        for (component, held) in forecast.enumerated() {
            let xf = state.gatherAnomalies(state.allMembers(held))
            let xa = state.gatherAnomalies(analysis[component])
            if let xf, let xa {
                diagonals.append(EnsembleAveragingKernel(forecast: xf, analysis: xa, members: state.memberCount).diagonal)
            }
        }
        return state.world.rank == 0 ? diagonals : nil
    }
}
