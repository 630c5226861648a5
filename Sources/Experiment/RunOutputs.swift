import Assimilation
import CFOutput
import Foundation
import Geometry
import ModelTime
import NetCDFIO
import Observations

/// Where a streamed output file stands: records written so far (and, for
/// daily flux means, the day being summed). A checkpoint stores it so that a
/// resumed run continues the same files.
struct StreamPosition: Sendable, Equatable {
    var records: Int
    /// Daily flux means: the first hour of the day being summed (-1: none),
    /// the hours summed and their sums (one field per flux variable).
    var pendingDay: Int = -1
    var pendingHours: Int = 0
    var pendingSums: [[Double]] = []
}

/// The CF attributes and names every output file shares.
enum OutputFile {
    /// In-progress name of an output while its run is going (renamed when complete).
    static func partialPath(_ path: String) -> String { path + ".partial" }

    static func globalAttributes(_ config: ExperimentConfig, kind: String) -> [(String, String)] {
        [("domain", config.domain.name), ("rcas_run_kind", kind), ("rcas_configuration", config.resolvedText),
         ("rcas_configuration_file", config.text)]
    }

    /// The CF standard name of a flux field and of its ensemble spread.
    static let fluxStandardName = "surface_upward_mole_flux_of_carbon_dioxide"
    static let concentrationStandardName = "mole_fraction_of_carbon_dioxide_in_air"
}

/// `fluxes.nc`: hourly records or daily means of the finished flux hours,
/// appended as the hours leave the smoothing window.
final class FluxOutputStream {
    let file: NetCDFFile
    let finalPath: String
    let daily: Bool
    let cellCount: Int
    let names: [String]
    let shape: (ny: Int, nx: Int)
    private(set) var position: StreamPosition

    /// Creates the file (`truth`: a twin run with truth fields;
    /// `averagingKernel`: an EnKS run writing its averaging-kernel estimate).
    init(path: String, config: ExperimentConfig, kind: String, truth: Bool, averagingKernel: Bool = false) throws {
        let grid = config.domain.grid
        let state = config.assimilation.stateVector
        finalPath = path
        daily = config.fluxAveraging == .daily
        cellCount = grid.cellCount
        shape = (grid.ny, grid.nx)
        position = StreamPosition(records: 0)
        file = try NetCDFFile.createStreaming(OutputFile.partialPath(path))
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS surface CO2 fluxes (\(kind))",
                                               extra: OutputFile.globalAttributes(config, kind: kind) + [
            ("flux_averaging", config.fluxAveraging.rawValue),
            ("state_vector", state.components.map(\.rawValue).joined(separator: " ")),
            ("comment", "prior = a-priori flux E^p, forecast = E^f of the flux ensemble generator, analysis = final "
                + "E^a after the smoothing window; spread = ensemble standard deviation (N-1); positive upward")])
        let gridVariables = try CFGridWriter.define(grid, in: root)
        let time = try CFGridWriter.addTimeCoordinate(to: root)
        try root.addDimension("nv", length: 2)
        try time.setAttribute("bounds", .text("time_bnds"))
        // CF 7.1: bounds take their units from the coordinate.
        try root.addVariable("time_bnds", type: .double, dimensions: ["time", "nv"])
        let variables = Self.variables(state: state, truth: truth, averagingKernel: averagingKernel)
        for variable in variables {
            let v = try root.addVariable(variable.name, type: .float, dimensions: ["time", "y", "x"])
            switch variable.kind {
            case .flux, .spread:
                try v.setAttribute("standard_name",
                                   .text(OutputFile.fluxStandardName + (variable.kind == .spread ? " standard_error" : "")))
                try v.setAttribute("units", .text("umol m-2 s-1"))
            case .averagingKernel:
                try v.setAttribute("units", .text("1"))
                try v.setAttribute("comment", .text(Self.averagingKernelComment))
            }
            try v.setAttribute("long_name", .text(variable.long))
            try v.setAttribute("cell_methods", .text("time: mean"))
            try CFGridWriter.attachGrid(to: v)
        }
        names = variables.map(\.name)
        try file.endDefinitions()
        try gridVariables.fill()
    }

    /// Reopens the partial file of an interrupted run at `position`.
    init(resuming path: String, config: ExperimentConfig, position: StreamPosition) throws {
        let grid = config.domain.grid
        finalPath = path
        daily = config.fluxAveraging == .daily
        cellCount = grid.cellCount
        shape = (grid.ny, grid.nx)
        file = try NetCDFFile.openStreaming(OutputFile.partialPath(path))
        names = Self.variables(state: config.assimilation.stateVector, truth: false,
                               averagingKernel: config.ensembleAveragingKernel).map(\.name)
        self.position = position
    }

    /// What a variable of the file holds.
    enum VariableKind { case flux, spread, averagingKernel }

    static let averagingKernelComment = "EnKS estimate of diag(K H) in the span of the hour's forecast flux anomalies X_f: "
        + "diag(P_U - P_a P_f^+) with P_f = X_f X_f^T, P_a = X_a X_a^T of the final analysis and P_U the projector onto "
        + "the directions of X_f with variance above 1/N of the leading one; sums to the ensemble-subspace DOFS "
        + "(Docs/assimilation.md, Information content)"

    /// The flux variables in the order of ``FluxHourRecord/fields``.
    static func variables(state: FluxStateVector, truth: Bool,
                          averagingKernel: Bool) -> [(name: String, long: String, kind: VariableKind)] {
        var variables: [(name: String, long: String, kind: VariableKind)] = []
        for component in state.components {
            let short = component.shortName, long = component.longName
            variables += [("\(short)_prior_mean", "\(long) flux, prior ensemble mean", .flux),
                          ("\(short)_prior_spread", "\(long) flux, prior ensemble spread", .spread),
                          ("\(short)_forecast_mean", "\(long) flux, forecast ensemble mean", .flux),
                          ("\(short)_forecast_spread", "\(long) flux, forecast ensemble spread", .spread),
                          ("\(short)_analysis_mean", "\(long) flux, analysis ensemble mean", .flux),
                          ("\(short)_analysis_spread", "\(long) flux, analysis ensemble spread", .spread)]
            if truth { variables.append(("\(short)_truth", "\(long) flux of the twin experiment's truth", .flux)) }
            if averagingKernel {
                variables.append(("\(short)_ensemble_averaging_kernel",
                                  "\(long) flux, ensemble estimate of the averaging-kernel diagonal", .averagingKernel))
            }
        }
        for component in state.prescribed {
            variables.append((component.shortName, "\(component.longName) flux (prescribed prior)", .flux))
        }
        return variables
    }

    /// Adds a finished flux hour (hours arrive in increasing order).
    func append(_ record: FluxHourRecord) throws {
        let fields = record.fields
        guard daily else {
            try write(fields, start: record.hour.value, hours: 1)
            return
        }
        let day = record.hour.value - record.hour.hourOfDay
        if position.pendingDay != day {
            try flushDay()
            position.pendingDay = day
            position.pendingHours = 0
            position.pendingSums = fields.map { _ in [Double](repeating: 0, count: cellCount) }
        }
        for f in fields.indices {
            for cell in 0..<cellCount { position.pendingSums[f][cell] += fields[f][cell] }
        }
        position.pendingHours += 1
    }

    private func flushDay() throws {
        guard position.pendingDay >= 0, position.pendingHours > 0 else { return }
        let scale = 1 / Double(position.pendingHours)
        try write(position.pendingSums.map { $0.map { $0 * scale } }, start: position.pendingDay, hours: 24)
        position.pendingDay = -1
        position.pendingHours = 0
        position.pendingSums = []
    }

    private func write(_ fields: [[Double]], start: Int, hours: Int) throws {
        let t = position.records
        try file.root.variable("time").write([Double(start)], start: [t], count: [1])
        try file.root.variable("time_bnds").write([Double(start), Double(start + hours)], start: [t, 0], count: [1, 2])
        for (name, field) in zip(names, fields) {
            try file.root.variable(name).write(field.map(Float.init), start: [t, 0, 0], count: [1, shape.ny, shape.nx])
        }
        position.records += 1
    }

    /// Flushes to disk; the returned position is what a checkpoint stores.
    func sync() throws -> StreamPosition {
        try file.sync()
        return position
    }

    /// Writes the last daily mean and gives the file its final name.
    func finish() throws {
        if daily { try flushDay() }
        try file.finishStreaming(as: finalPath)
    }
}

/// `concentrations.nc`: hourly analysis mean and spread at the configured levels.
final class ConcentrationOutputStream {
    let file: NetCDFFile
    let finalPath: String
    let shape: (levels: Int, ny: Int, nx: Int)
    private(set) var records: Int

    init(path: String, config: ExperimentConfig) throws {
        let grid = config.domain.grid, layers = config.domain.layers, levels = config.concentrationLevels
        finalPath = path
        shape = (levels.count, grid.ny, grid.nx)
        records = 0
        file = try NetCDFFile.createStreaming(OutputFile.partialPath(path))
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS analysis CO2 concentrations",
                                               extra: OutputFile.globalAttributes(config, kind: "AN"))
        let gridVariables = try CFGridWriter.define(grid, in: root)
        _ = try CFGridWriter.addTimeCoordinate(to: root)
        try root.addDimension("level", length: levels.count)
        let level = try root.addVariable("level", type: .double, dimensions: ["level"])
        try level.setAttribute("standard_name", .text("height"))
        try level.setAttribute("long_name", .text("height of the layer middle above ground"))
        try level.setAttribute("units", .text("m"))
        try level.setAttribute("positive", .text("up"))
        try level.setAttribute("axis", .text("Z"))
        let layerIndex = try root.addVariable("layer", type: .int32, dimensions: ["level"])
        try layerIndex.setAttribute("long_name", .text("model layer (0 = lowest)"))
        try layerIndex.setAttribute("units", .text("1"))
        for (name, long, spread) in [("co2_mean", "analysis CO2 dry-air mole fraction, ensemble mean", false),
                                     ("co2_spread", "analysis CO2 dry-air mole fraction, ensemble spread", true)] {
            let variable = try root.addVariable(name, type: .float, dimensions: ["time", "level", "y", "x"])
            try variable.setAttribute("standard_name",
                                      .text(OutputFile.concentrationStandardName + (spread ? " standard_error" : "")))
            try variable.setAttribute("long_name", .text(long))
            try variable.setAttribute("units", .text("1e-6"))
            try variable.setAttribute("comment", .text("ppm (micromol per mol of dry air), valid at the time (instantaneous)"))
            try CFGridWriter.attachGrid(to: variable)
        }
        try file.endDefinitions()
        try gridVariables.fill()
        try level.write(levels.map(layers.midHeight))
        try layerIndex.write(levels.map(Int32.init))
    }

    init(resuming path: String, config: ExperimentConfig, records: Int) throws {
        let grid = config.domain.grid
        finalPath = path
        shape = (config.concentrationLevels.count, grid.ny, grid.nx)
        file = try NetCDFFile.openStreaming(OutputFile.partialPath(path))
        self.records = records
    }

    func append(_ record: ConcentrationRecord) throws {
        let root = file.root, t = records
        try root.variable("time").write([Double(record.time.value)], start: [t], count: [1])
        let count = [1, shape.levels, shape.ny, shape.nx]
        try root.variable("co2_mean").write(record.mean.flatMap { $0 }.map(Float.init), start: [t, 0, 0, 0], count: count)
        try root.variable("co2_spread").write(record.spread.flatMap { $0 }.map(Float.init), start: [t, 0, 0, 0], count: count)
        records += 1
    }

    func sync() throws -> Int {
        try file.sync()
        return records
    }

    func finish() throws { try file.finishStreaming(as: finalPath) }
}

/// `observations.nc`: one row per observation, appended hour by hour.
final class ObservationOutputStream {
    let file: NetCDFFile
    let finalPath: String
    private(set) var rows: Int
    static let siteWidth = 32, instrumentWidth = 16

    init(path: String, config: ExperimentConfig, kind: String) throws {
        finalPath = path
        rows = 0
        file = try NetCDFFile.createStreaming(OutputFile.partialPath(path))
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS observation-space diagnostics (\(kind))",
                                               extra: OutputFile.globalAttributes(config, kind: kind) + [("featureType", "point")])
        try root.addDimension("obs", length: nil)
        try root.addDimension("site_strlen", length: Self.siteWidth)
        try root.addDimension("instrument_strlen", length: Self.instrumentWidth)
        func add(_ name: String, _ type: NetCDFType, _ attributes: [(String, NetCDFAttribute)],
                 dimensions: [String] = ["obs"]) throws {
            let variable = try root.addVariable(name, type: type, dimensions: dimensions)
            for (key, value) in attributes { try variable.setAttribute(key, value) }
        }
        let ppm: [(String, NetCDFAttribute)] = [("units", .text("ppm")), ("coordinates", .text("time latitude longitude"))]
        func flags<T: CaseIterable & RawRepresentable>(_: T.Type, _ meaning: (T) -> String) -> [(String, NetCDFAttribute)]
            where T.RawValue == Int8 {
            [("flag_values", .int8s(T.allCases.map(\.rawValue))), ("flag_meanings", .text(T.allCases.map(meaning).joined(separator: " ")))]
        }
        try add("time", .double, [("standard_name", .text("time")), ("units", .text("seconds since 1970-01-01 00:00:00")),
                                  ("calendar", .text("standard"))])
        try add("analysis_hour", .double, [("long_name", .text("time of the analysis the observation entered")),
                                           ("units", .text(ModelHour.cfUnits))])
        try add("latitude", .double, [("standard_name", .text("latitude")), ("units", .text("degrees_north"))])
        try add("longitude", .double, [("standard_name", .text("longitude")), ("units", .text("degrees_east"))])
        try add("kind", .int8, [("long_name", .text("kind of observation"))] + flags(ObservationKind.self, \.flagMeaning))
        try add("set", .int8, [("long_name", .text("assimilation candidate or independent validation"))]
                + flags(ObservationRole.self, \.flagMeaning))
        try add("status", .int8, [("long_name", .text("use of the observation in the analysis"))]
                + flags(ObservationRecord.Status.self, \.flagMeaning))
        try add("site", .char, [("long_name", .text("in-situ site code (empty for satellite)"))],
                dimensions: ["obs", "site_strlen"])
        try add("instrument", .char, [("long_name", .text("instrument"))], dimensions: ["obs", "instrument_strlen"])
        for (name, long) in [("value", "observed CO2 (XCO2 for satellites)"),
                             ("error", "observation error used (after inflation and floor)"),
                             ("background_mean", "H(x) of the forecast (background) ensemble mean"),
                             ("background_spread", "spread of H(x) over the forecast ensemble"),
                             ("analysis_mean", "H(x) of the analysis ensemble mean"),
                             ("analysis_spread", "spread of H(x) over the analysis ensemble")] {
            try add(name, .double, ppm + [("long_name", .text(long))])
        }
        try file.endDefinitions()
    }

    init(resuming path: String, rows: Int) throws {
        finalPath = path
        file = try NetCDFFile.openStreaming(OutputFile.partialPath(path))
        self.rows = rows
    }

    func append(_ records: [ObservationRecord]) throws {
        guard !records.isEmpty else { return }
        let root = file.root, start = [rows], count = [records.count]
        func column(_ name: String, _ values: [Double]) throws { try root.variable(name).write(values, start: start, count: count) }
        try column("time", records.map(\.time))
        try column("analysis_hour", records.map { Double($0.analysisHour.value) })
        try column("latitude", records.map(\.latitude))
        try column("longitude", records.map(\.longitude))
        try root.variable("kind").write(records.map(\.kind.rawValue), start: start, count: count)
        try root.variable("set").write(records.map(\.role.rawValue), start: start, count: count)
        try root.variable("status").write(records.map(\.status.rawValue), start: start, count: count)
        try root.variable("site").writeCharacterRows(records.map(\.site), start: rows, width: Self.siteWidth)
        try root.variable("instrument").writeCharacterRows(records.map(\.instrument), start: rows, width: Self.instrumentWidth)
        try column("value", records.map(\.value))
        try column("error", records.map(\.error))
        try column("background_mean", records.map(\.backgroundMean))
        try column("background_spread", records.map(\.backgroundSpread))
        try column("analysis_mean", records.map(\.analysisMean))
        try column("analysis_spread", records.map(\.analysisSpread))
        rows += records.count
    }

    func sync() throws -> Int {
        try file.sync()
        return rows
    }

    func finish() throws { try file.finishStreaming(as: finalPath) }
}

/// `diagnostics.nc`: the filter's observation-space health per analysis hour
/// (``FilterDiagnostics``): counts, mean innovation, χ²/n, spread, Desroziers
/// estimates and the inflation factor used.
final class DiagnosticsOutputStream {
    let file: NetCDFFile
    let finalPath: String
    private(set) var records: Int
    static let variables: [(name: String, long: String, units: String)] = [
        ("mean_innovation_ppm", "mean innovation y - H(x_b) of the assimilated observations", "ppm"),
        ("chi2_per_observation", "mean of d^2 / (HPH^T + R) over the assimilated observations", "1"),
        ("simulated_spread_ppm", "mean background ensemble spread of H(x) of the assimilated observations", "ppm"),
        ("background_variance_ppm2", "mean HPH^T of the assimilated observations (the filter's)", "ppm2"),
        ("error_variance_ppm2", "mean R of the assimilated observations (the filter's)", "ppm2"),
        ("desroziers_hbh_ppm2", "Desroziers estimate of HPH^T: mean (H(x_a) - H(x_b)) d", "ppm2"),
        ("desroziers_r_ppm2", "Desroziers estimate of R: mean (y - H(x_a)) d", "ppm2"),
        ("inflation_factor", "multiplicative inflation of the concentration perturbations used", "1"),
    ]

    init(path: String, config: ExperimentConfig) throws {
        finalPath = path
        records = 0
        file = try NetCDFFile.createStreaming(OutputFile.partialPath(path))
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS filter diagnostics per analysis hour",
                                               extra: OutputFile.globalAttributes(config, kind: "AN") + [
            ("comment", "hours without assimilated observations have observation_count 0 and NaN statistics; "
                + "overall values are count-weighted means (Docs/assimilation.md, filter diagnostics)")])
        _ = try CFGridWriter.addTimeCoordinate(to: root)
        let count = try root.addVariable("observation_count", type: .int32, dimensions: ["time"])
        try count.setAttribute("long_name", .text("observations assimilated in the analysis"))
        try count.setAttribute("units", .text("1"))
        for variable in Self.variables {
            let v = try root.addVariable(variable.name, type: .double, dimensions: ["time"])
            try v.setAttribute("long_name", .text(variable.long))
            try v.setAttribute("units", .text(variable.units))
        }
        try file.endDefinitions()
    }

    init(resuming path: String, records: Int) throws {
        finalPath = path
        file = try NetCDFFile.openStreaming(OutputFile.partialPath(path))
        self.records = records
    }

    /// The diagnostics of the analysis at `time`.
    func append(_ d: FilterDiagnostics, time: ModelHour, inflation: Double) throws {
        let root = file.root, t = records
        try root.variable("time").write([Double(time.value)], start: [t], count: [1])
        try root.variable("observation_count").write([Int32(d.count)], start: [t], count: [1])
        let values = [d.meanInnovation, d.chiSquarePerObservation, d.meanSpread, d.meanBackgroundVariance,
                      d.meanErrorVariance, d.desroziersHBH, d.desroziersR, inflation]
        for (variable, value) in zip(Self.variables, values) {
            try root.variable(variable.name).write([value], start: [t], count: [1])
        }
        records += 1
    }

    func sync() throws -> Int {
        try file.sync()
        return records
    }

    func finish() throws { try file.finishStreaming(as: finalPath) }
}

/// The files a run streams on rank 0: observations always, fluxes,
/// concentrations and diagnostics for assimilation runs.
final class RunOutputs {
    let folder: URL
    let observations: ObservationOutputStream
    let fluxes: FluxOutputStream?
    let concentrations: ConcentrationOutputStream?
    let diagnostics: DiagnosticsOutputStream?

    /// Where the streams stand at a checkpoint.
    struct Positions: Sendable, Equatable {
        var fluxes: StreamPosition
        var observations: Int
        var concentrations: Int
        var diagnostics: Int
    }

    /// New files of an assimilation run (`kind` AN) in `folder`.
    init(creating folder: URL, config: ExperimentConfig, kind: String, truth: Bool) throws {
        self.folder = folder
        fluxes = try FluxOutputStream(path: folder.appendingPathComponent("fluxes.nc").path, config: config, kind: kind,
                                      truth: truth, averagingKernel: config.ensembleAveragingKernel)
        observations = try ObservationOutputStream(path: folder.appendingPathComponent("observations.nc").path,
                                                   config: config, kind: kind)
        concentrations = try ConcentrationOutputStream(path: folder.appendingPathComponent("concentrations.nc").path,
                                                       config: config)
        diagnostics = try DiagnosticsOutputStream(path: folder.appendingPathComponent("diagnostics.nc").path, config: config)
    }

    /// The observation file of a forward run (`kind` CTRL, FC, ...).
    init(forwardRunIn folder: URL, config: ExperimentConfig, kind: String) throws {
        self.folder = folder
        observations = try ObservationOutputStream(path: folder.appendingPathComponent("observations.nc").path,
                                                   config: config, kind: kind)
        fluxes = nil
        concentrations = nil
        diagnostics = nil
    }

    /// The partial files of an interrupted assimilation run, continued at `positions`.
    init(resuming folder: URL, config: ExperimentConfig, positions: Positions) throws {
        self.folder = folder
        fluxes = try FluxOutputStream(resuming: folder.appendingPathComponent("fluxes.nc").path, config: config,
                                      position: positions.fluxes)
        observations = try ObservationOutputStream(resuming: folder.appendingPathComponent("observations.nc").path,
                                                   rows: positions.observations)
        concentrations = try ConcentrationOutputStream(resuming: folder.appendingPathComponent("concentrations.nc").path,
                                                       config: config, records: positions.concentrations)
        diagnostics = try DiagnosticsOutputStream(resuming: folder.appendingPathComponent("diagnostics.nc").path,
                                                  records: positions.diagnostics)
    }

    /// Flushes every file to disk and says where each stands.
    func sync() throws -> Positions {
        Positions(fluxes: try fluxes?.sync() ?? StreamPosition(records: 0), observations: try observations.sync(),
                  concentrations: try concentrations?.sync() ?? 0, diagnostics: try diagnostics?.sync() ?? 0)
    }

    /// Completes every file (final names).
    func finish() throws {
        try fluxes?.finish()
        try observations.finish()
        try concentrations?.finish()
        try diagnostics?.finish()
    }
}
