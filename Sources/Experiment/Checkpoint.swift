import Assimilation
import Foundation
import ModelTime
import NetCDFIO
import Parallel

/// What the next hour needs, written as one NetCDF file that does not depend
/// on the number of ranks that wrote it (fields on the whole grid for every
/// member, so a run may resume on any rank count): the concentrations, the
/// window fluxes and their statistics (with `outputs.ensemble_averaging_kernel`
/// also their forecast members as generated), the analysis means the
/// generator remembers, and where each streamed output file stands. Its size does not
/// grow with the length of the run. Written atomically by rank 0
/// (`checkpoint.nc` in the run folder); a crash while writing leaves the
/// previous checkpoint in place.
extension AssimilationRun {
    static let checkpointName = "checkpoint.nc"
    /// Members whose values one pass over the ensemble takes for the checkpoint.
    static let checkpointMemberGroup = 8

    /// Statistics fields per window slot: prior mean and spread, forecast mean
    /// and spread per component, then the prescribed components.
    var slotFieldCount: Int { 4 * layout.fluxComponents.count + config.assimilation.stateVector.prescribed.count }
    /// Past flux hours kept: one per hour of the generator's memory.
    var memorySlots: Int { generator.memoryHours + 1 }

    /// Saves the current state into `folder/checkpoint.nc` (collective).
    /// Rank 0 creates the file first and writes each member's fields as they
    /// are gathered, so no whole-ensemble array is built.
    public func saveCheckpoint(in folder: URL) throws {
        let n = state.grid.cellCount, nz = state.layers.count, C = layout.fluxComponents.count
        let W = layout.windowHours * C
        let writer = try outputs.map { outputs in
            let positions = try outputs.sync()
            let file = try NetCDFFile.create(folder.appendingPathComponent(Self.checkpointName).path)
            return (positions, file)
        }
        let F = FluxOutputStream.variables(state: config.assimilation.stateVector, truth: truth != nil,
                                           averagingKernel: config.ensembleAveragingKernel).count
        var members: (concentration: NetCDFVariable, flux: NetCDFVariable, forecast: NetCDFVariable?)?
        if let root = writer?.1.root {
            try root.setAttribute("title", .text("RCAS checkpoint"))
            try root.setAttribute("rcas_configuration", .text(config.resolvedText))
            try root.setAttribute("rcas_configuration_sha256", .text(ConfigurationFingerprint(config).digest.description))
            for (name, length) in [("member", state.memberCount), ("z", nz), ("cell", n), ("window_variable", W),
                                   ("slot", layout.windowHours), ("statistic_field", slotFieldCount), ("memory", memorySlots),
                                   ("component", C), ("past_field", 2 * C), ("flux_field", F), ("one", 1)] {
                try root.addDimension(name, length: length)
            }
            // Written whole, member by member below.
            members = (try root.addVariable("concentration", type: .double, dimensions: ["member", "z", "cell"],
                                            prefilled: false),
                       try root.addVariable("window_flux", type: .double, dimensions: ["member", "cell", "window_variable"],
                                            prefilled: false),
                       config.ensembleAveragingKernel
                           ? try root.addVariable("window_forecast_flux", type: .double,
                                                  dimensions: ["member", "cell", "window_variable"], prefilled: false) : nil)
        }
        let columns = state.transport.columns()
        // The held members' values, taken a group of members at a time.
        var taken: (group: Range<Int>, concentration: [[Double]], flux: [[Double]]) = (0..<0, [], [])
        for member in 0..<state.memberCount {
            if state.members.contains(member) && !taken.group.contains(member) {
                let group = member..<min(member + Self.checkpointMemberGroup, state.members.upperBound)
                taken = (group,
                         columns.withUnsafeBufferPointer {
                             state.memberValues(group, in: $0, variables: nz, first: 0, width: nz)
                         },
                         block.values.withUnsafeBufferPointer {
                             state.memberValues(group, in: $0, variables: block.variableCount, first: nz, width: W)
                         })
            }
            let field = state.gatherConcentrationField(member) { taken.concentration[member - taken.group.lowerBound] }
            let flux = state.gatherMember(member, width: W) { taken.flux[member - taken.group.lowerBound] }
            let forecast = config.ensembleAveragingKernel
                ? state.gatherMember(member, width: W) { forecastMembers(of: member) } : nil
            if let members, let field, let flux {
                try members.concentration.write(field, start: [member, 0, 0], count: [1, nz, n])
                try members.flux.write(flux, start: [member, 0, 0], count: [1, n, W])
                if let forecast { try members.forecast?.write(forecast, start: [member, 0, 0], count: [1, n, W]) }
            }
        }
        let empty = [Double](repeating: 0, count: state.cells.count)
        let statistics = state.gatherToGrid(slots.flatMap { s -> [[Double]] in
            guard let s else { return Array(repeating: empty, count: slotFieldCount) }
            return s.priorMean + s.priorSpread + s.forecastMean + s.forecastSpread + s.prescribed
        })
        let pastHours = pastFluxHours.keys.sorted()
        let memory = (0..<memorySlots).map { $0 < pastHours.count ? pastHours[$0] : -1 }
        let none = Array(repeating: empty, count: C)
        let past = state.gatherToGrid(memory.flatMap { hour in
            pastFluxHours[hour].map { $0.analysisMean + $0.priorMean } ?? none + none
        })
        guard let (positions, file) = writer, let statistics, let past else {
            state.world.barrier()
            return
        }
        let root = file.root
        func scalar(_ name: String, _ value: Int) throws {
            try root.addVariable(name, type: .int64, dimensions: ["one"]).write([Int64(value)])
        }
        try scalar("now", now.value)
        try root.addVariable("window_hours", type: .int64, dimensions: ["slot"]).write(window.hours.map { Int64($0 ?? -1) })
        try root.addVariable("slot_hour", type: .int64, dimensions: ["slot"]).write(slots.map { Int64($0?.hour.value ?? -1) })
        try root.addVariable("slot_statistics", type: .double, dimensions: ["slot", "statistic_field", "cell"])
            .write(statistics.flatMap { $0 })
        try root.addVariable("past_hours", type: .int64, dimensions: ["memory"]).write(memory.map(Int64.init))
        try root.addVariable("past_means", type: .double, dimensions: ["memory", "past_field", "cell"]).write(past.flatMap { $0 })
        try scalar("flux_records", positions.fluxes.records)
        try scalar("flux_pending_day", positions.fluxes.pendingDay)
        try scalar("flux_pending_hours", positions.fluxes.pendingHours)
        let sums = positions.fluxes.pendingSums.isEmpty
            ? [Double](repeating: 0, count: F * n) : positions.fluxes.pendingSums.flatMap { $0 }
        try root.addVariable("flux_pending_sums", type: .double, dimensions: ["flux_field", "cell"]).write(sums)
        try scalar("observation_rows", positions.observations)
        try scalar("concentration_records", positions.concentrations)
        try scalar("diagnostics_records", positions.diagnostics)
        try root.addVariable("inflation_factor", type: .double, dimensions: ["one"]).write([inflation?.factor ?? 1])
        if let bias = boundaryBias { try saveBoundaryBias(bias, in: root) }
        try file.commit()
        logger.info("checkpoint written", metadata: ["time": "\(now)", "file": "\(file.path)"])
        state.world.barrier()
    }

    /// Restores the state saved by ``saveCheckpoint(in:)`` (every rank reads
    /// the file and takes its own tile and members); returns where the output
    /// files stand.
    func restoreCheckpoint(from folder: URL) throws -> RunOutputs.Positions {
        let path = folder.appendingPathComponent(Self.checkpointName).path
        let file = try NetCDFFile.open(path)
        let root = file.root
        let n = state.grid.cellCount, nz = state.layers.count, C = layout.fluxComponents.count
        let W = layout.windowHours * C
        for (dimension, expected) in [("member", state.memberCount), ("z", nz), ("cell", n), ("window_variable", W),
                                      ("statistic_field", slotFieldCount), ("memory", memorySlots)] {
            let found = try root.dimensionLength(dimension)
            guard found == expected else {
                throw ExperimentError.invalidInput("\(path): dimension '\(dimension)' is \(found), this configuration needs \(expected)")
            }
        }
        func scalar(_ name: String) throws -> Int { Int(try root.variable(name).read(Int64.self)[0]) }
        now = ModelHour(try scalar("now"))
        let concentration = try root.variable("concentration").read(Double.self)
        let windowFlux = try root.variable("window_flux").read(Double.self)
        let cells = state.cells
        for member in state.members {
            for (c, cell) in cells.enumerated() {
                for k in 0..<nz {
                    block[column: c, variable: k, member: member] = concentration[(member * nz + k) * n + cell]
                }
                for v in 0..<W { block[column: c, variable: nz + v, member: member] = windowFlux[(member * n + cell) * W + v] }
            }
        }
        state.copyConcentrations(&block, toBlock: false)
        window = FluxWindow(layout: layout)
        for hour in try root.variable("window_hours").read(Int64.self).filter({ $0 >= 0 }).sorted() {
            _ = window.admit(Int(hour))
        }
        let slotHours = try root.variable("slot_hour").read(Int64.self)
        let statistics = try root.variable("slot_statistics").read(Double.self)
        let F = slotFieldCount
        for (slot, hour) in slotHours.enumerated() {
            guard hour >= 0 else { slots[slot] = nil; continue }
            let fields = (0..<F).map { f in cells.map { statistics[(slot * F + f) * n + $0] } }
            slots[slot] = SlotStatistics(hour: ModelHour(Int(hour)), priorMean: Array(fields[0..<C]),
                                         priorSpread: Array(fields[C..<2 * C]), forecastMean: Array(fields[2 * C..<3 * C]),
                                         forecastSpread: Array(fields[3 * C..<4 * C]),
                                         prescribed: Array(fields[(4 * C)...]))
        }
        if config.ensembleAveragingKernel { try restoreForecastMembers(from: root, path: path) }
        let pastHours = try root.variable("past_hours").read(Int64.self)
        let past = try root.variable("past_means").read(Double.self)
        pastFluxHours = [:]
        for (p, hour) in pastHours.enumerated() where hour >= 0 {
            let fields = (0..<2 * C).map { f in cells.map { past[(p * 2 * C + f) * n + $0] } }
            pastFluxHours[Int(hour)] = PastFluxHour(analysisMean: Array(fields[0..<C]), priorMean: Array(fields[C...]))
        }
        let sums = try root.variable("flux_pending_sums").read(Double.self)
        let pendingHours = try scalar("flux_pending_hours")
        let fluxFields = try root.dimensionLength("flux_field")
        let position = StreamPosition(
            records: try scalar("flux_records"), pendingDay: try scalar("flux_pending_day"), pendingHours: pendingHours,
            pendingSums: pendingHours > 0 ? (0..<fluxFields).map { Array(sums[($0 * n)..<(($0 + 1) * n)]) } : [])
        logger.info("checkpoint read", metadata: ["time": "\(now)", "file": "\(path)"])
        if let adaptive = inflation {
            inflation = AdaptiveInflation(maximum: adaptive.maximum, relaxation: adaptive.relaxation,
                                          factor: try root.variable("inflation_factor").read(Double.self)[0])
        }
        if let settings = config.boundaryBias { try restoreBoundaryBias(settings, from: root, path: path) }
        return RunOutputs.Positions(fluxes: position, observations: try scalar("observation_rows"),
                                    concentrations: try scalar("concentration_records"),
                                    diagnostics: try scalar("diagnostics_records"))
    }
}

extension AssimilationRun {
    /// `member`'s kept forecast fluxes of this rank's columns, [column][slot ×
    /// component] flattened (0 in empty slots), for the checkpoint.
    func forecastMembers(of member: Int) -> [Double] {
        let C = layout.fluxComponents.count, held = state.members.count, m = member - state.members.lowerBound
        return state.cells.indices.flatMap { c in
            slots.flatMap { slot in (0..<C).map { slot?.forecastMembers?[$0][c * held + m] ?? 0 } }
        }
    }

    /// Gives every occupied window slot its forecast members back from the
    /// checkpoint's `window_forecast_flux` (this rank's columns and members).
    func restoreForecastMembers(from root: NetCDFGroup, path: String) throws {
        guard root.hasVariable("window_forecast_flux") else {
            throw ExperimentError.invalidInput("\(path): holds no forecast flux members (written with "
                                               + "outputs.ensemble_averaging_kernel off); this configuration needs them")
        }
        let values = try root.variable("window_forecast_flux").read(Double.self)
        let n = state.grid.cellCount, C = layout.fluxComponents.count, W = layout.windowHours * C
        for slot in slots.indices where slots[slot] != nil {
            slots[slot]?.forecastMembers = (0..<C).map { component in
                state.cells.flatMap { cell in
                    state.members.map { values[($0 * n + cell) * W + slot * C + component] }
                }
            }
        }
    }

    /// Where the boundary-bias series of an unfinished run stands (rewritten
    /// whole at every checkpoint, so the checkpoint keeps a fixed size).
    var boundaryBiasPartialPath: String { OutputFile.partialPath(folder.appendingPathComponent(BoundaryBiasFile.name).path) }

    /// The boundary-bias members ([element][member]) and how many hourly
    /// records the series holds; the series itself goes to
    /// `boundary_bias.nc.partial` first (rank 0).
    func saveBoundaryBias(_ bias: BoundaryBiasEnsemble, in root: NetCDFGroup) throws {
        try BoundaryBiasFile.write(boundaryBiasRecords, settings: bias.settings, imposed: config.imposedBoundaryBias,
                                   config: config, to: boundaryBiasPartialPath)
        try root.addDimension("bias_element", length: bias.settings.elementCount)
        try root.addVariable("boundary_bias_members", type: .double, dimensions: ["bias_element", "member"]).write(bias.values)
        try root.addVariable("boundary_bias_records", type: .int64, dimensions: ["one"]).write([Int64(boundaryBiasRecords.count)])
    }

    func restoreBoundaryBias(_ settings: BoundaryBiasSettings, from root: NetCDFGroup, path: String) throws {
        let n = settings.elementCount
        guard root.hasVariable("boundary_bias_members") else {
            throw ExperimentError.invalidInput("\(path): holds no boundary-bias elements, but this configuration has a boundary_bias section")
        }
        let values = try root.variable("boundary_bias_members").read(Double.self)
        guard values.count == n * state.memberCount, values.allSatisfy(\.isFinite) else {
            throw ExperimentError.invalidInput("\(path): variable 'boundary_bias_members' has \(values.count) values "
                                               + "(needs \(n * state.memberCount), all finite)")
        }
        boundaryBias?.values = values
        let count = Int(try root.variable("boundary_bias_records").read(Int64.self)[0])
        boundaryBiasRecords = try BoundaryBiasFile.read(boundaryBiasPartialPath, elements: n, records: count)
    }
}
