import Foundation
import Geometry
import NetCDFIO

/// The horizontal grid and the vertical levels of a WRF domain as a wrfout
/// file describes them: global attributes (`MAP_PROJ`, `TRUELAT1`,
/// `TRUELAT2`, `STAND_LON`, `MOAD_CEN_LAT`, `CEN_LAT`, `CEN_LON`, `DX`, `DY`)
/// and dimensions (`west_east`, `south_north`, `bottom_top`). WRF's earth is a
/// sphere of 6370 km; its projections are those of WPS's `map_utils` (the
/// PROJ equivalents as in xWRF's `grid.py`, Docs/meteorology.md).
///
/// Supported: `MAP_PROJ` 1 (Lambert conformal), 2 (polar stereographic,
/// northern hemisphere) and 3 (Mercator). Not supported: 6 (regular or
/// rotated latitude-longitude, not conformal), 0 (idealised cases), southern
/// polar stereographic.
public struct WRFGrid: Sendable, Equatable {
    /// WRF's `MAP_PROJ` code.
    public let mapProjection: Int
    /// The projection on WRF's sphere.
    public let projection: Projection
    /// Mass points west-east, south-north; mass levels.
    public let nx: Int, ny: Int, levels: Int
    /// Grid spacing (m).
    public let dx: Double, dy: Double
    /// `GRID_ID` (1 for d01), when the file states it.
    public let gridID: Int?

    /// Reads the grid description of an open wrfout file.
    public init(file: NetCDFFile) throws {
        let root = file.root
        func attribute(_ name: String) throws -> Double {
            guard let value = try root.attribute(name)?.numbers?.first else {
                throw NetCDFError(path: file.path, object: name, operation: "read WRF grid",
                                  message: "global attribute missing (every wrfout has it)")
            }
            guard value.isFinite else {
                throw NetCDFError(path: file.path, object: name, operation: "read WRF grid", message: "value \(value) is not finite")
            }
            return value
        }
        func dimension(_ name: String) throws -> Int {
            guard try root.dimensionNames().contains(name) else {
                throw NetCDFError(path: file.path, object: name, operation: "read WRF grid",
                                  message: "dimension missing: this is not a wrfout file of WRF-ARW")
            }
            return try root.dimensionLength(name)
        }
        nx = try dimension("west_east")
        ny = try dimension("south_north")
        levels = try dimension("bottom_top")
        for (name, length) in [("west_east_stag", nx + 1), ("south_north_stag", ny + 1), ("bottom_top_stag", levels + 1)] {
            let found = try dimension(name)
            guard found == length else {
                throw NetCDFError(path: file.path, object: name, operation: "read WRF grid",
                                  message: "length \(found), expected \(length) (one more than the unstaggered dimension)")
            }
        }
        guard nx >= 2, ny >= 2, levels >= 1 else {
            throw NetCDFError(path: file.path, object: nil, operation: "read WRF grid",
                              message: "grid of \(nx) x \(ny) x \(levels) mass points is too small")
        }
        dx = try attribute("DX")
        dy = try attribute("DY")
        guard (1...1_000_000).contains(dx), (1...1_000_000).contains(dy) else {
            throw NetCDFError(path: file.path, object: "DX", operation: "read WRF grid",
                              message: "grid spacing DX = \(dx), DY = \(dy) m is not in 1 m ... 1000 km")
        }
        gridID = try root.attribute("GRID_ID")?.numbers?.first.flatMap { $0.isFinite && abs($0) < 1000 ? Int($0) : nil }
        let code = try attribute("MAP_PROJ")
        guard code == code.rounded(), abs(code) < 100 else {
            throw NetCDFError(path: file.path, object: "MAP_PROJ", operation: "read WRF grid", message: "value \(code) is not a projection code")
        }
        mapProjection = Int(code)
        func latitude(_ name: String) throws -> Double {
            let value = try attribute(name)
            guard (-90...90).contains(value) else {
                throw NetCDFError(path: file.path, object: name, operation: "read WRF grid", message: "latitude \(value) outside -90...90")
            }
            return value
        }
        func longitude(_ name: String) throws -> Double {
            let value = try attribute(name)
            guard (-360...360).contains(value) else {
                throw NetCDFError(path: file.path, object: name, operation: "read WRF grid", message: "longitude \(value) outside -360...360")
            }
            return value
        }
        let kind: Projection.Kind
        switch mapProjection {
        case 1:
            let first = try latitude("TRUELAT1"), second = try latitude("TRUELAT2")
            guard first * second > 0, abs(first) < 90, abs(second) < 90 else {
                throw NetCDFError(path: file.path, object: "TRUELAT1", operation: "read WRF grid",
                                  message: "Lambert conformal true latitudes \(first) and \(second) must be in the same hemisphere and not at a pole")
            }
            let origin = root.hasAttribute("MOAD_CEN_LAT") ? try latitude("MOAD_CEN_LAT") : try latitude("CEN_LAT")
            kind = .lambertConformal(standardParallel1: first, standardParallel2: second, latitudeOfOrigin: origin,
                                     centralLongitude: try longitude("STAND_LON"))
        case 2:
            let trueLatitude = try latitude("TRUELAT1")
            guard trueLatitude > 0 else {
                throw NetCDFError(path: file.path, object: "TRUELAT1", operation: "read WRF grid",
                                  message: "southern-hemisphere polar stereographic grids (TRUELAT1 = \(trueLatitude)) are not supported")
            }
            kind = .northPolarStereographic(standardParallel: trueLatitude, centralLongitude: try longitude("STAND_LON"))
        case 3:
            let trueLatitude = try latitude("TRUELAT1")
            guard abs(trueLatitude) <= 85 else {
                throw NetCDFError(path: file.path, object: "TRUELAT1", operation: "read WRF grid",
                                  message: "Mercator true latitude \(trueLatitude) is beyond ±85°")
            }
            kind = .mercator(standardParallel: trueLatitude, centralLongitude: try longitude("CEN_LON"))
        case 6:
            throw NetCDFError(path: file.path, object: "MAP_PROJ", operation: "read WRF grid",
                              message: "MAP_PROJ = 6 (regular or rotated latitude-longitude grid) is not supported: RCAS grids are conformal projections (1 Lambert, 2 polar stereographic, 3 Mercator)")
        default:
            throw NetCDFError(path: file.path, object: "MAP_PROJ", operation: "read WRF grid",
                              message: "MAP_PROJ = \(mapProjection) is not supported (1 Lambert conformal, 2 polar stereographic, 3 Mercator)")
        }
        projection = Projection(kind, earthRadius: WRFConstants.earthRadius)
    }

    /// The grid whose cell centres are WRF's mass points at `latitudes`,
    /// `longitudes` (one record of `XLAT`, `XLONG`, `j * nx + i`): the lower-left
    /// corner is the mean over all mass points of the projected position minus
    /// its offset in the grid, so the fit does not depend on `CEN_LAT`/`CEN_LON`.
    public func horizontalGrid(latitudes: [Double], longitudes: [Double]) -> HorizontalGrid {
        var sumX = 0.0, sumY = 0.0
        for j in 0..<ny {
            for i in 0..<nx {
                let (x, y) = projection.forward(GeoPoint(latitude: latitudes[j * nx + i], longitude: longitudes[j * nx + i]))
                sumX += x - (Double(i) + 0.5) * dx
                sumY += y - (Double(j) + 0.5) * dy
            }
        }
        let count = Double(nx * ny)
        return HorizontalGrid(projection: projection, nx: nx, ny: ny, dx: dx, dy: dy, xOrigin: sumX / count, yOrigin: sumY / count)
    }

    /// The largest difference (degrees of latitude or longitude) between
    /// cell centres (`j * nx + i`) and `latitudes`, `longitudes`, and where it is.
    public static func largestCoordinateDifference(_ centres: [GeoPoint], nx: Int, latitudes: [Double], longitudes: [Double])
        -> (degrees: Double, i: Int, j: Int) {
        var worst = (degrees: 0.0, i: 0, j: 0)
        for (n, centre) in centres.enumerated() {
            let difference = max(abs(centre.latitude - latitudes[n]), abs(remainder(centre.longitude - longitudes[n], 360)))
            if !(difference <= worst.degrees) { worst = (difference, n % nx, n / nx) }
        }
        return worst
    }

    /// Tolerance (degrees) between RCAS's cell centres and WRF's `XLAT`/`XLONG`.
    public static let coordinateTolerance = 1e-4
}

extension NetCDFGroup {
    /// Whether the group has attribute `name`.
    func hasAttribute(_ name: String) -> Bool { ((try? attributeNames()) ?? []).contains(name) }
}
