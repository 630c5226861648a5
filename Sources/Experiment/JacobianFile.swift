import CFOutput
import Foundation
import Geometry
import ModelTime
import NetCDFIO
import Observations

/// The CF NetCDF-4 file of a ``Jacobian`` (`rcas jacobian --output`,
/// Docs/jacobians.md), readable with xarray:
///
/// - `jacobian(obs, basis)`: H, ppm per unit coefficient;
/// - `c_background(obs)`, `c_prior_flux(obs)`: the c0 columns (ppm);
/// - per observation `time`, `obs_hour`, `latitude`, `longitude`, `kind`,
///   `set`, `value`, `error`, `omb_threshold`, `site`, `instrument`;
/// - per basis function `basis_component`, `basis_group`, `basis_period`;
///   `component_name`, `group_name`, `period` with `period_bounds`;
/// - the basis map: `group_map(y, x)` and `basis_index(period, component, y, x)`
///   (−1 where no function holds that flux), on the domain grid (`x`, `y`,
///   `lat`, `lon`, `cell_area`, `crs`).
public enum JacobianFile {
    /// Writes `jacobian` of `config` to `path` atomically.
    public static func write(_ jacobian: Jacobian, config: ExperimentConfig, to path: String) throws {
        let basis = jacobian.basis, grid = config.domain.grid
        let m = jacobian.observations.count
        let file = try NetCDFFile.create(path)
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS transport Jacobian (tagged tracers)", extra: [
            ("domain", config.domain.name), ("rcas_configuration", config.resolvedText),
            ("rcas_basis", basis.partition.description), ("rcas_periods", basis.periods.description),
            ("rcas_shape", basis.shape.rawValue), ("transport_scheme", jacobian.transportScheme),
            ("rcas_period_start", config.start.iso), ("rcas_period_end", config.end.iso),
            ("state_vector", config.assimilation.stateVector.components.map(\.rawValue).joined(separator: " ")),
            ("comment", "simulated observation = c_background + " + (basis.shape == .prior ? "c_prior_flux + " : "")
                + "sum over basis of jacobian * coefficient; exact for a transport scheme linear in the tracer "
                + "(upwind); see Docs/jacobians.md")])
        try CFGridWriter.write(grid, to: root)
        try root.addDimension("obs", length: m)
        try writeBasis(basis, grid: grid, to: root)
        func add(_ name: String, _ type: NetCDFType, _ dimensions: [String], _ attributes: [(String, String)]) throws -> NetCDFVariable {
            try addVariable(name, type, dimensions, attributes, to: root)
        }
        let unitsH = basis.shape == .prior ? "ppm" : "ppm m2 s umol-1"
        try add("jacobian", .double, ["obs", "basis"], [
            ("long_name", "sensitivity of the simulated observation to the basis coefficient"), ("units", unitsH),
            ("comment", basis.shape == .prior ? "per unit scaling factor of the prior flux (E = E_prior (1 + x))"
                : "footprint: per umol m-2 s-1 of flux held over the function's cells and period")])
            .write(jacobian.matrix)
        let coordinates = [("coordinates", "time latitude longitude")]
        try add("c_background", .double, ["obs"], [("long_name", "simulated observation from the initial field, the lateral "
                                                     + "boundary and the prescribed flux components"), ("units", "ppm")] + coordinates)
            .write(jacobian.background)
        try add("c_prior_flux", .double, ["obs"], [("long_name", "simulated observation of the prior of the optimised flux "
                                                     + "components alone (no background)"), ("units", "ppm")] + coordinates)
            .write(jacobian.priorFlux)
        if jacobian.boundaryCount > 0, let settings = config.boundaryBias {
            try root.addDimension("boundary_element", length: jacobian.boundaryCount)
            try add("boundary_element_name", .string, ["boundary_element"], [("long_name", "edge (and layers) of the boundary-bias element")])
                .writeStrings((0..<settings.elementCount).map(settings.name(of:)))
            try add("boundary_jacobian", .double, ["obs", "boundary_element"], [
                ("long_name", "sensitivity of the simulated observation to a bias of the inflow on the element's edge and layers, "
                    + "held over the whole period"), ("units", "1"), ("comment", "ppm per ppm of inflow bias")])
                .write(jacobian.boundary)
        }
        let rows = jacobian.observations
        try add("time", .double, ["obs"], [("standard_name", "time"), ("units", "seconds since 1970-01-01 00:00:00"),
                                           ("calendar", "standard")]).write(rows.map(\.time))
        try add("obs_hour", .double, ["obs"], [("long_name", "hour of the observation; simulated from the state at its end"),
                                               ("units", ModelHour.cfUnits)]).write(rows.map { Double($0.hour.value) })
        try add("latitude", .double, ["obs"], [("standard_name", "latitude"), ("units", "degrees_north")]).write(rows.map(\.latitude))
        try add("longitude", .double, ["obs"], [("standard_name", "longitude"), ("units", "degrees_east")]).write(rows.map(\.longitude))
        let kind = try add("kind", .int8, ["obs"], [("long_name", "kind of observation"),
                                                    ("flag_meanings", ObservationKind.allCases.map(\.flagMeaning).joined(separator: " "))])
        try kind.setAttribute("flag_values", .int8s(ObservationKind.allCases.map(\.rawValue)))
        try kind.write(rows.map(\.kind.rawValue))
        let set = try add("set", .int8, ["obs"], [("long_name", "assimilation candidate or independent validation"),
                                                  ("flag_meanings", ObservationRole.allCases.map(\.flagMeaning).joined(separator: " "))])
        try set.setAttribute("flag_values", .int8s(ObservationRole.allCases.map(\.rawValue)))
        try set.write(rows.map(\.role.rawValue))
        try add("value", .double, ["obs"], [("long_name", "observed CO2 (XCO2 for satellites)"), ("units", "ppm")] + coordinates)
            .write(rows.map(\.value))
        try add("error", .double, ["obs"], [("long_name", "observation error used by the filter (after inflation and floor)"),
                                            ("units", "ppm")] + coordinates).write(rows.map(\.error))
        try add("omb_threshold", .double, ["obs"], [("long_name", "OMB gate: |y - H(x_b)| above it rejects the observation "
                                                     + "(infinite: no gate)"), ("units", "ppm")]).write(rows.map(\.ombThreshold))
        try add("site", .string, ["obs"], [("long_name", "in-situ site code (empty for satellite)")]).writeStrings(rows.map(\.site))
        try add("instrument", .string, ["obs"], [("long_name", "instrument")]).writeStrings(rows.map(\.instrument))

        try file.commit()
    }

    /// A variable with text attributes (compressed when it has more than one dimension).
    static func addVariable(_ name: String, _ type: NetCDFType, _ dimensions: [String], _ attributes: [(String, String)],
                            to root: NetCDFGroup) throws -> NetCDFVariable {
        let variable = try root.addVariable(name, type: type, dimensions: dimensions, deflateLevel: dimensions.count > 1 ? 1 : 0)
        for (key, value) in attributes { try variable.setAttribute(key, .text(value)) }
        return variable
    }

    /// The basis description shared by the Jacobian and covariance files:
    /// dimensions `basis`, `component`, `group`, `period`, `nv`; the
    /// functions, names, period bounds, `group_map` and `basis_index`. The
    /// grid variables must be in `root` already.
    static func writeBasis(_ basis: JacobianBasis, grid: HorizontalGrid, to root: NetCDFGroup) throws {
        for (name, length) in [("basis", basis.count), ("component", basis.componentNames.count),
                               ("group", basis.groupNames.count), ("period", basis.periodCount), ("nv", 2)] {
            try root.addDimension(name, length: length)
        }
        func add(_ name: String, _ type: NetCDFType, _ dimensions: [String], _ attributes: [(String, String)]) throws -> NetCDFVariable {
            try addVariable(name, type, dimensions, attributes, to: root)
        }
        try add("basis_component", .int32, ["basis"], [("long_name", "component of the basis function (index into component_name)")])
            .write(basis.functions.map { Int32($0.component) })
        try add("basis_group", .int32, ["basis"], [("long_name", "group of cells of the basis function (index into group_name)")])
            .write(basis.functions.map { Int32($0.group) })
        try add("basis_period", .int32, ["basis"], [("long_name", "time period of the basis function (index into period)")])
            .write(basis.functions.map { Int32($0.period) })
        try add("component_name", .string, ["component"], [("long_name", "flux component")]).writeStrings(basis.componentNames)
        try add("group_name", .string, ["group"], [("long_name", "group of cells")]).writeStrings(basis.groupNames)
        try add("period", .double, ["period"], [("standard_name", "time"), ("long_name", "start of the period"),
                                                ("units", ModelHour.cfUnits), ("calendar", "standard"), ("bounds", "period_bounds")])
            .write(basis.periodStarts.map { Double($0.value) })
        try add("period_bounds", .double, ["period", "nv"], [("units", ModelHour.cfUnits)])
            .write(zip(basis.periodStarts, basis.periodEnds).flatMap { [Double($0.value), Double($1.value)] })
        let map = try add("group_map", .int32, ["y", "x"], [("long_name", "group of cells each grid cell belongs to")])
        try CFGridWriter.attachGrid(to: map)
        try map.write(basis.cellGroups.map(Int32.init))
        var index = [Int32](repeating: -1, count: basis.periodCount * basis.componentNames.count * grid.cellCount)
        for p in 0..<basis.periodCount {
            for c in basis.componentNames.indices {
                for cell in 0..<grid.cellCount {
                    if let f = basis.function(component: c, group: basis.cellGroups[cell], period: p) {
                        index[(p * basis.componentNames.count + c) * grid.cellCount + cell] = Int32(f)
                    }
                }
            }
        }
        let indexVariable = try add("basis_index", .int32, ["period", "component", "y", "x"], [
            ("long_name", "basis function holding the flux of the component in the cell during the period (-1: none, "
                + "the prior is zero there)")])
        try CFGridWriter.attachGrid(to: indexVariable)
        try indexVariable.write(index)
    }

    /// Reads the Jacobian in `path` made for `config`: the basis is rebuilt
    /// from the configuration and must be the file's (same domain, period,
    /// state vector and prior), every number is checked.
    public static func read(_ path: String, config: ExperimentConfig) throws -> Jacobian {
        func fail(_ object: String?, _ message: String) -> ExperimentError {
            .invalidInput("\(path):" + (object.map { " variable '\($0)':" } ?? "") + " \(message)")
        }
        let file: NetCDFFile
        do { file = try NetCDFFile.open(path) } catch { throw fail(nil, "cannot open: \(error)") }
        defer { file.close() }
        let root = file.root
        func text(_ name: String) throws -> String {
            guard let value = try root.attribute(name)?.text else { throw fail(nil, "global attribute '\(name)' missing: not an RCAS Jacobian") }
            return value
        }
        guard let partition = JacobianBasis.Partition(argument: try text("rcas_basis")),
              let periods = JacobianBasis.Periods(argument: try text("rcas_periods")),
              let shape = JacobianBasis.Shape(rawValue: try text("rcas_shape")) else {
            throw fail(nil, "unknown basis description \(try text("rcas_basis")), \(try text("rcas_periods")), \(try text("rcas_shape"))")
        }
        let expected = [("domain", config.domain.name), ("rcas_period_start", config.start.iso), ("rcas_period_end", config.end.iso),
                        ("state_vector", config.assimilation.stateVector.components.map(\.rawValue).joined(separator: " "))]
        for (name, value) in expected where try text(name) != value {
            throw fail(nil, "attribute '\(name)' is '\(try text(name))' but the configuration has '\(value)'")
        }
        let basis = try JacobianBasis.make(config: config, partition: partition, periods: periods, shape: shape)
        let m = try root.dimensionLength("obs"), n = try root.dimensionLength("basis")
        func variable(_ name: String, shape: [Int]) throws -> NetCDFVariable {
            guard root.hasVariable(name) else { throw fail(name, "missing") }
            let v = try root.variable(name)
            guard try v.shape() == shape else { throw fail(name, "shape \(try v.shape()), expected \(shape)") }
            return v
        }
        func numbers(_ name: String, shape: [Int], valid: (Double) -> Bool = { $0.isFinite && abs($0) < 1e30 }) throws -> [Double] {
            let values = try variable(name, shape: shape).read(Double.self)
            if let bad = values.firstIndex(where: { !valid($0) }) { throw fail(name, "value \(values[bad]) at index \(bad)") }
            return values
        }
        func integers(_ name: String, shape: [Int]) throws -> [Int] {
            try numbers(name, shape: shape, valid: { $0 == $0.rounded() && abs($0) < 1e9 }).map { Int($0) }
        }
        let functions = zip(zip(try integers("basis_component", shape: [n]), try integers("basis_group", shape: [n])),
                            try integers("basis_period", shape: [n])).map { JacobianBasis.Function(component: $0.0, group: $0.1, period: $1) }
        guard functions == basis.functions, try variable("group_name", shape: [basis.groupNames.count]).readStrings() == basis.groupNames else {
            throw fail("basis_component", "the basis functions (\(n)) are not those of \(config.file) (\(basis.count)): "
                       + "the Jacobian was made with another prior, domain or period")
        }
        let time = try numbers("time", shape: [m])
        let hours = try integers("obs_hour", shape: [m])
        let latitude = try numbers("latitude", shape: [m], valid: { abs($0) <= 90 })
        let longitude = try numbers("longitude", shape: [m], valid: { $0.isFinite && abs($0) <= 360 })
        let kinds = try integers("kind", shape: [m]), roles = try integers("set", shape: [m])
        let values = try numbers("value", shape: [m])
        let errors = try numbers("error", shape: [m], valid: { $0 > 0 && $0 < 1e30 })
        let gates = try numbers("omb_threshold", shape: [m], valid: { $0 > 0 })
        let sites = try variable("site", shape: [m]).readStrings(), instruments = try variable("instrument", shape: [m]).readStrings()
        var rows: [JacobianObservation] = []
        for o in 0..<m {
            guard let kind = ObservationKind(rawValue: Int8(clamping: kinds[o])),
                  let role = ObservationRole(rawValue: Int8(clamping: roles[o])) else {
                throw fail("kind", "observation \(o) has kind \(kinds[o]) and set \(roles[o]), which are not RCAS flags")
            }
            rows.append(JacobianObservation(time: time[o], hour: ModelHour(hours[o]), latitude: latitude[o], longitude: longitude[o],
                                            kind: kind, role: role, value: values[o], error: errors[o], ombThreshold: gates[o],
                                            site: sites[o], instrument: instruments[o]))
        }
        var jacobian = Jacobian(basis: basis, observations: rows, matrix: try numbers("jacobian", shape: [m, n]),
                                background: try numbers("c_background", shape: [m]), priorFlux: try numbers("c_prior_flux", shape: [m]),
                                transportScheme: try text("transport_scheme"))
        if let settings = config.boundaryBias {
            guard root.hasVariable("boundary_jacobian") else {
                throw fail("boundary_jacobian", "missing: the configuration optimises boundary biases, the Jacobian was made without them")
            }
            jacobian.boundary = try numbers("boundary_jacobian", shape: [m, settings.elementCount])
        }
        return jacobian
    }
}
