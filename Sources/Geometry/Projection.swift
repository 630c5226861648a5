import Foundation

/// A conformal map projection of the sphere, forward (lat/lon to x/y in
/// metres) and inverse. Formulas: Snyder (1987), *Map Projections: A Working
/// Manual*, USGS PP 1395, sections 21 (stereographic), 15 (Lambert
/// conformal conic) and 7 (Mercator), spherical forms.
public struct Projection: Sendable, Equatable {
    /// The projection family and its parameters (degrees).
    public enum Kind: Sendable, Equatable {
        /// Stereographic tangent at (latitude, longitude): what RAMS calls
        /// "rotated polar stereographic" (CF `stereographic`).
        case obliqueStereographic(latitudeOfOrigin: Double, longitudeOfOrigin: Double, scaleFactor: Double)
        /// North-polar stereographic, true scale at `standardParallel`, with
        /// `centralLongitude` pointing down from the pole (CF `polar_stereographic`).
        case northPolarStereographic(standardParallel: Double, centralLongitude: Double)
        /// Lambert conformal conic with one or two standard parallels (CF
        /// `lambert_conformal_conic`).
        case lambertConformal(standardParallel1: Double, standardParallel2: Double,
                              latitudeOfOrigin: Double, centralLongitude: Double)
        /// Normal (equatorial) Mercator, true scale at ±`standardParallel`,
        /// y = 0 on the equator (CF `mercator`).
        case mercator(standardParallel: Double, centralLongitude: Double)
    }

    public let kind: Kind
    /// Sphere radius (m).
    public let earthRadius: Double

    public init(_ kind: Kind, earthRadius: Double = cmaqEarthRadius) {
        self.kind = kind
        self.earthRadius = earthRadius
    }

    /// Cone constant n and F·R for Lambert (Snyder 15-3, 15-2).
    private static func lambertConstants(_ φ1: Double, _ φ2: Double) -> (n: Double, F: Double) {
        let n = abs(φ1 - φ2) < 1e-12
            ? sin(φ1)
            : log(cos(φ1) / cos(φ2)) / log(tan(.pi / 4 + φ2 / 2) / tan(.pi / 4 + φ1 / 2))
        let F = cos(φ1) * pow(tan(.pi / 4 + φ1 / 2), n) / n
        return (n, F)
    }

    /// Projected coordinates (m) of `point`.
    public func forward(_ point: GeoPoint) -> (x: Double, y: Double) {
        let φ = radians(point.latitude), λ = radians(point.longitude)
        let R = earthRadius
        switch kind {
        case let .obliqueStereographic(lat0, lon0, k0):
            // Snyder 21-2, 21-3, 21-4.
            let φ1 = radians(lat0), dλ = wrapPi(λ - radians(lon0))
            let k = 2 * k0 / (1 + sin(φ1) * sin(φ) + cos(φ1) * cos(φ) * cos(dλ))
            return (R * k * cos(φ) * sin(dλ), R * k * (cos(φ1) * sin(φ) - sin(φ1) * cos(φ) * cos(dλ)))
        case let .northPolarStereographic(latTS, lon0):
            // Snyder 21-33 with k0 from the true-scale latitude.
            let k0 = (1 + sin(radians(latTS))) / 2
            let ρ = 2 * R * k0 * tan(.pi / 4 - φ / 2)
            let dλ = wrapPi(λ - radians(lon0))
            return (ρ * sin(dλ), -ρ * cos(dλ))
        case let .lambertConformal(lat1, lat2, lat0, lon0):
            // Snyder 15-1, 15-1a, 15-2, 15-3.
            let (n, F) = Self.lambertConstants(radians(lat1), radians(lat2))
            let ρ = R * F / pow(tan(.pi / 4 + φ / 2), n)
            let ρ0 = R * F / pow(tan(.pi / 4 + radians(lat0) / 2), n)
            let θ = n * wrapPi(λ - radians(lon0))
            return (ρ * sin(θ), ρ0 - ρ * cos(θ))
        case let .mercator(latTS, lon0):
            // Snyder 7-1, 7-2 scaled by k0 = cos(standard parallel).
            let k0 = cos(radians(latTS))
            return (R * k0 * wrapPi(λ - radians(lon0)), R * k0 * log(tan(.pi / 4 + φ / 2)))
        }
    }

    /// Latitude/longitude of projected coordinates (m).
    public func inverse(x: Double, y: Double) -> GeoPoint {
        let R = earthRadius
        switch kind {
        case let .obliqueStereographic(lat0, lon0, k0):
            // Snyder 20-18, 21-14, 21-15.
            let φ1 = radians(lat0)
            let ρ = (x * x + y * y).squareRoot()
            guard ρ > 0 else { return GeoPoint(latitude: lat0, longitude: lon0) }
            let c = 2 * atan(ρ / (2 * R * k0))
            let φ = asin(cos(c) * sin(φ1) + y * sin(c) * cos(φ1) / ρ)
            let λ = radians(lon0) + atan2(x * sin(c), ρ * cos(φ1) * cos(c) - y * sin(φ1) * sin(c))
            return GeoPoint(latitude: degrees(φ), longitude: degrees(wrapPi(λ)))
        case let .northPolarStereographic(latTS, lon0):
            let k0 = (1 + sin(radians(latTS))) / 2
            let ρ = (x * x + y * y).squareRoot()
            let φ = .pi / 2 - 2 * atan(ρ / (2 * R * k0))
            let λ = radians(lon0) + atan2(x, -y)
            return GeoPoint(latitude: degrees(φ), longitude: degrees(wrapPi(λ)))
        case let .lambertConformal(lat1, lat2, lat0, lon0):
            // Snyder 14-10, 15-9, 15-10.
            let (n, F) = Self.lambertConstants(radians(lat1), radians(lat2))
            let ρ0 = R * F / pow(tan(.pi / 4 + radians(lat0) / 2), n)
            let s: Double = n < 0 ? -1 : 1
            let ρ = s * (x * x + (ρ0 - y) * (ρ0 - y)).squareRoot()
            let θ = atan2(s * x, s * (ρ0 - y))
            let φ = 2 * atan(pow(R * F / ρ, 1 / n)) - .pi / 2
            return GeoPoint(latitude: degrees(φ), longitude: degrees(wrapPi(θ / n + radians(lon0))))
        case let .mercator(latTS, lon0):
            // Snyder 7-4, 7-5.
            let k0 = cos(radians(latTS))
            let φ = .pi / 2 - 2 * atan(exp(-y / (R * k0)))
            return GeoPoint(latitude: degrees(φ), longitude: degrees(wrapPi(radians(lon0) + x / (R * k0))))
        }
    }

    /// The map-scale factor k (projected length / true length) at `point`.
    public func scaleFactor(at point: GeoPoint) -> Double {
        let φ = radians(point.latitude), λ = radians(point.longitude)
        switch kind {
        case let .obliqueStereographic(lat0, lon0, k0):
            let φ1 = radians(lat0), dλ = wrapPi(λ - radians(lon0))
            return 2 * k0 / (1 + sin(φ1) * sin(φ) + cos(φ1) * cos(φ) * cos(dλ))
        case let .northPolarStereographic(latTS, _):
            return (1 + sin(radians(latTS))) / (1 + sin(φ))
        case let .lambertConformal(lat1, lat2, _, _):
            // Snyder 15-4: k = ρ n / (R cos φ).
            let (n, F) = Self.lambertConstants(radians(lat1), radians(lat2))
            return F * n / (cos(φ) * pow(tan(.pi / 4 + φ / 2), n))
        case let .mercator(latTS, _):
            // Snyder 7-3 with k0 = cos(standard parallel).
            return cos(radians(latTS)) / cos(φ)
        }
    }

    /// The CF-1.8 grid-mapping attributes of this projection (for a `crs`
    /// variable), in a fixed order.
    public var cfAttributes: [(name: String, value: CFAttributeValue)] {
        var attributes: [(String, CFAttributeValue)]
        switch kind {
        case let .obliqueStereographic(lat0, lon0, k0):
            attributes = [("grid_mapping_name", .text("stereographic")),
                          ("latitude_of_projection_origin", .number(lat0)),
                          ("longitude_of_projection_origin", .number(lon0)),
                          ("scale_factor_at_projection_origin", .number(k0))]
        case let .northPolarStereographic(latTS, lon0):
            attributes = [("grid_mapping_name", .text("polar_stereographic")),
                          ("latitude_of_projection_origin", .number(90)),
                          ("straight_vertical_longitude_from_pole", .number(lon0)),
                          ("standard_parallel", .number(latTS))]
        case let .lambertConformal(lat1, lat2, lat0, lon0):
            attributes = [("grid_mapping_name", .text("lambert_conformal_conic")),
                          ("standard_parallel", lat1 == lat2 ? .number(lat1) : .numbers([lat1, lat2])),
                          ("latitude_of_projection_origin", .number(lat0)),
                          ("longitude_of_central_meridian", .number(lon0))]
        case let .mercator(latTS, lon0):
            attributes = [("grid_mapping_name", .text("mercator")),
                          ("longitude_of_projection_origin", .number(lon0)),
                          ("standard_parallel", .number(latTS))]
        }
        attributes += [("false_easting", .number(0)), ("false_northing", .number(0)),
                       ("earth_radius", .number(earthRadius))]
        return attributes
    }

    /// A PROJ string for the same projection, for cross-checks with other tools.
    public var projString: String {
        switch kind {
        case let .obliqueStereographic(lat0, lon0, k0):
            "+proj=stere +lat_0=\(lat0) +lon_0=\(lon0) +k_0=\(k0) +R=\(earthRadius) +units=m"
        case let .northPolarStereographic(latTS, lon0):
            "+proj=stere +lat_0=90 +lat_ts=\(latTS) +lon_0=\(lon0) +R=\(earthRadius) +units=m"
        case let .lambertConformal(lat1, lat2, lat0, lon0):
            "+proj=lcc +lat_1=\(lat1) +lat_2=\(lat2) +lat_0=\(lat0) +lon_0=\(lon0) +R=\(earthRadius) +units=m"
        case let .mercator(latTS, lon0):
            "+proj=merc +lat_ts=\(latTS) +lon_0=\(lon0) +R=\(earthRadius) +units=m"
        }
    }
}

/// A CF attribute value produced by Geometry (which does not know NetCDF).
public enum CFAttributeValue: Sendable, Equatable {
    case text(String)
    case number(Double)
    case numbers([Double])
}
