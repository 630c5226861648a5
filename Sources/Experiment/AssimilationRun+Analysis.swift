import Assimilation
import Meteorology
import ModelTime
import Observations

extension AssimilationRun {
    /// The analysis of the observations of `hour` against the state valid at
    /// its end (`now`, meteorology `met`): simulate every observation, gate the
    /// candidates (OMB), update concentrations and window fluxes with the
    /// survivors (serial EnSRF/EnKS), simulate the rest again from the analysis,
    /// and stream one row per observation (collective).
    func analyse(hour: ModelHour, met: MetFields) throws {
        let list = observationTypes.flatMap { $0.observations(in: hour) }
        guard !list.isEmpty else {
            try outputs?.diagnostics?.append(FilterDiagnostics(), time: now, inflation: inflation?.factor ?? config.assimilation.multiplicativeInflation)
            return
        }
        let N = state.memberCount, M = state.members.count
        let (priors, computed) = try phases.measure(.observationOperators) { try state.simulate(list, met: met, hour: hour) }
        let background = list.indices.map { meanAndSpread(priors[($0 * N)..<(($0 + 1) * N)]) }
        let accepted = list.indices.filter {
            list[$0].role == .candidate && abs(list[$0].value - background[$0].mean) <= list[$0].ombThreshold
        }

        var update: ObservationSpaceUpdate?
        var diagnostics = FilterDiagnostics()
        let factor = inflation?.factor ?? config.assimilation.multiplicativeInflation
        if !accepted.isEmpty {
            let batch = ObservationBatch(values: accepted.map { list[$0].value },
                                         errorVariances: accepted.map { list[$0].error * list[$0].error })
            // This rank's share of the accepted observations, as it simulated them.
            let row = Dictionary(uniqueKeysWithValues: computed.observations.enumerated().map { ($1, $0) })
            let mine = accepted.indices.filter { row[accepted[$0]] != nil }
            let piece = ObservationPriorPiece(observations: mine, members: state.members, values: mine.flatMap { a in
                computed.values[(row[accepted[a]]! * M)..<((row[accepted[a]]! + 1) * M)]
            })
            let geometry = SphericalLocalizationGeometry(columnCenters: columnCenters,
                                                         observationPoints: accepted.map { list[$0].localizationPoint },
                                                         radius: state.grid.projection.earthRadius)
            let result = phases.measure(.analysis) { () -> ObservationSpaceUpdate in
                let layers = state.layers
                // Age of each window slot's flux hour against the observations' hour.
                let ages = window.hours.map { $0.map { hour.value - $0 } }
                let filter = SerialEnSRF(configuration: config.assimilation.analysisConfiguration(
                    layout: layout, layerMidHeights: (0..<layers.count).map(layers.midHeight), inflation: factor,
                    slotAges: ages), memberCount: state.memberCount)
                // The analysis reads and changes only the columns an observation
                // reaches (cost above 1), so only those travel to the block and back.
                let reached = zip(block.columns.indices, ColumnOwnership.costs(
                    columns: block.columns, observationCount: batch.count, reach: filter.configuration.reach,
                    geometry: geometry)).filter { $0.1 > 1 }.map(\.0)
                state.copyConcentrations(&block, columns: reached, toBlock: true)
                let result = ParallelAnalysis(filter: filter).run(state: &block, allColumns: Array(0..<state.grid.cellCount),
                                                                  observations: batch, priors: piece, geometry: geometry,
                                                                  communicator: state.world)
                state.copyConcentrations(&block, columns: reached, toBlock: false)
                return result
            }
            diagnostics = FilterDiagnostics(batch: batch, update: result)
            inflation?.learn(from: diagnostics, applied: factor)
            boundaryBias?.analyse(result, points: accepted.map { list[$0].localizationPoint }, grid: state.grid)
            update = result
        }

        // H of the analysis for the observations that did not update the state.
        let acceptedSet = Set(accepted)
        let passive = list.indices.filter { !acceptedSet.contains($0) }
        var analysis = [(mean: Double, spread: Double)](repeating: (0, 0), count: list.count)
        if !passive.isEmpty {
            let after = try phases.measure(.observationOperators) {
                try state.simulate(passive.map { list[$0] }, met: met, hour: hour).all
            }
            for (p, o) in passive.enumerated() { analysis[o] = meanAndSpread(after[(p * N)..<((p + 1) * N)]) }
        }
        if let update {
            for (row, o) in accepted.enumerated() { analysis[o] = (update.posteriorMeans[row], update.posteriorSpreads[row]) }
        }
        guard let outputs else { return }
        try phases.measure(.output) { try record(list, accepted: acceptedSet, background: background, analysis: analysis,
                                                 diagnostics: diagnostics, inflation: factor, outputs: outputs) }
    }

    /// Streams the hour's diagnostics and one row per observation (rank 0).
    private func record(_ list: [any ModelObservation], accepted acceptedSet: Set<Int>,
                        background: [(mean: Double, spread: Double)], analysis: [(mean: Double, spread: Double)],
                        diagnostics: FilterDiagnostics, inflation factor: Double, outputs: RunOutputs) throws {
        try outputs.diagnostics?.append(diagnostics, time: now, inflation: factor)
        logger.debug("analysis", metadata: [
            "time": "\(now)", "observations": "\(list.count)", "assimilated": "\(acceptedSet.count)",
            "candidates": "\(list.filter { $0.role == .candidate }.count)"])
        try outputs.observations.append(list.indices.map { o in
            let status: ObservationRecord.Status = acceptedSet.contains(o) ? .assimilated
                : list[o].role == .candidate ? .rejectedOMBGate : .validation
            return ObservationRecord(list[o], analysisHour: now, status: status, background: background[o], analysis: analysis[o])
        })
    }
}
