import Foundation
import Geometry
import Testing
import TestSupport

@Suite struct ProjectionTests {
    /// One row of the PROJ reference fixture.
    struct Reference { let projection: Projection; let point: GeoPoint; let x: Double; let y: Double }

    static func references() throws -> [Reference] {
        let url = TestEnvironment.packageRoot.appendingPathComponent("Tests/GeometryTests/Fixtures/projection_reference.csv")
        let lines = try String(contentsOf: url, encoding: .utf8).split(whereSeparator: \.isNewline).dropFirst()
        return lines.map { line in
            let f = line.split(separator: ",").map(String.init)
            let p = f[1].split(separator: " ").map { Double($0)! }
            let kind: Projection.Kind
            switch f[0] {
            case "stereographic": kind = .obliqueStereographic(latitudeOfOrigin: p[0], longitudeOfOrigin: p[1], scaleFactor: p[2])
            case "polar_stereographic": kind = .northPolarStereographic(standardParallel: p[0], centralLongitude: p[1])
            case "mercator": kind = .mercator(standardParallel: p[0], centralLongitude: p[1])
            default: kind = .lambertConformal(standardParallel1: p[0], standardParallel2: p[1], latitudeOfOrigin: p[2], centralLongitude: p[3])
            }
            return Reference(projection: Projection(kind), point: GeoPoint(latitude: Double(f[2])!, longitude: Double(f[3])!),
                             x: Double(f[4])!, y: Double(f[5])!)
        }
    }

    @Test func forwardAgreesWithPROJWithinOneMillimetre() throws {
        let references = try Self.references()
        #expect(references.count > 250)
        #expect(references.contains { if case .mercator = $0.projection.kind { true } else { false } })
        var worst = 0.0
        for r in references {
            let (x, y) = r.projection.forward(r.point)
            worst = max(worst, abs(x - r.x), abs(y - r.y))
            #expect(abs(x - r.x) < 1e-3 && abs(y - r.y) < 1e-3, "\(r.projection.kind) at \(r.point): (\(x), \(y)) vs PROJ (\(r.x), \(r.y))")
        }
        #expect(worst < 1e-3)
    }

    @Test func inverseOfForwardReturnsThePointWithin1e9Degrees() throws {
        let references = try Self.references()
        #expect(references.count > 250)
        for r in references {
            let (x, y) = r.projection.forward(r.point)
            let back = r.projection.inverse(x: x, y: y)
            #expect(abs(back.latitude - r.point.latitude) < 1e-9 && abs(back.longitude - r.point.longitude) < 1e-9,
                    "\(r.projection.kind): \(r.point) -> \(back)")
        }
    }

    @Test func roundTripOverEveryCellOfChina64km() throws {
        let domain = try Domain.load(TestEnvironment.packageRoot.appendingPathComponent("Domains/china-64km").path)
        let g = domain.grid
        var worst = 0.0
        for j in 0..<g.ny {
            for i in 0..<g.nx {
                let p = g.center(i, j)
                let (x, y) = g.projection.forward(p)
                let back = g.projection.inverse(x: x, y: y)
                worst = max(worst, abs(back.latitude - p.latitude), abs(back.longitude - p.longitude))
                #expect(abs(x - g.x(i)) < 1e-6 && abs(y - g.y(j)) < 1e-6)
            }
        }
        #expect(worst < 1e-9)
    }

    /// k is the ratio of projected to true distance: check it against a short
    /// step measured both ways.
    @Test func scaleFactorMatchesProjectedOverTrueDistance() throws {
        let kinds: [Projection.Kind] = [
            .obliqueStereographic(latitudeOfOrigin: 35, longitudeOfOrigin: 116, scaleFactor: 1),
            .northPolarStereographic(standardParallel: 60, centralLongitude: -105),
            .lambertConformal(standardParallel1: 25, standardParallel2: 47, latitudeOfOrigin: 35, centralLongitude: 105),
            .mercator(standardParallel: 20, centralLongitude: 110),
        ]
        for kind in kinds {
            let projection = Projection(kind)
            for point in [GeoPoint(latitude: 40, longitude: 100), GeoPoint(latitude: 52.5, longitude: 120.25)] {
                let step = GeoPoint(latitude: point.latitude + 1e-4, longitude: point.longitude + 1e-4)
                let a = projection.forward(point), b = projection.forward(step)
                let projected = ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
                let ratio = projected / greatCircleDistance(point, step, radius: projection.earthRadius)
                // k at the middle of the step: a central difference, so k's own variation cancels.
                let middle = GeoPoint(latitude: point.latitude + 5e-5, longitude: point.longitude + 5e-5)
                #expect(abs(ratio - projection.scaleFactor(at: middle)) < 1e-6, "\(kind) at \(point)")
            }
        }
    }

    @Test func stereographicScaleIsOneAtTheTangentPoint() {
        let p = Projection(.obliqueStereographic(latitudeOfOrigin: 35, longitudeOfOrigin: 116, scaleFactor: 1))
        #expect(p.scaleFactor(at: GeoPoint(latitude: 35, longitude: 116)) == 1)
        let origin = p.forward(GeoPoint(latitude: 35, longitude: 116))
        #expect(abs(origin.x) < 1e-9 && abs(origin.y) < 1e-9)
    }

    @Test func greatCircleDistancesOfKnownArcs() {
        let r = 6_370_000.0
        let quarter = greatCircleDistance(GeoPoint(latitude: 0, longitude: 0), GeoPoint(latitude: 90, longitude: 0), radius: r)
        #expect(abs(quarter - .pi * r / 2) < 1e-6)
        let antipodes = greatCircleDistance(GeoPoint(latitude: 0, longitude: 10), GeoPoint(latitude: 0, longitude: -170), radius: r)
        #expect(abs(antipodes - .pi * r) < 1e-6)
        // Beijing - Shanghai against the spherical law of cosines.
        let a = GeoPoint(latitude: 39.9, longitude: 116.4), b = GeoPoint(latitude: 31.2, longitude: 121.5)
        let φ1 = a.latitude * .pi / 180, φ2 = b.latitude * .pi / 180, dλ = (b.longitude - a.longitude) * .pi / 180
        let cosines = r * acos(sin(φ1) * sin(φ2) + cos(φ1) * cos(φ2) * cos(dλ))
        #expect(abs(greatCircleDistance(a, b, radius: r) - cosines) < 1e-3)
        #expect(greatCircleDistance(a, a) == 0)
    }
}
