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
/// previous checkpoint in place. The checkpoint before it is kept as a
/// spare (`.checkpoint.nc.spare`) that the next checkpoint writes over in
/// place, which is several times faster than filling a new file; the run
/// removes it when it ends or stops.
extension AssimilationRun {
    static let checkpointName = "checkpoint.nc"
    static let spareCheckpointName = ".checkpoint.nc.spare"
    /// Columns of the ensemble fields a checkpoint writes per call and sends
    /// per message (about a megabyte at N = 50).
    static let checkpointColumnsPerWrite = 32
    /// The tag of the messages that bring the other ranks' columns to rank 0.
    static let checkpointTag = 7_301

    /// Statistics fields per window slot: prior mean and spread, forecast mean
    /// and spread per component, then the prescribed components.
    var slotFieldCount: Int { 4 * layout.fluxComponents.count + config.assimilation.stateVector.prescribed.count }
    /// Past flux hours kept: one per hour of the generator's memory.
    var memorySlots: Int { generator.memoryHours + 1 }

    /// The checkpoint's dimensions and variables (each written whole).
    var checkpointSchema: (dimensions: [(name: String, length: Int)],
                           variables: [(name: String, type: NetCDFType, dimensions: [String])]) {
        let C = layout.fluxComponents.count
        let F = FluxOutputStream.variables(state: config.assimilation.stateVector, truth: truth != nil,
                                           averagingKernel: config.ensembleAveragingKernel).count
        var dimensions = [("member", state.memberCount), ("z", state.layers.count), ("cell", state.grid.cellCount),
                          ("window_variable", layout.windowHours * C), ("slot", layout.windowHours),
                          ("statistic_field", slotFieldCount), ("memory", memorySlots), ("component", C),
                          ("past_field", 2 * C), ("flux_field", F), ("one", 1)]
        var variables: [(String, NetCDFType, [String])] = [
            ("concentration", .double, ["cell", "z", "member"]),
            ("window_flux", .double, ["cell", "window_variable", "member"]),
            ("slot_statistics", .double, ["slot", "statistic_field", "cell"]),
            ("past_means", .double, ["memory", "past_field", "cell"]),
            ("window_hours", .int64, ["slot"]), ("slot_hour", .int64, ["slot"]), ("past_hours", .int64, ["memory"]),
            ("flux_pending_sums", .double, ["flux_field", "cell"]), ("inflation_factor", .double, ["one"]),
        ]
        for name in ["now", "flux_records", "flux_pending_day", "flux_pending_hours", "observation_rows",
                     "concentration_records", "diagnostics_records"] {
            variables.append((name, .int64, ["one"]))
        }
        if config.ensembleAveragingKernel {
            variables.append(("window_forecast_flux", .double, ["cell", "window_variable", "member"]))
        }
        if let bias = boundaryBias {
            dimensions.append(("bias_element", bias.settings.elementCount))
            variables += [("boundary_bias_members", .double, ["bias_element", "member"]),
                          ("boundary_bias_records", .int64, ["one"])]
        }
        return (dimensions.map { (name: $0.0, length: $0.1) }, variables.map { (name: $0.0, type: $0.1, dimensions: $0.2) })
    }

    /// Removes the spare when the run ends or stops (rank 0): it only speeds
    /// up the next checkpoint of this process, and a stopped run may wait
    /// long for its resume.
    func removeSpareCheckpoint() {
        if outputs != nil { unlink(folder.appendingPathComponent(Self.spareCheckpointName).path) }
    }

    /// The checkpoint's global attributes.
    var checkpointAttributes: [(name: String, value: NetCDFAttribute)] {
        [("title", .text("RCAS checkpoint")), ("rcas_configuration", .text(config.resolvedText)),
         ("rcas_configuration_sha256", .text(ConfigurationFingerprint(config).digest.description))]
    }

    /// The checkpoint file about to be written in `folder`, its global
    /// attributes set, and its variables by name (rank 0): the spare written
    /// over in place when it has exactly this run's dimensions, variables and
    /// attribute names, otherwise a new file.
    func checkpointFile(in folder: URL) throws -> (file: NetCDFFile, variables: [String: NetCDFVariable]) {
        let path = folder.appendingPathComponent(Self.checkpointName).path
        let spare = folder.appendingPathComponent(Self.spareCheckpointName).path
        let schema = checkpointSchema, attributes = checkpointAttributes
        func withAttributes(_ file: NetCDFFile) throws -> NetCDFFile {
            for (name, value) in attributes { try file.root.setAttribute(name, value) }
            return file
        }
        func matching(_ root: NetCDFGroup) throws -> [String: NetCDFVariable]? {
            guard try root.dimensionNames().sorted() == schema.dimensions.map(\.name).sorted(),
                  try schema.dimensions.allSatisfy({ try root.dimensionLength($0.name) == $0.length }),
                  try root.variableNames().sorted() == schema.variables.map(\.name).sorted(),
                  try root.attributeNames().sorted() == attributes.map(\.name).sorted() else { return nil }
            var variables: [String: NetCDFVariable] = [:]
            for (name, type, dimensions) in schema.variables {
                let variable = try root.variable(name)
                guard try variable.type() == type, try variable.dimensionNames() == dimensions else { return nil }
                variables[name] = variable
            }
            return variables
        }
        if FileManager.default.fileExists(atPath: spare) {
            // A spare that cannot be reopened or does not fit (another
            // configuration, a damaged file) is simply replaced.
            if let file = try? NetCDFFile.rewrite(spare, as: path) {
                if let variables = try? matching(file.root) { return (try withAttributes(file), variables) }
                file.close()
            }
        }
        let file = try withAttributes(NetCDFFile.create(path, keepingPreviousAs: spare))
        let root = file.root
        for (name, length) in schema.dimensions { try root.addDimension(name, length: length) }
        var variables: [String: NetCDFVariable] = [:]
        for (name, type, dimensions) in schema.variables {
            variables[name] = try root.addVariable(name, type: type, dimensions: dimensions, prefilled: false)
        }
        return (file, variables)
    }

    /// Saves the current state into `folder/checkpoint.nc` (collective).
    /// The ensemble fields are stored members fastest, as the ensemble block
    /// holds them (`concentration(cell, z, member)`, `window_flux(cell,
    /// window_variable, member)`): rank 0 opens the file first and writes
    /// each rank's columns as they arrive, one rank at a time, in runs of
    /// consecutive cells, without transposing anything. Every variable is
    /// written whole, so a spare written over in place keeps nothing old.
    public func saveCheckpoint(in folder: URL) throws {
        let n = state.grid.cellCount, nz = state.layers.count, C = layout.fluxComponents.count
        let W = layout.windowHours * C
        let writer = try outputs.map { outputs in
            let positions = try outputs.sync()
            let (file, variables) = try checkpointFile(in: folder)
            return (positions, file, variables)
        }
        // The ensemble fields and the values each holds per column and member.
        var ensembleFields: [(variable: NetCDFVariable, width: Int)] = []
        if let (_, _, variables) = writer {
            ensembleFields = [(variables["concentration"]!, nz), (variables["window_flux"]!, W)]
            if let forecast = variables["window_forecast_flux"] { ensembleFields.append((forecast, W)) }
        }
        // Rank 0 writes its own columns a few at a time straight from its
        // state, then each other rank's as they arrive in pieces of the same
        // size (point to point, one rank after the other), so nobody copies
        // its whole ensemble. Writes stay small: NetCDF-HDF5 wrote one 170 MB
        // hyperslab several times slower than the same bytes in pieces of
        // about a megabyte.
        let step = Self.checkpointColumnsPerWrite
        let owners = state.world.gather(state.cells + [state.members.lowerBound, state.members.upperBound], root: 0)
        func write(_ piece: [Double], cells: ArraySlice<Int>, members: Range<Int>) throws {
            var offset = 0
            for (variable, width) in ensembleFields {
                let columnValues = width * members.count
                var c = cells.startIndex
                while c < cells.endIndex {
                    var end = c + 1
                    while end < cells.endIndex && cells[end] == cells[end - 1] + 1 { end += 1 }
                    let first = offset + (c - cells.startIndex) * columnValues
                    try variable.write(piece[first..<(first + (end - c) * columnValues)],
                                       start: [cells[c], 0, members.lowerBound], count: [end - c, width, members.count])
                    c = end
                }
                offset += cells.count * columnValues
            }
        }
        func pieces(of count: Int) -> [Range<Int>] {
            stride(from: 0, to: count, by: step).map { $0..<min($0 + step, count) }
        }
        if let owners {
            for columns in pieces(of: state.cells.count) where writer != nil {
                try write(ensemblePart(columns), cells: state.cells[columns],
                          members: state.members)
            }
            for (r, owner) in owners.enumerated().dropFirst() {
                let cells = owner.dropLast(2), members = owner[owner.count - 2]..<owner[owner.count - 1]
                for columns in pieces(of: cells.count) {
                    let piece = state.world.receive(Double.self, from: r, tag: Self.checkpointTag)
                    if writer != nil {
                        try write(piece, cells: cells[(cells.startIndex + columns.lowerBound)..<(cells.startIndex + columns.upperBound)],
                                  members: members)
                    }
                }
            }
        } else {
            for columns in pieces(of: state.cells.count) {
                state.world.send(ensemblePart(columns), to: 0, tag: Self.checkpointTag)
            }
        }
        let empty = [Double](repeating: 0, count: state.cells.count)
        let pastHours = pastFluxHours.keys.sorted()
        let memory = (0..<memorySlots).map { $0 < pastHours.count ? pastHours[$0] : -1 }
        let none = Array(repeating: empty, count: C)
        // Whole-grid fields of (a, b, cell) variables, written one field (a, b) at a time.
        for (name, inner, fields) in [
            ("slot_statistics", slotFieldCount, slots.flatMap { s -> [[Double]] in
                guard let s else { return Array(repeating: empty, count: slotFieldCount) }
                return s.priorMean + s.priorSpread + s.forecastMean + s.forecastSpread + s.prescribed
            }),
            ("past_means", 2 * C, memory.flatMap { hour in
                pastFluxHours[hour].map { $0.analysisMean + $0.priorMean } ?? none + none
            }),
        ] {
            let variable = writer?.2[name]
            try state.forEachGridField(fields) { f, field in
                try variable?.write(field, start: [f / inner, f % inner, 0], count: [1, 1, n])
            }
        }
        guard let (positions, file, variables) = writer else {
            state.world.barrier()
            return
        }
        func write<T: NetCDFScalar>(_ name: String, _ values: [T]) throws { try variables[name]!.write(values) }
        try write("now", [Int64(now.value)])
        try write("window_hours", window.hours.map { Int64($0 ?? -1) })
        try write("slot_hour", slots.map { Int64($0?.hour.value ?? -1) })
        try write("past_hours", memory.map(Int64.init))
        try write("flux_records", [Int64(positions.fluxes.records)])
        try write("flux_pending_day", [Int64(positions.fluxes.pendingDay)])
        try write("flux_pending_hours", [Int64(positions.fluxes.pendingHours)])
        let F = try file.root.dimensionLength("flux_field")
        try write("flux_pending_sums", positions.fluxes.pendingSums.isEmpty
                  ? [Double](repeating: 0, count: F * n) : positions.fluxes.pendingSums.flatMap { $0 })
        try write("observation_rows", [Int64(positions.observations)])
        try write("concentration_records", [Int64(positions.concentrations)])
        try write("diagnostics_records", [Int64(positions.diagnostics)])
        try write("inflation_factor", [inflation?.factor ?? 1])
        if let bias = boundaryBias { try saveBoundaryBias(bias, into: variables) }
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
        let concentrationVariable = try root.variable("concentration")
        let stored = try CheckpointLayout(concentrationVariable, cells: n, members: state.memberCount)
        let concentration = try concentrationVariable.read(Double.self)
        let windowFluxVariable = try root.variable("window_flux")
        let storedFlux = try CheckpointLayout(windowFluxVariable, cells: n, members: state.memberCount)
        let windowFlux = try windowFluxVariable.read(Double.self)
        let cells = state.cells
        for member in state.members {
            for (c, cell) in cells.enumerated() {
                for k in 0..<nz {
                    block[column: c, variable: k, member: member] = concentration[stored.index(cell, k, member, width: nz)]
                }
                for v in 0..<W {
                    block[column: c, variable: nz + v, member: member] = windowFlux[storedFlux.index(cell, v, member, width: W)]
                }
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
    /// This rank's ensemble fields for the checkpoint on its local columns
    /// `columns`, members fastest: the concentrations [column][z][held
    /// member], the window fluxes [column][window variable][held member] and, with the
    /// averaging kernel, the window's forecast members in the same order.
    func ensemblePart(_ columns: Range<Int>) -> [Double] {
        let nz = state.layers.count, C = layout.fluxComponents.count, W = layout.windowHours * C
        let M = state.members.count, nv = block.variableCount
        var part: [Double] = []
        part.reserveCapacity(columns.count * (nz + W * (config.ensembleAveragingKernel ? 2 : 1)) * M)
        part.append(contentsOf: state.transport.columns(at: Array(state.cells[columns])))
        block.values.withUnsafeBufferPointer { values in
            for c in columns { part.append(contentsOf: values[((c * nv + nz) * M)..<((c * nv + nv) * M)]) }
        }
        if config.ensembleAveragingKernel {
            for c in columns {
                for slot in slots {
                    for component in 0..<C {
                        for m in 0..<M { part.append(slot?.forecastMembers?[component][c * M + m] ?? 0) }
                    }
                }
            }
        }
        return part
    }

    /// Gives every occupied window slot its forecast members back from the
    /// checkpoint's `window_forecast_flux` (this rank's columns and members).
    func restoreForecastMembers(from root: NetCDFGroup, path: String) throws {
        guard root.hasVariable("window_forecast_flux") else {
            throw ExperimentError.invalidInput("\(path): holds no forecast flux members (written with "
                                               + "outputs.ensemble_averaging_kernel off); this configuration needs them")
        }
        let variable = try root.variable("window_forecast_flux")
        let n = state.grid.cellCount, C = layout.fluxComponents.count, W = layout.windowHours * C
        let order = try CheckpointLayout(variable, cells: n, members: state.memberCount)
        let values = try variable.read(Double.self)
        for slot in slots.indices where slots[slot] != nil {
            slots[slot]?.forecastMembers = (0..<C).map { component in
                state.cells.flatMap { cell in
                    state.members.map { values[order.index(cell, slot * C + component, $0, width: W)] }
                }
            }
        }
    }

    /// Where the boundary-bias series of an unfinished run stands (rewritten
    /// whole at every checkpoint, so the checkpoint keeps a fixed size).
    var boundaryBiasPartialPath: String { OutputFile.partialPath(folder.appendingPathComponent(BoundaryBiasFile.name).path) }

    /// The boundary-bias members ([element][member]) and how many hourly
    /// records the series holds, into the checkpoint's `variables`; the
    /// series itself goes to `boundary_bias.nc.partial` first (rank 0).
    func saveBoundaryBias(_ bias: BoundaryBiasEnsemble, into variables: [String: NetCDFVariable]) throws {
        try BoundaryBiasFile.write(boundaryBiasRecords, settings: bias.settings, imposed: config.imposedBoundaryBias,
                                   config: config, to: boundaryBiasPartialPath)
        try variables["boundary_bias_members"]!.write(bias.values)
        try variables["boundary_bias_records"]!.write([Int64(boundaryBiasRecords.count)])
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

/// Where a member's value of a cell lies in one of a checkpoint's ensemble
/// fields. Fields are stored (cell, variable, member), members fastest;
/// checkpoints written before 3 Dec 2026 stored the concentrations as
/// (member, z, cell) and the window fields as (member, cell, variable), and
/// are still read.
struct CheckpointLayout {
    /// Stored (member, ...): before 3 Dec 2026.
    let memberFirst: Bool
    /// Stored (member, z, cell): the concentrations before 3 Dec 2026.
    let cellLast: Bool
    let cells: Int
    let members: Int

    init(_ variable: NetCDFVariable, cells: Int, members: Int) throws {
        let dimensions = try variable.dimensionNames()
        memberFirst = dimensions.first == "member"
        cellLast = dimensions.last == "cell"
        self.cells = cells
        self.members = members
    }

    /// The index of (cell, variable v of `width`, member).
    func index(_ cell: Int, _ v: Int, _ member: Int, width: Int) -> Int {
        if !memberFirst { return (cell * width + v) * members + member }
        return cellLast ? (member * width + v) * cells + cell : (member * cells + cell) * width + v
    }
}
