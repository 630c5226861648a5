import ConfigFormat
import Foundation

/// A model domain: projection, horizontal grid, vertical layers and optional
/// mask files, read from `domain.yaml` in a folder under `Domains/`. A domain
/// is data, not code; see `Domains/README.md` for the file format.
public struct Domain: Sendable {
    public let name: String
    public let summary: String
    /// The folder the domain was read from.
    public let directory: URL
    public let grid: HorizontalGrid
    public let layers: VerticalLayers
    /// Mask files by name (e.g. `land_sea`), as absolute paths.
    public let maskFiles: [String: String]

    /// The name of the domain file inside a domain folder.
    public static let fileName = "domain.yaml"

    /// Reads `path` (a domain folder or its `domain.yaml`), validating every
    /// value; errors name the file and key.
    public static func load(_ path: String) throws(ConfigError) -> Domain {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigError(file: path, key: nil, message: "domain folder or file does not exist")
        }
        let file = isDirectory.boolValue ? URL(fileURLWithPath: path).appendingPathComponent(fileName)
                                         : URL(fileURLWithPath: path)
        let directory = file.deletingLastPathComponent()
        let top = try ConfigMapping.load(file: file.path)

        let name = try top.value("name", as: String.self)
        let summary = try top.value("description", default: "")
        let radius = try top.value("earth_radius_m", default: cmaqEarthRadius, in: 6.0e6...6.5e6)
        let projection = Projection(try readProjection(try top.mapping("projection")), earthRadius: radius)
        let grid = try readGrid(try top.mapping("grid"), projection: projection)
        let layers = try readLayers(try top.mapping("layers"))

        var masks: [String: String] = [:]
        if let maskTable = try top.optionalMapping("masks") {
            for key in maskTable.keys {
                let relative: String = try maskTable.value(key)
                let full = directory.appendingPathComponent(relative).path
                guard FileManager.default.fileExists(atPath: full) else {
                    throw maskTable.error(key, "mask file \(full) does not exist")
                }
                masks[key] = full
            }
            try maskTable.finish()
        }
        try top.finish()
        return Domain(name: name, summary: summary, directory: directory, grid: grid, layers: layers, maskFiles: masks)
    }

    private static func readProjection(_ table: ConfigMapping) throws(ConfigError) -> Projection.Kind {
        let type = try table.choice("type", from: ["stereographic", "polar_stereographic", "lambert_conformal_conic", "mercator"])
        let kind: Projection.Kind
        switch type {
        case "stereographic":
            kind = .obliqueStereographic(
                latitudeOfOrigin: try table.value("latitude_of_projection_origin", in: -90...90),
                longitudeOfOrigin: try table.value("longitude_of_projection_origin", in: -180...360),
                scaleFactor: try table.value("scale_factor_at_projection_origin", default: 1.0, in: 0.5...1.5))
        case "polar_stereographic":
            kind = .northPolarStereographic(
                standardParallel: try table.value("standard_parallel", in: 0...90),
                centralLongitude: try table.value("straight_vertical_longitude_from_pole", in: -180...360))
        case "mercator":
            kind = .mercator(standardParallel: try table.value("standard_parallel", in: -85...85),
                             centralLongitude: try table.value("longitude_of_projection_origin", in: -180...360))
        default:
            let first: Double = try table.value("standard_parallel_1", in: -89...89)
            kind = .lambertConformal(
                standardParallel1: first,
                standardParallel2: try table.value("standard_parallel_2", default: first, in: -89...89),
                latitudeOfOrigin: try table.value("latitude_of_projection_origin", in: -89...89),
                centralLongitude: try table.value("longitude_of_central_meridian", in: -180...360))
            if case let .lambertConformal(a, b, _, _) = kind, a * b <= 0 {
                throw table.error("standard_parallel_2", "both standard parallels must be in the same hemisphere")
            }
        }
        try table.finish()
        return kind
    }

    private static func readGrid(_ table: ConfigMapping, projection: Projection) throws(ConfigError) -> HorizontalGrid {
        let nx: Int = try table.value("nx", in: 1...100_000)
        let ny: Int = try table.value("ny", in: 1...100_000)
        let dx: Double = try table.value("dx_m", in: 100...1_000_000)
        let dy: Double = try table.value("dy_m", default: dx, in: 100...1_000_000)
        // IOAPI convention: the origin is the lower-left corner of the
        // lower-left cell; by default the grid is centred on the projection origin.
        let xOrigin: Double = try table.value("x_origin_m", default: -Double(nx) * dx / 2)
        let yOrigin: Double = try table.value("y_origin_m", default: -Double(ny) * dy / 2)
        try table.finish()
        let grid = HorizontalGrid(projection: projection, nx: nx, ny: ny, dx: dx, dy: dy, xOrigin: xOrigin, yOrigin: yOrigin)
        let extent = max(abs(xOrigin), abs(xOrigin + Double(nx) * dx), abs(yOrigin), abs(yOrigin + Double(ny) * dy))
        guard extent < projection.earthRadius * 3 else {
            throw ConfigError(file: table.file, key: "grid", message: "grid extends \(extent / 1000) km from the projection origin; too far for a regional grid")
        }
        return grid
    }

    private static func readLayers(_ table: ConfigMapping) throws(ConfigError) -> VerticalLayers {
        if let heights = try table.optionalList("interface_heights_m", of: Double.self) {
            guard heights.count >= 2, heights[0] == 0 else {
                throw table.error("interface_heights_m", "needs at least two interfaces, the first 0")
            }
            guard zip(heights, heights.dropFirst()).allSatisfy({ $0 < $1 }) else {
                throw table.error("interface_heights_m", "interfaces must increase strictly")
            }
            let eta = try table.optionalList("wrf_eta_interfaces", of: Double.self)
            if let eta {
                guard eta.count == heights.count else {
                    throw table.error("wrf_eta_interfaces", "needs one value per interface (\(heights.count)), has \(eta.count)")
                }
                guard eta[0] == 1, zip(eta, eta.dropFirst()).allSatisfy({ $0 > $1 }), eta.last! >= 0 else {
                    throw table.error("wrf_eta_interfaces", "must start at 1 and decrease strictly to no less than 0")
                }
            }
            try table.finish()
            return VerticalLayers(interfaceHeights: heights, wrfEtaInterfaces: eta)
        }
        let sigma = try table.list("sigma_interfaces", of: Double.self)
        let top: Double = try table.value("top_pressure_pa", in: 100...90_000)
        guard sigma.count >= 2, sigma[0] == 1, zip(sigma, sigma.dropFirst()).allSatisfy({ $0 > $1 }),
              sigma.last! >= 0 else {
            throw table.error("sigma_interfaces", "must start at 1 and decrease strictly to no less than 0")
        }
        try table.finish()
        return VerticalLayers(sigmaInterfaces: sigma, topPressure: top)
    }

    /// Total area of all cells (m²).
    public var totalArea: Double { grid.cellAreas().reduce(0, +) }
}
