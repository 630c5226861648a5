import Assimilation
import Foundation
import ModelTime
import NetCDFIO
import Parallel

/// Everything a run needs to continue, written as one NetCDF file that does
/// not depend on the number of ranks that wrote it: fields are stored on the
/// whole grid for every member, so a run may resume on any rank count.
/// Written atomically by rank 0 (`checkpoint.nc` in the run folder); a crash
/// while writing leaves the previous checkpoint in place.
extension CyclingEngine {
    static let checkpointName = "checkpoint.nc"

    /// Saves the current state into `folder/checkpoint.nc` (collective).
    public func saveCheckpoint(in folder: URL) throws {
        let n = grid.cellCount, nz = layers.count, W = stateLayout.windowHours * components.count
        // Concentrations and window fluxes of every member, assembled on rank 0.
        var concentration: [Double] = []
        var windowFlux: [Double] = []
        for member in 0..<memberCount {
            let field = gatherMemberField(member)
            var flux: [Double] = []
            if members.contains(member) {
                for c in tileColumns.indices {
                    for v in layers.count..<stateLayout.variableCount { flux.append(block[column: c, variable: v, member: member]) }
                }
            }
            let pieces = world.gather(flux, root: 0), cells = world.gather(members.contains(member) ? tileColumns : [], root: 0)
            if world.rank == 0, let field, let pieces, let cells {
                concentration += field
                var full = [Double](repeating: 0, count: n * W)
                for (r, owned) in cells.enumerated() {
                    for (c, cell) in owned.enumerated() {
                        for v in 0..<W { full[cell * W + v] = pieces[r][c * W + v] }
                    }
                }
                windowFlux += full
            }
        }
        let slots = (0..<stateLayout.windowHours).map { slotStatistics[$0] }
        let statistics = gatherTileFields(slots.flatMap { s -> [[Double]] in
            guard let s else { return Array(repeating: [Double](repeating: 0, count: tileColumns.count), count: 4 * components.count) }
            return s.priorMean + s.priorSpread + s.forecastMean + s.forecastSpread
        })
        let pastHours = pastAnalysisMeans.keys.sorted()
        let past = gatherTileFields(pastHours.flatMap { pastAnalysisMeans[$0]! })
        guard world.rank == 0, let statistics, let past else { world.barrier(); return }

        let file = try NetCDFFile.create(folder.appendingPathComponent(Self.checkpointName).path)
        let root = file.root
        try root.setAttribute("title", .text("RCAS checkpoint"))
        try root.setAttribute("rcas_configuration", .text(config.text))
        for (name, length) in [("member", memberCount), ("z", nz), ("cell", n), ("window_variable", W),
                               ("slot", stateLayout.windowHours), ("statistic_field", 4 * components.count),
                               ("past", pastHours.count), ("record", fluxRecords.count), ("record_field", 6 * components.count + 2),
                               ("obs", observationRecords.count), ("component", components.count), ("one", 1),
                               ("concentration_record", concentrationRecords.count),
                               ("concentration_field", 2 * config.concentrationLevels.count)] {
            try root.addDimension(name, length: length)
        }
        try root.addVariable("now", type: .int64, dimensions: ["one"]).write([Int64(now.value)])
        try root.addVariable("concentration", type: .double, dimensions: ["member", "z", "cell"]).write(concentration)
        try root.addVariable("window_flux", type: .double, dimensions: ["member", "cell", "window_variable"]).write(windowFlux)
        try root.addVariable("window_hours", type: .int64, dimensions: ["slot"])
            .write(window.hours.map { Int64($0 ?? -1) })
        try root.addVariable("slot_hour", type: .int64, dimensions: ["slot"])
            .write(slots.map { Int64($0?.hour.value ?? -1) })
        try root.addVariable("slot_statistics", type: .double, dimensions: ["slot", "statistic_field", "cell"])
            .write(statistics.flatMap { $0 })
        try root.addVariable("past_hours", type: .int64, dimensions: ["past"]).write(pastHours.map(Int64.init))
        try root.addVariable("past_means", type: .double, dimensions: ["past", "component", "cell"]).write(past.flatMap { $0 })
        try root.addVariable("record_hours", type: .int64, dimensions: ["record"]).write(fluxRecords.map { Int64($0.hour.value) })
        var recordValues: [Double] = []
        for r in fluxRecords {
            for group in [r.priorMean, r.priorSpread, r.forecastMean, r.forecastSpread, r.analysisMean, r.analysisSpread,
                          [r.fossil, r.fire]] {
                for field in group { recordValues += field }
            }
        }
        try root.addVariable("records", type: .double, dimensions: ["record", "record_field", "cell"]).write(recordValues)
        try root.addVariable("concentration_record_hours", type: .int64, dimensions: ["concentration_record"])
            .write(concentrationRecords.map { Int64($0.time.value) })
        var concentrationValues: [Double] = []
        for record in concentrationRecords {
            for (mean, spread) in zip(record.mean, record.spread) { concentrationValues += mean + spread }
        }
        try root.addVariable("concentration_records", type: .double,
                             dimensions: ["concentration_record", "concentration_field", "cell"]).write(concentrationValues)
        let rows = observationRecords
        func column(_ name: String, _ values: [Double]) throws {
            try root.addVariable("obs_\(name)", type: .double, dimensions: ["obs"]).write(values)
        }
        try column("time", rows.map(\.time))
        try column("analysis_hour", rows.map { Double($0.analysisHour.value) })
        try column("latitude", rows.map(\.latitude))
        try column("longitude", rows.map(\.longitude))
        try column("kind", rows.map { Double($0.kind) })
        try column("set", rows.map { Double($0.set) })
        try column("status", rows.map { Double($0.status.rawValue) })
        try column("value", rows.map(\.value))
        try column("error", rows.map(\.error))
        try column("background_mean", rows.map(\.backgroundMean))
        try column("background_spread", rows.map(\.backgroundSpread))
        try column("analysis_mean", rows.map(\.analysisMean))
        try column("analysis_spread", rows.map(\.analysisSpread))
        try root.addVariable("obs_site", type: .string, dimensions: ["obs"]).writeStrings(rows.map(\.site))
        try root.addVariable("obs_instrument", type: .string, dimensions: ["obs"]).writeStrings(rows.map(\.instrument))
        try file.commit()
        logger.info("checkpoint written", metadata: ["time": "\(now)", "file": "\(file.path)"])
        world.barrier()
    }

    /// Restores the state saved by ``saveCheckpoint(in:)`` (every rank reads
    /// the file and takes its own tile and members).
    public func restoreCheckpoint(from folder: URL) throws {
        let path = folder.appendingPathComponent(Self.checkpointName).path
        let file = try NetCDFFile.open(path)
        let root = file.root
        let n = grid.cellCount, nz = layers.count, W = stateLayout.windowHours * components.count
        func require(_ dimension: String, _ expected: Int) throws {
            let found = try root.dimensionLength(dimension)
            guard found == expected else {
                throw ExperimentError.invalidInput("\(path): dimension '\(dimension)' is \(found), this configuration needs \(expected)")
            }
        }
        try require("member", memberCount)
        try require("z", nz)
        try require("cell", n)
        try require("window_variable", W)
        now = ModelHour(Int(try root.variable("now").read(Int64.self)[0]))
        let concentration = try root.variable("concentration").read(Double.self)
        for member in members {
            for k in 0..<nz {
                for cell in tileColumns {
                    let base = concentrations.offset(cell % grid.nx, cell / grid.nx, k)
                    concentrations.values[base + member - members.lowerBound] = concentration[(member * nz + k) * n + cell]
                }
            }
        }
        let windowFlux = try root.variable("window_flux").read(Double.self)
        for member in members {
            for (c, cell) in tileColumns.enumerated() {
                for v in 0..<W { block[column: c, variable: layers.count + v, member: member] = windowFlux[(member * n + cell) * W + v] }
            }
        }
        window = FluxWindow(layout: stateLayout)
        let hours = try root.variable("window_hours").read(Int64.self)
        for hour in hours.filter({ $0 >= 0 }).sorted() { _ = window.admit(Int(hour)) }
        let slotHours = try root.variable("slot_hour").read(Int64.self)
        let statistics = try root.variable("slot_statistics").read(Double.self)
        let fieldsPerSlot = 4 * components.count
        for (slot, hour) in slotHours.enumerated() {
            guard hour >= 0 else { slotStatistics[slot] = nil; continue }
            let fields = (0..<fieldsPerSlot).map { f in
                tileColumns.map { statistics[(slot * fieldsPerSlot + f) * n + $0] }
            }
            let C = components.count
            slotStatistics[slot] = SlotStatistics(hour: ModelHour(Int(hour)), priorMean: Array(fields[0..<C]),
                                                  priorSpread: Array(fields[C..<2 * C]),
                                                  forecastMean: Array(fields[2 * C..<3 * C]),
                                                  forecastSpread: Array(fields[3 * C..<4 * C]))
        }
        let pastHours = try root.variable("past_hours").read(Int64.self)
        let past = try root.variable("past_means").read(Double.self)
        pastAnalysisMeans = [:]
        for (p, hour) in pastHours.enumerated() {
            let C = components.count
            pastAnalysisMeans[Int(hour)] = (0..<C).map { c in tileColumns.map { past[(p * C + c) * n + $0] } }
        }
        logger.info("checkpoint read", metadata: ["time": "\(now)", "file": "\(path)"])
        guard world.rank == 0 else { return }
        let recordHours = try root.variable("record_hours").read(Int64.self)
        let records = try root.variable("records").read(Double.self)
        let F = 6 * components.count + 2, C = components.count
        fluxRecords = recordHours.enumerated().map { r, hour in
            let fields = (0..<F).map { f in Array(records[((r * F + f) * n)..<((r * F + f + 1) * n)]) }
            return FluxHourRecord(hour: ModelHour(Int(hour)), priorMean: Array(fields[0..<C]), priorSpread: Array(fields[C..<2 * C]),
                                  forecastMean: Array(fields[2 * C..<3 * C]), forecastSpread: Array(fields[3 * C..<4 * C]),
                                  analysisMean: Array(fields[4 * C..<5 * C]), analysisSpread: Array(fields[5 * C..<6 * C]),
                                  fossil: fields[6 * C], fire: fields[6 * C + 1], truth: nil)
        }
        let concentrationHours = try root.variable("concentration_record_hours").read(Int64.self)
        let concentrationValues = try root.variable("concentration_records").read(Double.self)
        let L = config.concentrationLevels.count
        concentrationRecords = concentrationHours.enumerated().map { r, hour in
            func field(_ f: Int) -> [Double] { Array(concentrationValues[((r * 2 * L + f) * n)..<((r * 2 * L + f + 1) * n)]) }
            return ConcentrationRecord(time: ModelHour(Int(hour)), mean: (0..<L).map { field(2 * $0) },
                                       spread: (0..<L).map { field(2 * $0 + 1) })
        }
        func column(_ name: String) throws -> [Double] { try root.variable("obs_\(name)").read(Double.self) }
        let time = try column("time"), analysisHour = try column("analysis_hour"), latitude = try column("latitude")
        let longitude = try column("longitude"), kind = try column("kind"), set = try column("set")
        let status = try column("status"), value = try column("value"), error = try column("error")
        let bm = try column("background_mean"), bs = try column("background_spread")
        let am = try column("analysis_mean"), aspread = try column("analysis_spread")
        let site = try root.variable("obs_site").readStrings(), instrument = try root.variable("obs_instrument").readStrings()
        observationRecords = time.indices.map { o in
            ObservationRecord(time: time[o], analysisHour: ModelHour(Int(analysisHour[o])), latitude: latitude[o],
                              longitude: longitude[o], kind: Int8(kind[o]), set: Int8(set[o]),
                              status: ObservationRecord.Status(rawValue: Int8(status[o])) ?? .validation,
                              site: site[o], instrument: instrument[o], value: value[o], error: error[o],
                              backgroundMean: bm[o], backgroundSpread: bs[o], analysisMean: am[o], analysisSpread: aspread[o])
        }
    }
}
