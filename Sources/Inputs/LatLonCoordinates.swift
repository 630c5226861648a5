import Foundation
import NetCDFIO

/// Names CF files give their latitude and longitude dimensions; the units
/// that mark a coordinate as latitude or longitude are NetCDFIO's
/// (``PhysicalQuantity/latitude``, ``PhysicalQuantity/longitude``).
enum LatLonCoordinates {
    static let latitudeNames: Set<String> = ["lat", "latitude"]
    static let longitudeNames: Set<String> = ["lon", "longitude"]

    /// True when `dimension` of `file` is a latitude (or, with `longitude`,
    /// a longitude) axis: by its name or its coordinate variable's units.
    static func isAxis(_ dimension: String, longitude: Bool, in file: InputFile) throws -> Bool {
        if (longitude ? longitudeNames : latitudeNames).contains(dimension.lowercased()) { return true }
        guard file.hasVariable(dimension), let units = try file.variable(dimension).attribute("units")?.text else { return false }
        return (longitude ? PhysicalQuantity.longitude : .latitude).conversion(from: units) != nil
    }

    /// The grid of a variable whose last two dimensions are latitude and
    /// longitude, from their coordinate variables.
    static func grid(of variable: DataVariable) throws -> LatLonGrid {
        let file = variable.file
        let dimensions = variable.dimensions
        guard dimensions.count >= 2,
              try isAxis(dimensions[dimensions.count - 2], longitude: false, in: file),
              try isAxis(dimensions[dimensions.count - 1], longitude: true, in: file) else {
            throw InputFileError(path: file.path, variable: variable.name,
                                 message: "dimensions (\(dimensions.joined(separator: ", "))) must end with latitude, longitude")
        }
        let latitudeName = dimensions[dimensions.count - 2], longitudeName = dimensions[dimensions.count - 1]
        for name in [latitudeName, longitudeName] where !file.hasVariable(name) {
            throw InputFileError(path: file.path, variable: name, message: "coordinate variable missing for dimension '\(name)'")
        }
        let latitudes = try file.variable(latitudeName).read(Double.self)
        let longitudes = try file.variable(longitudeName).read(Double.self)
        do {
            return try LatLonGrid(latitudes: latitudes, longitudes: longitudes)
        } catch {
            throw InputFileError(path: file.path, variable: "\(latitudeName)/\(longitudeName)", message: error.description)
        }
    }
}
