import Assimilation
import Geometry
import Meteorology
import ModelTime
import Observations
import Parallel

extension CyclingEngine {
    /// Selection options of the configured satellite stream.
    var selectionOptions: XCO2SelectionOptions {
        XCO2SelectionOptions(instrument: SatelliteInstrument(rawValue: config.instrument) ?? .gosat,
                             start: config.start, end: config.end.advanced(by: 1),
                             combination: config.combination == "thinning" ? .thinning : .superObservations,
                             ombThreshold: config.ombGate, errorInflation: config.errorInflation,
                             errorFloor: config.errorFloor)
    }

    /// Simulated observations of every member, [observation][member] in member
    /// order on every rank, plus this rank's own rows when it computed some.
    /// One rank per member group (its tile 0) runs the operators for the
    /// group's members over the exchanged columns.
    func simulate(_ list: [XCO2Observation], met: MetFields) throws -> (all: [Double], local: [Double]) {
        var cells = Set<Int>()
        for observation in list {
            for sounding in observation.soundings {
                let point = GeoPoint(latitude: sounding.latitude, longitude: sounding.longitude)
                cells.formUnion(ExchangedColumnsSampler.neighbourhood(of: point, grid: grid))
            }
        }
        let sampler = ExchangedColumnsSampler.exchange(cells: cells.sorted(), ensemble: concentrations, grid: grid,
                                                       layers: layers, met: met, hour: now.advanced(by: -1),
                                                       group: comms.group)
        var local: [Double] = []
        if comms.tileIndex == 0 {
            for observation in list {
                guard let values = try observation.simulate(with: sampler) else {
                    throw ExperimentError.internalFailure("observation at cell (\(observation.i), \(observation.j)) lies outside the grid")
                }
                local.append(contentsOf: values)
            }
        }
        let piece = ObservationPriorPiece(observations: comms.tileIndex == 0 ? Array(list.indices) : [],
                                          members: members, values: local)
        let all = ParallelAnalysis.gatherPriors(piece, observationCount: list.count, memberCount: memberCount,
                                                communicator: world)
        return (all, local)
    }

    /// Observations of `hour` against the state valid at its end (`now`): the
    /// analysis in assimilation mode, the model values in forward mode.
    func observe(hour: ModelHour, met: MetFields) throws {
        let candidates = observations.candidates[hour] ?? []
        let validation = (observations.validation[hour] ?? []).compactMap { sounding -> XCO2Observation? in
            guard let cell = grid.cell(containing: GeoPoint(latitude: sounding.latitude, longitude: sounding.longitude)) else {
                return nil
            }
            return XCO2Observation(soundings: [sounding], i: cell.i, j: cell.j)
        }
        let list = candidates + validation
        guard !list.isEmpty else { return }
        let N = memberCount
        let (priors, local) = try simulate(list, met: met)
        let background = list.indices.map { meanAndSpread(priors[($0 * N)..<(($0 + 1) * N)]) }
        let options = selectionOptions

        guard !isForward else {
            for (o, observation) in list.enumerated() {
                record(observation, set: o < candidates.count ? 0 : 1, status: o < candidates.count ? .assimilated : .validation,
                       error: options.modelError(observation.uncertainty), background: background[o], analysis: background[o])
            }
            return
        }

        // OMB gate, then the error model, on the candidates (seed 000, seed 002).
        var report = SelectionReport()
        let kept = XCO2Selector.qualityControl(
            candidates, simulated: candidates.indices.map { Array(priors[($0 * N)..<(($0 + 1) * N)]) },
            options: options, report: &report)
        var acceptedIndices: [Int] = []
        var next = 0
        for (o, observation) in candidates.enumerated() where next < kept.count && kept[next].observation == observation {
            acceptedIndices.append(o)
            next += 1
        }
        let accepted = Set(acceptedIndices)

        var update: ObservationSpaceUpdate?
        if !kept.isEmpty {
            let batch = ObservationBatch(values: kept.map(\.observation.value),
                                         errorVariances: kept.map { $0.error * $0.error })
            let M = members.count
            let subset = comms.tileIndex == 0 ? acceptedIndices.flatMap { local[($0 * M)..<(($0 + 1) * M)] } : []
            let piece = ObservationPriorPiece(observations: comms.tileIndex == 0 ? Array(kept.indices) : [],
                                              members: members, values: subset)
            let points = kept.map { location(of: $0.observation) }
            let geometry = SphericalLocalizationGeometry(columnCenters: columnCenters, observationPoints: points,
                                                         radius: grid.projection.earthRadius)
            copyConcentrations(toBlock: true)
            update = ParallelAnalysis(filter: filter).run(state: &block, allColumns: Array(0..<grid.cellCount),
                                                          observations: batch, priors: piece, geometry: geometry,
                                                          communicator: world)
            copyConcentrations(toBlock: false)
        }

        // H of the analysis for the rows that did not update the state.
        let passive = list.indices.filter { !accepted.contains($0) }
        var analysisOfPassive: [Int: (mean: Double, spread: Double)] = [:]
        if !passive.isEmpty {
            let after = try simulate(passive.map { list[$0] }, met: met).all
            for (p, o) in passive.enumerated() { analysisOfPassive[o] = meanAndSpread(after[(p * N)..<((p + 1) * N)]) }
        }
        var keptRow = 0
        for (o, observation) in list.enumerated() {
            let error = options.modelError(observation.uncertainty)
            if accepted.contains(o), let update {
                record(observation, set: 0, status: .assimilated, error: error, background: background[o],
                       analysis: (update.posteriorMeans[keptRow], update.posteriorSpreads[keptRow]))
                keptRow += 1
            } else {
                let candidate = o < candidates.count
                record(observation, set: candidate ? 0 : 1, status: candidate ? .rejectedOMBGate : .validation,
                       error: error, background: background[o], analysis: analysisOfPassive[o]!)
            }
        }
    }

    /// The serial EnSRF configured for this run.
    var filter: SerialEnSRF {
        let horizontal: HorizontalLocalization = config.localization == .gaspariCohn
            ? .gaspariCohn(cutoff: config.localizationCutoff)
            : .significance(nearDistance: 500_000, farDistance: 3_000_000, pValue: 0.05)
        let vertical = config.verticalCutoff.map {
            VerticalLocalization(cutoff: $0, variableHeights: stateLayout.variableHeights(
                layerMidHeights: (0..<layers.count).map(layers.midHeight)))
        }
        return SerialEnSRF(configuration: AnalysisConfiguration(
            horizontal: horizontal, vertical: vertical, multiplicativeInflation: config.multiplicativeInflation,
            relaxationToPriorSpread: config.relaxationToPriorSpread, inflatedVariables: stateLayout.concentrationVariables),
            memberCount: memberCount)
    }

    /// Where an observation is for localization: the sounding, or the cell
    /// centre of a super-observation.
    func location(of observation: XCO2Observation) -> GeoPoint {
        if observation.soundings.count == 1 {
            return GeoPoint(latitude: observation.soundings[0].latitude, longitude: observation.soundings[0].longitude)
        }
        return grid.center(observation.i, observation.j)
    }

    /// Copies the concentrations between the transport layout and the
    /// analysis block (both hold this rank's tile columns and members).
    func copyConcentrations(toBlock: Bool) {
        let M = members.count
        for (c, cell) in tileColumns.enumerated() {
            let i = cell % grid.nx, j = cell / grid.nx
            for k in 0..<layers.count {
                let base = concentrations.offset(i, j, k)
                let target = block.index(column: c, variable: stateLayout.concentration(layer: k), member: members.lowerBound)
                if toBlock {
                    for m in 0..<M { block.values[target + m] = concentrations.values[base + m] }
                } else {
                    for m in 0..<M { concentrations.values[base + m] = block.values[target + m] }
                }
            }
        }
    }

    func record(_ observation: XCO2Observation, set: Int8, status: ObservationRecord.Status, error: Double,
                background: (mean: Double, spread: Double), analysis: (mean: Double, spread: Double)) {
        guard world.rank == 0, observation.hour >= config.firstAssessedHour.advanced(by: -1) else { return }
        let first = observation.soundings[0]
        observationRecords.append(ObservationRecord(
            time: first.time, analysisHour: now, latitude: first.latitude, longitude: first.longitude, kind: 0, set: set,
            status: status, site: "", instrument: config.instrument, value: observation.value, error: error,
            backgroundMean: background.mean, backgroundSpread: background.spread,
            analysisMean: analysis.mean, analysisSpread: analysis.spread))
    }
}
