import Foundation
import Geometry

/// A latitude/longitude grid of a file: cell centres in file order and the
/// cell edges between them (midpoints between neighbouring centres; the
/// outer edges as far beyond the outer centres as the neighbouring edge is
/// inside, latitude clamped to ±90°). Latitudes may run north to south;
/// longitudes must increase (across the date line they may pass 180, e.g.
/// 0.5 ... 359.5) and span at most 360°.
public struct LatLonGrid: Sendable, Equatable {
    /// Cell-centre latitudes and longitudes (degrees), in file order.
    public let latitudes: [Double]
    public let longitudes: [Double]
    /// South and north edge (degrees) of each row, in file order.
    public let southEdges: [Double]
    public let northEdges: [Double]
    /// West and east edge (degrees) of each column, in file order.
    public let westEdges: [Double]
    public let eastEdges: [Double]

    public var rowCount: Int { latitudes.count }
    public var columnCount: Int { longitudes.count }

    /// True when the columns go once around the earth.
    public var isGlobalInLongitude: Bool { abs(eastEdges[columnCount - 1] - westEdges[0] - 360) < 1e-6 }

    /// Checks and keeps the centres; the message of a failure says what is wrong.
    public init(latitudes: [Double], longitudes: [Double]) throws(LatLonGridError) {
        guard latitudes.count >= 2, longitudes.count >= 2 else {
            throw LatLonGridError(message: "needs at least two latitudes and two longitudes, found \(latitudes.count) x \(longitudes.count)")
        }
        for (index, value) in latitudes.enumerated() where !(value.isFinite && (-90...90).contains(value)) {
            throw LatLonGridError(message: "latitude \(value) at index \(index) is not in [-90, 90]")
        }
        for (index, value) in longitudes.enumerated() where !(value.isFinite && (-360...720).contains(value)) {
            throw LatLonGridError(message: "longitude \(value) at index \(index) is not a longitude")
        }
        let ascending = latitudes[1] > latitudes[0]
        for k in 1..<latitudes.count where (latitudes[k] > latitudes[k - 1]) != ascending || latitudes[k] == latitudes[k - 1] {
            throw LatLonGridError(message: "latitudes must be strictly monotonic; index \(k) (\(latitudes[k])) breaks the order")
        }
        for k in 1..<longitudes.count where longitudes[k] <= longitudes[k - 1] {
            throw LatLonGridError(message: "longitudes must increase; index \(k) (\(longitudes[k])) is not east of index \(k - 1)")
        }
        self.latitudes = latitudes
        self.longitudes = longitudes
        let (low, high) = Self.edges(ascending ? latitudes : latitudes.reversed())
        let south = low.map { max(-90, $0) }, north = high.map { min(90, $0) }
        southEdges = ascending ? south : south.reversed()
        northEdges = ascending ? north : north.reversed()
        (westEdges, eastEdges) = Self.edges(longitudes)
        guard eastEdges[longitudes.count - 1] - westEdges[0] <= 360 + 1e-6 else {
            throw LatLonGridError(message: "longitude cells span \(eastEdges[longitudes.count - 1] - westEdges[0])°, more than once around the earth")
        }
    }

    /// Lower and upper edges of cells centred on increasing `centres`.
    private static func edges(_ centres: [Double]) -> ([Double], [Double]) {
        let n = centres.count
        var inner = [Double](repeating: 0, count: n + 1)
        for k in 1..<n { inner[k] = (centres[k - 1] + centres[k]) / 2 }
        inner[0] = centres[0] - (inner[1] - centres[0])
        inner[n] = centres[n - 1] + (centres[n - 1] - inner[n - 1])
        return (Array(inner[0..<n]), Array(inner[1...n]))
    }

    /// The spherical area (m²) of cell (row, column) on a sphere of `radius`.
    public func cellArea(row: Int, column: Int, radius: Double) -> Double {
        radius * radius * (eastEdges[column] - westEdges[column]) * .pi / 180
            * (sin(northEdges[row] * .pi / 180) - sin(southEdges[row] * .pi / 180))
    }
}

/// Latitudes or longitudes that do not make a grid.
public struct LatLonGridError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
