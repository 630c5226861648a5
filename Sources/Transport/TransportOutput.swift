import CFOutput
import Geometry
import Meteorology
import ModelTime
import NetCDFIO

/// The hourly 3-D concentration file (the contract with the observation
/// operators): dimensions `time` (unlimited), `z`, `y`, `x`; `time(time)`
/// hours since 1970, `z(z)` layer mid-height (m), `co2(time, z, y, x)` float
/// ppm dry-air mole fraction, `pressure` (Pa) and `water_vapour` (mol mol-1)
/// copied from that hour's meteorology, plus the CF grid variables. One file
/// holds one field per hour: one member, or the ensemble mean (the caller
/// decides and says which in `description`). Written atomically: nothing
/// appears at `path` until ``commit()``.
public final class ConcentrationFile {
    private let file: NetCDFFile
    private let grid: HorizontalGrid
    private let nz: Int
    private var hours = 0

    /// Creates the file (in a temporary place) with its grid and layers.
    public init(path: String, grid: HorizontalGrid, layers: VerticalLayers, description: String) throws(NetCDFError) {
        file = try NetCDFFile.create(path)
        self.grid = grid
        nz = layers.count
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS hourly CO2 concentrations",
                                               extra: [("content", description)])
        try CFGridWriter.write(grid, to: root)
        _ = try CFGridWriter.addTimeCoordinate(to: root)
        try root.addDimension("z", length: nz)
        let z = try root.addVariable("z", type: .double, dimensions: ["z"])
        try z.setAttribute("standard_name", .text("height"))
        try z.setAttribute("long_name", .text("layer mid-height above ground"))
        try z.setAttribute("units", .text("m"))
        try z.setAttribute("positive", .text("up"))
        try z.setAttribute("axis", .text("Z"))
        try z.write((0..<nz).map(layers.midHeight))
        let fields: [(String, String, String, String)] = [
            ("co2", "mole_fraction_of_carbon_dioxide_in_air", "CO2 dry-air mole fraction", "1e-6"),
            ("pressure", "air_pressure", "air pressure at the layer centre", "Pa"),
            ("water_vapour", "mole_fraction_of_water_vapor_in_air", "water-vapour mole fraction", "mol mol-1"),
        ]
        for (name, standard, long, units) in fields {
            let v = try root.addVariable(name, type: .float, dimensions: ["time", "z", "y", "x"], deflateLevel: 1)
            try v.setAttribute("standard_name", .text(standard))
            try v.setAttribute("long_name", .text(long))
            try v.setAttribute("units", .text(units))
            try CFGridWriter.attachGrid(to: v)
        }
        try root.variable("co2").setAttribute("comment", .text("ppm (micromol per mol of dry air)"))
    }

    /// Appends the hour `met.time` with the CO2 field `co2` (ppm, `(k * ny + j) * nx + i`);
    /// `met` must hold the whole grid.
    public func append(co2: [Double], met: MetFields) throws(NetCDFError) {
        precondition(met.region == CellRegion(i: 0..<grid.nx, j: 0..<grid.ny), "the concentration file needs the whole grid's meteorology")
        let count = [1, nz, grid.ny, grid.nx], start = [hours, 0, 0, 0]
        let root = file.root
        try root.variable("time").write([Double(met.time.value)], start: [hours], count: [1])
        try root.variable("co2").write(co2.map { Float($0) }, start: start, count: count)
        try root.variable("pressure").write(met.pressure.map { Float($0) }, start: start, count: count)
        try root.variable("water_vapour").write(met.waterVapour.map { Float($0) }, start: start, count: count)
        hours += 1
    }

    /// Closes the file and moves it into place.
    public func commit() throws(NetCDFError) { try file.commit() }
}

/// Writes the hourly CO2 budgets of the members (dimensions `time`, `member`)
/// to a CF-style NetCDF file, atomically.
public enum MassBudgetFile {
    public static func write(_ budgets: [[MassBudget]], members: Range<Int>, path: String) throws(NetCDFError) {
        let file = try NetCDFFile.create(path)
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS transport CO2 mass budget")
        try root.addDimension("time", length: nil)
        try root.addDimension("member", length: members.count)
        let time = try root.addVariable("time", type: .double, dimensions: ["time"])
        try time.setAttribute("standard_name", .text("time"))
        try time.setAttribute("long_name", .text("start of the hour"))
        try time.setAttribute("units", .text(ModelHour.cfUnits))
        try time.write(budgets.map { Double($0.first?.time.value ?? 0) }, start: [0], count: [budgets.count])
        let member = try root.addVariable("member", type: .int32, dimensions: ["member"])
        try member.setAttribute("long_name", .text("ensemble member index"))
        try member.write(members.map { Int32($0) })
        let quantities: [(String, String, (MassBudget) -> Double)] = [
            ("mass_start", "CO2 in the domain at the start of the hour", { $0.massStart }),
            ("mass_end", "CO2 in the domain at the end of the hour (same air)", { $0.massEnd }),
            ("injected", "surface flux integrated over the domain and the hour", { $0.injected }),
            ("lateral_inflow", "net CO2 inflow through the lateral boundaries", { $0.lateralInflow }),
            ("top_inflow", "net CO2 inflow through the model top", { $0.topInflow }),
            ("residual", "mass_end - mass_start - injected - lateral_inflow - top_inflow", { $0.residual }),
        ]
        for (name, long, value) in quantities {
            let v = try root.addVariable(name, type: .double, dimensions: ["time", "member"])
            try v.setAttribute("long_name", .text(long))
            try v.setAttribute("units", .text("mol"))
            try v.write(budgets.flatMap { $0.map(value) }, start: [0, 0], count: [budgets.count, members.count])
        }
        try file.commit()
    }
}
