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
        let prior = try inputs.prior(at: hour)
        let stateVector = config.assimilation.stateVector
        let cells = state.cells
        let statePriors = stateVector.statePriors(prior.field).map { field in cells.map { field[$0] } }
        let request = FluxForecastRequest(
            hour: hour.value, cells: cells, prior: statePriors, memberCount: state.memberCount, members: state.members,
            lowestLayer: generator.needsLowestLayer ? state.layerAllMembers(0) : nil,
            past: { [pastFluxHours] in pastFluxHours[$0] })
        let forecast = generator.forecast(request)
        var statistics = SlotStatistics(hour: hour, priorMean: statePriors, priorSpread: forecast.priorSpread,
                                        forecastMean: [], forecastSpread: [],
                                        prescribed: stateVector.prescribed.map { component in cells.map { prior.field(component)[$0] } })
        for (component, columns) in forecast.members.enumerated() {
            let variable = layout.flux(slot: slot, component: component)
            for (c, values) in columns.enumerated() {
                for (offset, value) in values.enumerated() {
                    block[column: c, variable: variable, member: state.members.lowerBound + offset] = value
                }
            }
            let all = state.allMembers(columns.flatMap { $0 }).map(meanAndSpread)
            statistics.forecastMean.append(all.map(\.mean))
            statistics.forecastSpread.append(all.map(\.spread))
        }
        slots[slot] = statistics
    }

    /// A flux hour leaves the window: its values are final (E^a). Keeps its
    /// mean for the generator's memory and streams its record (collective).
    func finish(slot: Int) throws {
        guard let statistics = slots[slot] else { return }
        var analysisMean: [[Double]] = [], analysisSpread: [[Double]] = []
        for component in layout.fluxComponents.indices {
            let variable = layout.flux(slot: slot, component: component)
            var mine: [Double] = []
            for c in state.cells.indices {
                for m in state.members { mine.append(block[column: c, variable: variable, member: m]) }
            }
            let all = state.allMembers(mine).map(meanAndSpread)
            analysisMean.append(all.map(\.mean))
            analysisSpread.append(all.map(\.spread))
        }
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
            analysisMean: part(4), analysisSpread: part(5), prescribed: Array(global[(6 * n)...]), truth: try truth?(hour)))
    }
}
