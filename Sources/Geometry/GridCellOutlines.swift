import Foundation

/// The cells of a ``HorizontalGrid`` as polygons in the cylindrical
/// equal-area plane (``EqualAreaPolygon``), for exact area overlaps with
/// latitude/longitude cells.
///
/// A cell is a square in projected coordinates; on the sphere its sides are
/// curves that are not latitude or longitude lines. Each side is sampled at
/// `pointsPerEdge` + 1 points (inverse projection), more where the side
/// curves in the (λ, sin φ) plane (near a pole), and the curve between two
/// samples is replaced by a straight segment there. Neighbouring cells use
/// the same samples for their common side, so the outlines tile the domain
/// without gaps or overlaps. A cell containing a
/// pole is closed along the line sin φ = ±1; a pole on a cell corner (or on a
/// sampled point of a side) is handled the same way.
public struct GridCellOutlines: Sendable {
    public let grid: HorizontalGrid
    public let pointsPerEdge: Int
    /// Area (m²) below which the sliver between a side's curve and its chord
    /// in the equal-area plane is left alone.
    public let sliverTolerance: Double
    /// The side of each cell on the grid line y = yOrigin + j dy between
    /// x_i and x_(i+1) (index j * nx + i), eastwards, both ends included.
    private let rowSides: [[GeoPoint]]
    /// The side on the grid line x = xOrigin + i dx between y_j and y_(j+1)
    /// (index i * ny + j), northwards, both ends included.
    private let columnSides: [[GeoPoint]]

    /// Outlines with the standard sampling: 4 points per side, segments halved
    /// while a sliver may exceed 1e-7 of dx dy. Measured against the
    /// quadrature areas (GeometryTests): within 3e-6 on china-64km and
    /// test-small, 5e-5 on 200 km polar cells holding or touching the pole.
    public init(grid: HorizontalGrid) throws(GridOutlineError) {
        try self.init(grid: grid, pointsPerEdge: 4, sliverFraction: 1e-7)
    }

    /// Samples every grid line of `grid`; a side's segment is halved while the
    /// sliver between it and the curve may exceed `sliverFraction` of a cell's
    /// map area dx dy. Fails when a pole lies on a grid line between two
    /// samples (the side's curve would jump across the pole).
    public init(grid: HorizontalGrid, pointsPerEdge: Int, sliverFraction: Double) throws(GridOutlineError) {
        guard pointsPerEdge >= 1 else { throw GridOutlineError(message: "pointsPerEdge must be at least 1") }
        self.grid = grid
        self.pointsPerEdge = pointsPerEdge
        let tolerance = sliverFraction * grid.dx * grid.dy
        sliverTolerance = tolerance
        let n = Double(pointsPerEdge)
        func side(from start: (x: Double, y: Double), step: (x: Double, y: Double)) -> [GeoPoint] {
            let samples = (0...pointsPerEdge).map { m in
                let x = start.x + Double(m) * step.x, y = start.y + Double(m) * step.y
                return Sample(x: x, y: y, point: grid.projection.inverse(x: x, y: y))
            }
            var points: [GeoPoint] = [samples[0].point]
            for m in 1...pointsPerEdge {
                Self.refine(samples[m - 1], samples[m], grid: grid, tolerance: tolerance, depth: 0, into: &points)
                points.append(samples[m].point)
            }
            return points
        }
        rowSides = (0...grid.ny).flatMap { j in
            (0..<grid.nx).map { i in
                side(from: (grid.xOrigin + Double(i) * grid.dx, grid.yOrigin + Double(j) * grid.dy), step: (grid.dx / n, 0))
            }
        }
        columnSides = (0...grid.nx).flatMap { i in
            (0..<grid.ny).map { j in
                side(from: (grid.xOrigin + Double(i) * grid.dx, grid.yOrigin + Double(j) * grid.dy), step: (0, grid.dy / n))
            }
        }
        for latitude in [90.0, -90.0] {
            let (px, py) = grid.projection.forward(GeoPoint(latitude: latitude, longitude: 0))
            guard px.isFinite, py.isFinite else { continue }
            let u = (px - grid.xOrigin) / grid.dx, v = (py - grid.yOrigin) / grid.dy
            func onSample(_ t: Double) -> Bool { abs(t * n - (t * n).rounded()) < 1e-6 }
            func onLine(_ t: Double) -> Bool { abs(t - t.rounded()) < 1e-9 }
            let onColumnLine = onLine(u) && (0...Double(grid.ny)).contains(v) && !onSample(v)
            let onRowLine = onLine(v) && (0...Double(grid.nx)).contains(u) && !onSample(u)
            if onColumnLine || onRowLine {
                throw GridOutlineError(message: "the \(latitude > 0 ? "north" : "south") pole lies on a grid line between "
                                       + "two of its \(pointsPerEdge) samples per cell side; shift the grid or change the samples")
            }
        }
    }

    /// The outline of cell (i, j), counter-clockwise, longitudes unwrapped
    /// (continuous along the outline, so they may leave [-180, 180]).
    public func outline(_ i: Int, _ j: Int) -> EqualAreaPolygon {
        let south = rowSides[j * grid.nx + i], north = rowSides[(j + 1) * grid.nx + i]
        let west = columnSides[i * grid.ny + j], east = columnSides[(i + 1) * grid.ny + j]
        var ring: [GeoPoint] = []
        ring.reserveCapacity(south.count + north.count + west.count + east.count)
        ring += south.dropLast()
        ring += east.dropLast()
        ring += north.reversed().dropLast()
        ring += west.reversed().dropLast()
        return Self.unwrap(ring)
    }

    /// True area of cell (i, j) as its outline approximates it (m²).
    public func area(_ i: Int, _ j: Int) -> Double { outline(i, j).area(radius: grid.projection.earthRadius) }

    /// A point of a cell side: projected coordinates and latitude/longitude.
    private struct Sample {
        let x: Double, y: Double, point: GeoPoint
    }

    /// Adds the points between `a` and `b` (excluded) that keep the chords
    /// within `tolerance` (m²) of the side's curve: halves a segment while
    /// the triangle (a, midpoint, b) in the equal-area plane, three quarters
    /// of the sliver's area, exceeds it. The test is symmetric in `a` and `b`,
    /// so the two cells sharing a side refine it at the same points. Segments
    /// touching a pole are kept (the longitude there has no meaning).
    private static func refine(_ a: Sample, _ b: Sample, grid: HorizontalGrid, tolerance: Double, depth: Int,
                               into points: inout [GeoPoint]) {
        guard depth < 20, abs(a.point.latitude) < poleLatitude, abs(b.point.latitude) < poleLatitude else { return }
        let mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2
        let m = Sample(x: mx, y: my, point: grid.projection.inverse(x: mx, y: my))
        guard abs(m.point.latitude) < poleLatitude else { return }
        let λb = remainder(b.point.longitude - a.point.longitude, 360)
        let λm = remainder(m.point.longitude - a.point.longitude, 360)
        let μa = sin(radians(a.point.latitude))
        let μb = sin(radians(b.point.latitude)) - μa, μm = sin(radians(m.point.latitude)) - μa
        let r = grid.projection.earthRadius
        let triangle = 0.5 * abs(λb * μm - λm * μb) * r * r * .pi / 180
        guard triangle > tolerance else { return }
        refine(a, m, grid: grid, tolerance: tolerance, depth: depth + 1, into: &points)
        points.append(m.point)
        refine(m, b, grid: grid, tolerance: tolerance, depth: depth + 1, into: &points)
    }

    /// Latitude at or beyond which a sample counts as the pole: within about
    /// 1 m, because an inverse projection returns a pole's latitude only to
    /// ~1e-6 degrees (asin near 1) and its longitude there is meaningless.
    private static let poleLatitude = 90 - 1e-5

    /// The ring of points in the equal-area plane with continuous longitudes.
    /// A pole vertex becomes a segment along sin φ = ±1 turning the way a
    /// counter-clockwise outline turns there (westwards at the north pole,
    /// eastwards at the south pole); a ring winding once around a pole is
    /// closed along sin φ = ±1.
    static func unwrap(_ ring: [GeoPoint]) -> EqualAreaPolygon {
        guard let start = ring.firstIndex(where: { abs($0.latitude) < poleLatitude }) else { return EqualAreaPolygon([]) }
        let ordered = Array(ring[start...] + ring[..<start]) + [ring[start]]
        var output: [EqualAreaPoint] = []
        output.reserveCapacity(ordered.count + 4)
        var previousLongitude = ordered[0].longitude
        var pendingPole: Double? = nil   // +1 north, -1 south
        for point in ordered {
            if abs(point.latitude) >= poleLatitude {
                pendingPole = point.latitude > 0 ? 1 : -1
                continue
            }
            var λ = previousLongitude + remainder(point.longitude - previousLongitude, 360)
            if let pole = pendingPole {
                // Turn through the pole in the direction a counter-clockwise ring takes.
                var turn = (point.longitude - previousLongitude).truncatingRemainder(dividingBy: 360)
                if pole > 0 { if turn > 0 { turn -= 360 } } else if turn < 0 { turn += 360 }
                λ = previousLongitude + turn
                output.append(EqualAreaPoint(longitude: previousLongitude, sineLatitude: pole))
                output.append(EqualAreaPoint(longitude: λ, sineLatitude: pole))
                pendingPole = nil
            }
            output.append(EqualAreaPoint(longitude: λ, sineLatitude: sin(radians(point.latitude))))
            previousLongitude = λ
        }
        // The closing copy of the first point: drop it unless the ring wound around a pole.
        let winding = output[output.count - 1].longitude - output[0].longitude
        if abs(winding) < 180 {
            output.removeLast()
        } else {
            let pole: Double = winding > 0 ? 1 : -1
            output.append(EqualAreaPoint(longitude: output[output.count - 1].longitude, sineLatitude: pole))
            output.append(EqualAreaPoint(longitude: output[0].longitude, sineLatitude: pole))
        }
        return EqualAreaPolygon(output)
    }
}

/// A grid whose cells cannot be outlined.
public struct GridOutlineError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { "cell outlines: \(message)" }
}
