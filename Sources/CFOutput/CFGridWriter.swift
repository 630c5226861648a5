import Geometry
import ModelTime
import NetCDFIO

/// Writes a grid's CF-1.8 description into a NetCDF group: dimensions `x`,
/// `y`; coordinate variables `x`, `y` (projection metres); 2-D `lat`, `lon`
/// of cell centres; `cell_area`; and the `crs` grid-mapping variable that
/// every gridded field names in its `grid_mapping` attribute.
public enum CFGridWriter {
    /// Name of the grid-mapping variable.
    public static let gridMappingName = "crs"

    /// Defines and fills the grid variables in `group`.
    public static func write(_ grid: HorizontalGrid, to group: NetCDFGroup) throws(NetCDFError) {
        try define(grid, in: group).fill()
    }

    /// The grid variables of a file, defined and waiting for their values
    /// (for files that must leave define mode before any data is written).
    public struct DefinedGrid {
        let grid: HorizontalGrid
        let crs, x, y, lat, lon, area: NetCDFVariable

        /// Writes the coordinate values.
        public func fill() throws(NetCDFError) {
            try crs.write([Int32(0)])
            try x.write((0..<grid.nx).map(grid.x))
            try y.write((0..<grid.ny).map(grid.y))
            let centres = grid.centers()
            try lat.write(centres.map(\.latitude))
            try lon.write(centres.map(\.longitude))
            try area.write(grid.cellAreas())
        }
    }

    /// Defines the grid's dimensions and variables in `group`; their values
    /// follow with ``DefinedGrid/fill()``.
    public static func define(_ grid: HorizontalGrid, in group: NetCDFGroup) throws(NetCDFError) -> DefinedGrid {
        try group.addDimension("x", length: grid.nx)
        try group.addDimension("y", length: grid.ny)

        let crs = try group.addVariable(gridMappingName, type: .int32, dimensions: [])
        for (name, value) in grid.projection.cfAttributes {
            try crs.setAttribute(name, value.netCDF)
        }
        try crs.setAttribute("proj4_params", .text(grid.projection.projString))

        let x = try group.addVariable("x", type: .double, dimensions: ["x"])
        try x.setAttribute("standard_name", .text("projection_x_coordinate"))
        try x.setAttribute("long_name", .text("x coordinate of cell centre in the projection"))
        try x.setAttribute("units", .text("m"))
        try x.setAttribute("axis", .text("X"))

        let y = try group.addVariable("y", type: .double, dimensions: ["y"])
        try y.setAttribute("standard_name", .text("projection_y_coordinate"))
        try y.setAttribute("long_name", .text("y coordinate of cell centre in the projection"))
        try y.setAttribute("units", .text("m"))
        try y.setAttribute("axis", .text("Y"))

        let lat = try group.addVariable("lat", type: .double, dimensions: ["y", "x"])
        try lat.setAttribute("standard_name", .text("latitude"))
        try lat.setAttribute("long_name", .text("latitude of cell centre"))
        try lat.setAttribute("units", .text("degrees_north"))

        let lon = try group.addVariable("lon", type: .double, dimensions: ["y", "x"])
        try lon.setAttribute("standard_name", .text("longitude"))
        try lon.setAttribute("long_name", .text("longitude of cell centre"))
        try lon.setAttribute("units", .text("degrees_east"))

        let area = try group.addVariable("cell_area", type: .double, dimensions: ["y", "x"])
        try area.setAttribute("standard_name", .text("cell_area"))
        try area.setAttribute("long_name", .text("area of the grid cell on the sphere"))
        try area.setAttribute("units", .text("m2"))
        try area.setAttribute("coordinates", .text("lat lon"))
        try area.setAttribute("grid_mapping", .text(gridMappingName))
        return DefinedGrid(grid: grid, crs: crs, x: x, y: y, lat: lat, lon: lon, area: area)
    }

    /// Defines an unlimited `time` dimension and its CF coordinate variable
    /// (hours since 1970-01-01, standard calendar, axis T), for hourly
    /// records written one after another.
    public static func addTimeCoordinate(to group: NetCDFGroup) throws(NetCDFError) -> NetCDFVariable {
        try group.addDimension("time", length: nil)
        let time = try group.addVariable("time", type: .double, dimensions: ["time"])
        try time.setAttribute("standard_name", .text("time"))
        try time.setAttribute("units", .text(ModelHour.cfUnits))
        try time.setAttribute("calendar", .text("standard"))
        try time.setAttribute("axis", .text("T"))
        return time
    }

    /// Marks `variable` as a field on the grid: `grid_mapping` and
    /// `coordinates` attributes as CF requires for projected grids.
    public static func attachGrid(to variable: NetCDFVariable) throws(NetCDFError) {
        try variable.setAttribute("grid_mapping", .text(gridMappingName))
        try variable.setAttribute("coordinates", .text("lat lon"))
    }

    /// Global attributes every RCAS file carries.
    public static func writeGlobalAttributes(to group: NetCDFGroup, title: String,
                                             extra: [(String, String)] = []) throws(NetCDFError) {
        try group.setAttribute("Conventions", .text("CF-1.8"))
        try group.setAttribute("title", .text(title))
        try group.setAttribute("institution", .text("RCAS (Regional Carbon Assimilation System)"))
        try group.setAttribute("source", .text("RCAS \(RCASVersion.string)"))
        try group.setAttribute("history", .text("written by rcas \(RCASVersion.string)"))
        for (name, value) in extra { try group.setAttribute(name, .text(value)) }
    }
}

extension CFAttributeValue {
    var netCDF: NetCDFAttribute {
        switch self {
        case .text(let s): .text(s)
        case .number(let v): .doubles([v])
        case .numbers(let v): .doubles(v)
        }
    }
}

/// The RCAS version, written into every output file.
public enum RCASVersion {
    public static let string = "0.1.0"
}
