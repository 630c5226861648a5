import Foundation

/// A point on the sphere in degrees (latitude north, longitude east).
public struct GeoPoint: Sendable, Equatable, CustomStringConvertible {
    public var latitude: Double
    public var longitude: Double

    public init(latitude: Double, longitude: Double) {
        self.latitude = latitude
        self.longitude = longitude
    }

    public var description: String {
        String(format: "%.3f°%@ %.3f°%@", abs(latitude), latitude >= 0 ? "N" : "S",
               abs(longitude), longitude >= 0 ? "E" : "W")
    }
}

/// The earth radius of CMAQ/IOAPI spherical grids (m).
public let cmaqEarthRadius = 6_370_000.0

@inline(__always) func radians(_ degrees: Double) -> Double { degrees * .pi / 180 }
@inline(__always) func degrees(_ radians: Double) -> Double { radians * 180 / .pi }

/// Wraps an angle in radians to [-π, π).
@inline(__always) func wrapPi(_ angle: Double) -> Double {
    var a = angle.truncatingRemainder(dividingBy: 2 * .pi)
    if a >= .pi { a -= 2 * .pi }
    if a < -.pi { a += 2 * .pi }
    return a
}

/// Great-circle distance (m) between two points on a sphere of `radius`
/// (haversine form, accurate at all separations).
public func greatCircleDistance(_ a: GeoPoint, _ b: GeoPoint, radius: Double = cmaqEarthRadius) -> Double {
    let φ1 = radians(a.latitude), φ2 = radians(b.latitude)
    let dφ = φ2 - φ1, dλ = radians(b.longitude - a.longitude)
    let h = sin(dφ / 2) * sin(dφ / 2) + cos(φ1) * cos(φ2) * sin(dλ / 2) * sin(dλ / 2)
    return 2 * radius * asin(min(1, sqrt(h)))
}
