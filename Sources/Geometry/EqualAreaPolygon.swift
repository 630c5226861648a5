import Foundation

/// A point of the cylindrical equal-area plane: longitude λ (degrees, not
/// wrapped) and μ = sin φ. Lambert's cylindrical equal-area map sends the
/// sphere's area element R² cos φ dφ dλ to R² dμ dλ, so areas measured in
/// this plane are true spherical areas (times R² π/180 for λ in degrees),
/// and a latitude/longitude cell is an axis-aligned rectangle in it.
public struct EqualAreaPoint: Sendable, Equatable {
    public var longitude: Double
    public var sineLatitude: Double

    public init(longitude: Double, sineLatitude: Double) {
        self.longitude = longitude
        self.sineLatitude = sineLatitude
    }
}

/// A polygon in the cylindrical equal-area plane (see ``EqualAreaPoint``),
/// vertices in order, the last joined to the first.
public struct EqualAreaPolygon: Sendable, Equatable {
    public var vertices: [EqualAreaPoint]

    public init(_ vertices: [EqualAreaPoint]) { self.vertices = vertices }

    /// The enclosed area on a sphere of `radius` (m²): the shoelace formula in
    /// the (λ, μ) plane times R² π/180; positive for counter-clockwise polygons.
    public func area(radius: Double) -> Double {
        guard vertices.count >= 3 else { return 0 }
        var twice = 0.0
        var previous = vertices[vertices.count - 1]
        for vertex in vertices {
            twice += previous.longitude * vertex.sineLatitude - vertex.longitude * previous.sineLatitude
            previous = vertex
        }
        return 0.5 * twice * radius * radius * .pi / 180
    }

    /// The smallest and largest longitude and sine of latitude of the vertices.
    public var bounds: (longitudes: ClosedRange<Double>, sineLatitudes: ClosedRange<Double>) {
        var λ0 = Double.infinity, λ1 = -Double.infinity, μ0 = Double.infinity, μ1 = -Double.infinity
        for v in vertices {
            λ0 = min(λ0, v.longitude); λ1 = max(λ1, v.longitude)
            μ0 = min(μ0, v.sineLatitude); μ1 = max(μ1, v.sineLatitude)
        }
        return (λ0...λ1, μ0...μ1)
    }

    /// The part inside the rectangle `longitudes` x `sineLatitudes`
    /// (Sutherland-Hodgman clipping against its four sides). The clip window
    /// is convex, so the result has the right area even when this polygon is
    /// not convex (it may then hold zero-width slivers, which add no area).
    public func clipped(longitudes: ClosedRange<Double>, sineLatitudes: ClosedRange<Double>) -> EqualAreaPolygon {
        clipped(longitudes: longitudes).clipped(sineLatitudes: sineLatitudes)
    }

    /// The part between two meridians (a strip of the plane).
    public func clipped(longitudes: ClosedRange<Double>) -> EqualAreaPolygon {
        let west = Self.clip(vertices, onLongitude: true, bound: longitudes.lowerBound, keepAbove: true)
        return EqualAreaPolygon(Self.clip(west, onLongitude: true, bound: longitudes.upperBound, keepAbove: false))
    }

    /// The part between two parallels, given by their sines.
    public func clipped(sineLatitudes: ClosedRange<Double>) -> EqualAreaPolygon {
        let south = Self.clip(vertices, onLongitude: false, bound: sineLatitudes.lowerBound, keepAbove: true)
        return EqualAreaPolygon(Self.clip(south, onLongitude: false, bound: sineLatitudes.upperBound, keepAbove: false))
    }

    /// One Sutherland-Hodgman pass: keeps the half-plane where the longitude
    /// (or the sine of latitude) is at least (`keepAbove`) or at most `bound`.
    private static func clip(_ points: [EqualAreaPoint], onLongitude: Bool, bound: Double, keepAbove: Bool) -> [EqualAreaPoint] {
        guard let last = points.last else { return [] }
        @inline(__always) func coordinate(_ p: EqualAreaPoint) -> Double { onLongitude ? p.longitude : p.sineLatitude }
        @inline(__always) func inside(_ p: EqualAreaPoint) -> Bool { keepAbove ? coordinate(p) >= bound : coordinate(p) <= bound }
        @inline(__always) func crossing(_ a: EqualAreaPoint, _ b: EqualAreaPoint) -> EqualAreaPoint {
            let t = (bound - coordinate(a)) / (coordinate(b) - coordinate(a))
            return onLongitude
                ? EqualAreaPoint(longitude: bound, sineLatitude: a.sineLatitude + t * (b.sineLatitude - a.sineLatitude))
                : EqualAreaPoint(longitude: a.longitude + t * (b.longitude - a.longitude), sineLatitude: bound)
        }
        var output: [EqualAreaPoint] = []
        output.reserveCapacity(points.count + 4)
        var previous = last
        var previousInside = inside(previous)
        for point in points {
            let pointInside = inside(point)
            if pointInside {
                if !previousInside { output.append(crossing(previous, point)) }
                output.append(point)
            } else if previousInside {
                output.append(crossing(previous, point))
            }
            previous = point
            previousInside = pointInside
        }
        return output
    }
}
