import Assimilation
import Geometry
import Logging
import Meteorology
import ModelTime
import Observations
import Parallel

extension CyclingEngine {
    /// One observation of the hour, as the operators see it.
    enum Item {
        case column(XCO2Observation)
        case site(code: String, record: InSituRecord)

        var points: [GeoPoint] {
            switch self {
            case .column(let o): o.soundings.map { GeoPoint(latitude: $0.latitude, longitude: $0.longitude) }
            case .site(_, let r): [r.location]
            }
        }

        func simulate(with sampler: some EnsembleColumnSampler) throws -> [Double]? {
            switch self {
            case .column(let o): try o.simulate(with: sampler)
            case .site(_, let r): try PointOperator.simulate(site: r.location, heightAboveGround: r.intakeHeight,
                                                             hour: r.hour, with: sampler)
            }
        }
    }

    /// Simulated observations of every member, [observation][member] in member
    /// order on every rank, plus this rank's own rows when it computed some.
    /// One rank per member group (its tile 0) runs the operators for the
    /// group's members over the exchanged columns.
    func simulate(_ list: [Item], met: MetFields) throws -> (all: [Double], local: [Double]) {
        var cells = Set<Int>()
        for item in list {
            for point in item.points { cells.formUnion(ExchangedColumnsSampler.neighbourhood(of: point, grid: grid)) }
        }
        let sampler = ExchangedColumnsSampler.exchange(cells: cells.sorted(), ensemble: concentrations, grid: grid,
                                                       layers: layers, met: met, hour: now.advanced(by: -1),
                                                       group: comms.group)
        var local: [Double] = []
        if comms.tileIndex == 0 {
            for item in list {
                guard let values = try item.simulate(with: sampler) else {
                    throw ExperimentError.internalFailure("an observation at \(item.points[0]) lies outside the model")
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
    /// Satellite candidates may be assimilated; thinned-out soundings and
    /// in-situ records are independent validation.
    func observe(hour: ModelHour, met: MetFields) throws {
        let candidates = observations.candidates[hour] ?? []
        let validation = (observations.validation[hour] ?? []).compactMap { sounding -> XCO2Observation? in
            guard let cell = grid.cell(containing: GeoPoint(latitude: sounding.latitude, longitude: sounding.longitude)) else {
                return nil
            }
            return XCO2Observation(soundings: [sounding], i: cell.i, j: cell.j)
        }
        let sites = (observations.inSitu[hour] ?? []).filter {
            PointOperator.location(of: $0.record.location, heightAboveGround: $0.record.intakeHeight, grid: grid,
                                   layers: layers) != nil
        }
        let list = (candidates + validation).map(Item.column) + sites.map { Item.site(code: $0.site, record: $0.record) }
        guard !list.isEmpty else { return }
        let N = memberCount
        let (priors, local) = try simulate(list, met: met)
        let background = list.indices.map { meanAndSpread(priors[($0 * N)..<(($0 + 1) * N)]) }
        let options = config.selectionOptions

        guard !isForward else {
            for (o, item) in list.enumerated() {
                record(item, candidate: o < candidates.count, status: o < candidates.count ? .assimilated : .validation,
                       options: options, background: background[o], analysis: background[o])
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
        if world.rank == 0 {
            logger.debug("analysis", metadata: [
                "time": "\(now)", "candidates": "\(candidates.count)", "assimilated": "\(kept.count)",
                "rejected_omb": "\(candidates.count - kept.count)", "validation": "\(list.count - candidates.count)"])
        }
        var keptRow = 0
        for (o, item) in list.enumerated() {
            let candidate = o < candidates.count
            if accepted.contains(o), let update {
                record(item, candidate: true, status: .assimilated, options: options, background: background[o],
                       analysis: (update.posteriorMeans[keptRow], update.posteriorSpreads[keptRow]))
                keptRow += 1
            } else {
                record(item, candidate: candidate, status: candidate ? .rejectedOMBGate : .validation, options: options,
                       background: background[o], analysis: analysisOfPassive[o]!)
            }
        }
    }

    /// The serial EnSRF configured for this run.
    var filter: SerialEnSRF {
        SerialEnSRF(configuration: config.assimilation.analysisConfiguration(
            layout: stateLayout, layerMidHeights: (0..<layers.count).map(layers.midHeight)), memberCount: memberCount)
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

    func record(_ item: Item, candidate: Bool, status: ObservationRecord.Status, options: XCO2SelectionOptions,
                background: (mean: Double, spread: Double), analysis: (mean: Double, spread: Double)) {
        guard world.rank == 0 else { return }
        let row: ObservationRecord
        switch item {
        case .column(let observation):
            let first = observation.soundings[0]
            row = ObservationRecord(
                time: first.time, analysisHour: now, latitude: first.latitude, longitude: first.longitude, kind: 0,
                set: candidate ? 0 : 1, status: status, site: "", instrument: config.instrument, value: observation.value,
                error: options.modelError(observation.uncertainty), backgroundMean: background.mean,
                backgroundSpread: background.spread, analysisMean: analysis.mean, analysisSpread: analysis.spread)
        case .site(let code, let r):
            row = ObservationRecord(
                time: r.time, analysisHour: now, latitude: r.latitude, longitude: r.longitude, kind: 1, set: 1,
                status: .validation, site: code, instrument: "insitu", value: r.value, error: 0,
                backgroundMean: background.mean, backgroundSpread: background.spread, analysisMean: analysis.mean,
                analysisSpread: analysis.spread)
        }
        observationRecords.append(row)
    }
}
