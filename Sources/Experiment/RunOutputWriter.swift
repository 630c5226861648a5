import CFOutput
import Foundation
import Geometry
import ModelTime
import NetCDFIO

/// Writes the run-directory files (`Docs/outputs.md`): `fluxes.nc` and
/// `observations.nc`, CF-1.8, each atomically.
public enum RunOutputWriter {
    static let componentNames = ["bio", "ocn"]

    /// The flux file, hourly or as daily means of the hourly records.
    public static func writeFluxes(_ records: [FluxHourRecord], config: ExperimentConfig, kind: String,
                                   to path: String) throws(NetCDFError) {
        let grid = config.domain.grid
        let periods = averagingPeriods(records, daily: config.fluxAveraging == .daily)
        let file = try NetCDFFile.create(path)
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS surface CO2 fluxes (\(kind))", extra: [
            ("domain", config.domain.name), ("rcas_run_kind", kind), ("rcas_configuration", config.resolvedText), ("rcas_configuration_file", config.text),
            ("flux_averaging", config.fluxAveraging.rawValue),
            ("comment", "prior = a-priori flux E^p, forecast = E^f of the flux forecast model, analysis = final E^a "
                + "after the smoothing window; spread = ensemble standard deviation (N-1)")])
        try CFGridWriter.write(grid, to: root)
        let time = try CFGridWriter.addTimeCoordinate(to: root)
        try root.addDimension("nv", length: 2)
        try time.setAttribute("bounds", .text("time_bnds"))
        let bounds = try root.addVariable("time_bnds", type: .double, dimensions: ["time", "nv"])
        try time.write(periods.map { Double($0.start.value) }, start: [0], count: [periods.count])
        try bounds.write(periods.flatMap { [Double($0.start.value), Double($0.start.value + $0.hours)] },
                         start: [0, 0], count: [periods.count, 2])

        var fields: [(String, String, (FluxHourRecord) -> [Double]?)] = []
        for (c, name) in componentNames.enumerated() {
            let long = c == 0 ? "biosphere" : "ocean"
            fields += [("\(name)_prior_mean", "\(long) flux, prior ensemble mean", { $0.priorMean[c] }),
                       ("\(name)_prior_spread", "\(long) flux, prior ensemble spread", { $0.priorSpread[c] }),
                       ("\(name)_forecast_mean", "\(long) flux, forecast ensemble mean", { $0.forecastMean[c] }),
                       ("\(name)_forecast_spread", "\(long) flux, forecast ensemble spread", { $0.forecastSpread[c] }),
                       ("\(name)_analysis_mean", "\(long) flux, analysis ensemble mean", { $0.analysisMean[c] }),
                       ("\(name)_analysis_spread", "\(long) flux, analysis ensemble spread", { $0.analysisSpread[c] })]
            if records.first?.truth != nil {
                fields.append(("\(name)_truth", "\(long) flux of the twin experiment's truth", { $0.truth?[c] }))
            }
        }
        fields += [("fossil", "fossil-fuel flux (prescribed)", { $0.fossil }),
                   ("fire", "fire flux (prescribed)", { $0.fire })]
        let n = grid.cellCount
        for (name, long, value) in fields {
            let variable = try root.addVariable(name, type: .float, dimensions: ["time", "y", "x"], deflateLevel: 1)
            try variable.setAttribute("long_name", .text(long))
            try variable.setAttribute("units", .text("umol m-2 s-1"))
            try variable.setAttribute("cell_methods", .text("time: mean"))
            try CFGridWriter.attachGrid(to: variable)
            for (t, period) in periods.enumerated() {
                var sum = [Double](repeating: 0, count: n)
                for record in period.records {
                    guard let field = value(record) else { continue }
                    for cell in 0..<n { sum[cell] += field[cell] }
                }
                let scale = 1 / Double(period.records.count)
                try variable.write(sum.map { Float($0 * scale) }, start: [t, 0, 0], count: [1, grid.ny, grid.nx])
            }
        }
        try file.commit()
    }

    struct Period { var start: ModelHour; var hours: Int; var records: [FluxHourRecord] }

    static func averagingPeriods(_ records: [FluxHourRecord], daily: Bool) -> [Period] {
        let sorted = records.sorted { $0.hour < $1.hour }
        guard daily else { return sorted.map { Period(start: $0.hour, hours: 1, records: [$0]) } }
        var periods: [Period] = []
        for record in sorted {
            let day = ModelHour(record.hour.value - record.hour.hourOfDay)
            if periods.last?.start == day { periods[periods.count - 1].records.append(record) }
            else { periods.append(Period(start: day, hours: 24, records: [record])) }
        }
        return periods
    }

    /// Hourly analysis concentrations (ensemble mean and spread) at the
    /// configured levels: `concentrations.nc`.
    public static func writeConcentrations(_ records: [ConcentrationRecord], config: ExperimentConfig,
                                           to path: String) throws(NetCDFError) {
        let grid = config.domain.grid, layers = config.domain.layers, levels = config.concentrationLevels
        let file = try NetCDFFile.create(path)
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS analysis CO2 concentrations", extra: [
            ("domain", config.domain.name), ("rcas_run_kind", "AN"), ("rcas_configuration", config.resolvedText), ("rcas_configuration_file", config.text)])
        try CFGridWriter.write(grid, to: root)
        let time = try CFGridWriter.addTimeCoordinate(to: root)
        try root.addDimension("level", length: levels.count)
        try time.write(records.map { Double($0.time.value) }, start: [0], count: [records.count])
        let level = try root.addVariable("level", type: .double, dimensions: ["level"])
        try level.setAttribute("standard_name", .text("height"))
        try level.setAttribute("long_name", .text("height of the layer middle above ground"))
        try level.setAttribute("units", .text("m"))
        try level.setAttribute("positive", .text("up"))
        try level.setAttribute("axis", .text("Z"))
        try level.write(levels.map(layers.midHeight))
        let layerIndex = try root.addVariable("layer", type: .int32, dimensions: ["level"])
        try layerIndex.setAttribute("long_name", .text("model layer (0 = lowest)"))
        try layerIndex.write(levels.map(Int32.init))
        for (name, long, pick) in [("co2_mean", "analysis CO2 dry-air mole fraction, ensemble mean", \ConcentrationRecord.mean),
                                   ("co2_spread", "analysis CO2 dry-air mole fraction, ensemble spread", \ConcentrationRecord.spread)] {
            let variable = try root.addVariable(name, type: .float, dimensions: ["time", "level", "y", "x"], deflateLevel: 1)
            if name == "co2_mean" { try variable.setAttribute("standard_name", .text("mole_fraction_of_carbon_dioxide_in_air")) }
            try variable.setAttribute("long_name", .text(long))
            try variable.setAttribute("units", .text("1e-6"))
            try variable.setAttribute("comment", .text("ppm (micromol per mol of dry air), valid at the time (instantaneous)"))
            try CFGridWriter.attachGrid(to: variable)
            for (t, record) in records.enumerated() {
                try variable.write(record[keyPath: pick].flatMap { $0 }.map(Float.init), start: [t, 0, 0, 0],
                                   count: [1, levels.count, grid.ny, grid.nx])
            }
        }
        try file.commit()
    }

    /// The observation-space file: one row per observation.
    public static func writeObservations(_ rows: [ObservationRecord], config: ExperimentConfig, kind: String,
                                         to path: String) throws(NetCDFError) {
        let file = try NetCDFFile.create(path)
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS observation-space diagnostics (\(kind))", extra: [
            ("domain", config.domain.name), ("rcas_run_kind", kind), ("rcas_configuration", config.resolvedText), ("rcas_configuration_file", config.text),
            ("featureType", "point")])
        try root.addDimension("obs", length: nil)
        let count = [rows.count]
        func add(_ name: String, _ type: NetCDFType, _ attributes: [(String, NetCDFAttribute)]) throws(NetCDFError) -> NetCDFVariable {
            let variable = try root.addVariable(name, type: type, dimensions: ["obs"])
            for (key, value) in attributes { try variable.setAttribute(key, value) }
            return variable
        }
        let ppm: [(String, NetCDFAttribute)] = [("units", .text("ppm")), ("coordinates", .text("time latitude longitude"))]
        try add("time", .double, [("standard_name", .text("time")), ("units", .text("seconds since 1970-01-01 00:00:00")),
                                  ("calendar", .text("standard"))]).write(rows.map(\.time), start: [0], count: count)
        try add("analysis_hour", .double, [("long_name", .text("time of the analysis the observation entered")),
                                           ("units", .text(ModelHour.cfUnits))])
            .write(rows.map { Double($0.analysisHour.value) }, start: [0], count: count)
        try add("latitude", .double, [("standard_name", .text("latitude")), ("units", .text("degrees_north"))])
            .write(rows.map(\.latitude), start: [0], count: count)
        try add("longitude", .double, [("standard_name", .text("longitude")), ("units", .text("degrees_east"))])
            .write(rows.map(\.longitude), start: [0], count: count)
        try add("kind", .int8, [("long_name", .text("kind of observation")), ("flag_values", .int8s([0, 1])), ("flag_meanings", .text("satellite_xco2 in_situ"))])
            .write(rows.map(\.kind), start: [0], count: count)
        try add("set", .int8, [("long_name", .text("assimilation candidate or independent validation")), ("flag_values", .int8s([0, 1])), ("flag_meanings", .text("assimilation_candidate independent_validation"))])
            .write(rows.map(\.set), start: [0], count: count)
        try add("status", .int8, [("long_name", .text("use of the observation in the analysis")), ("flag_values", .int8s([0, 1, 2, 3, 4])),
                                  ("flag_meanings", .text("assimilated rejected_omb_gate validation outside_window not_assimilated_kind"))])
            .write(rows.map(\.status.rawValue), start: [0], count: count)
        try add("site", .string, [("long_name", .text("in-situ site code (empty for satellite)"))])
            .writeStrings(rows.map(\.site), start: [0], count: count)
        try add("instrument", .string, [("long_name", .text("instrument"))])
            .writeStrings(rows.map(\.instrument), start: [0], count: count)
        for (name, long, value) in [
            ("value", "observed CO2 (XCO2 for satellites)", \ObservationRecord.value),
            ("error", "observation error used (after inflation and floor)", \ObservationRecord.error),
            ("background_mean", "H(x) of the forecast (background) ensemble mean", \ObservationRecord.backgroundMean),
            ("background_spread", "spread of H(x) over the forecast ensemble", \ObservationRecord.backgroundSpread),
            ("analysis_mean", "H(x) of the analysis ensemble mean", \ObservationRecord.analysisMean),
            ("analysis_spread", "spread of H(x) over the analysis ensemble", \ObservationRecord.analysisSpread),
        ] {
            try add(name, .double, ppm + [("long_name", .text(long))]).write(rows.map { $0[keyPath: value] }, start: [0], count: count)
        }
        try file.commit()
    }
}
