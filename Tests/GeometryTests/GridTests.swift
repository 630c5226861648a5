import Foundation
import Geometry
import Testing
import TestSupport

func loadDomain(_ name: String) throws -> Domain {
    try Domain.load(TestEnvironment.packageRoot.appendingPathComponent("Domains/\(name)").path)
}

@Suite struct GridTests {
    @Test func china64kmMatchesSeed000AndTheScienceSpecification() throws {
        let d = try loadDomain("china-64km")
        let g = d.grid
        #expect(g.nx == 105 && g.ny == 86 && g.dx == 64_000 && g.dy == 64_000)
        #expect(Double(g.nx) * g.dx == 6_720_000 && Double(g.ny) * g.dy == 5_504_000)
        // Corner cell centres quoted in SCIENCE.md section 2.
        let expected = [(8.2, 87.7), (8.2, 144.3), (50.4, 163.4), (50.4, 68.6)]
        for (point, (lat, lon)) in zip(g.cornerCellCenters, expected) {
            #expect(abs(point.latitude - lat) < 0.05 && abs(point.longitude - lon) < 0.05, "\(point)")
        }
        // The grid is centred on the tangent point.
        let middle = g.projection.inverse(x: g.xOrigin + Double(g.nx) * g.dx / 2, y: g.yOrigin + Double(g.ny) * g.dy / 2)
        #expect(abs(middle.latitude - 35) < 1e-9 && abs(middle.longitude - 116) < 1e-9)
        #expect(d.layers.count == 15)
        #expect(d.layers.interfaceHeights.dropFirst().filter { $0 <= 2000 }.count >= 7)
        #expect(abs(d.layers.top - 23_000) < 1000)
    }

    /// The cells tile the domain, so their areas (quadrature of 1/k² per cell)
    /// must add up to the area inside the domain's outline, measured
    /// independently as a spherical polygon from the densely sampled boundary.
    @Test(arguments: ["china-64km", "test-small"])
    func cellAreasSumToTheAreaOfTheOutline(name: String) throws {
        let g = try loadDomain(name).grid
        let total = g.cellAreas().reduce(0, +)
        let outline = outlineArea(g, samplesPerEdge: 4000)
        #expect(abs(total - outline) / outline < 1e-7, "cells \(total) vs outline \(outline)")
        // A 64 km cell is 4096 km² at the tangent point, smaller away from it.
        #expect(g.cellAreas().allSatisfy { $0 <= g.dx * g.dy * (1 + 1e-9) })
    }

    /// Area of the spherical polygon whose vertices are the projected domain
    /// boundary, by fan triangulation from the centre (triangle excess from
    /// Van Oosterom & Strackee's formula).
    func outlineArea(_ g: HorizontalGrid, samplesPerEdge n: Int) -> Double {
        let x0 = g.xOrigin, y0 = g.yOrigin, x1 = x0 + Double(g.nx) * g.dx, y1 = y0 + Double(g.ny) * g.dy
        var boundary: [(Double, Double)] = []
        for s in 0..<n { boundary.append((x0 + (x1 - x0) * Double(s) / Double(n), y0)) }
        for s in 0..<n { boundary.append((x1, y0 + (y1 - y0) * Double(s) / Double(n))) }
        for s in 0..<n { boundary.append((x1 - (x1 - x0) * Double(s) / Double(n), y1)) }
        for s in 0..<n { boundary.append((x0, y1 - (y1 - y0) * Double(s) / Double(n))) }
        func unit(_ p: GeoPoint) -> (Double, Double, Double) {
            let φ = p.latitude * .pi / 180, λ = p.longitude * .pi / 180
            return (cos(φ) * cos(λ), cos(φ) * sin(λ), sin(φ))
        }
        let c = unit(g.projection.inverse(x: (x0 + x1) / 2, y: (y0 + y1) / 2))
        let vertices = boundary.map { unit(g.projection.inverse(x: $0.0, y: $0.1)) }
        var excess = 0.0
        for (k, a) in vertices.enumerated() {
            let b = vertices[(k + 1) % vertices.count]
            let triple = c.0 * (a.1 * b.2 - a.2 * b.1) + c.1 * (a.2 * b.0 - a.0 * b.2) + c.2 * (a.0 * b.1 - a.1 * b.0)
            let dots = 1 + (c.0 * a.0 + c.1 * a.1 + c.2 * a.2) + (a.0 * b.0 + a.1 * b.1 + a.2 * b.2) + (b.0 * c.0 + b.1 * c.1 + b.2 * c.2)
            excess += 2 * atan2(triple, dots)
        }
        return abs(excess) * g.projection.earthRadius * g.projection.earthRadius
    }

    @Test func cellLookupAndGridCoordinatesAgreeWithCentres() throws {
        let g = try loadDomain("test-small").grid
        for j in 0..<g.ny {
            for i in 0..<g.nx {
                let (fi, fj) = g.gridCoordinates(of: g.center(i, j))
                #expect(abs(fi - Double(i)) < 1e-9 && abs(fj - Double(j)) < 1e-9)
                #expect(g.cell(containing: g.center(i, j))! == (i, j))
            }
        }
        #expect(g.cell(containing: GeoPoint(latitude: -30, longitude: 116)) == nil)
        #expect(g.cell(containing: GeoPoint(latitude: 35, longitude: -60)) == nil)
        // Values from damaged files: no trap; non-finite ones are outside
        // (a huge finite longitude is still an angle, so only the trap matters).
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(g.cell(containing: GeoPoint(latitude: bad, longitude: 116)) == nil)
            #expect(g.cell(containing: GeoPoint(latitude: 35, longitude: bad)) == nil)
        }
        for huge in [1e300, -9.969209968386869e36] {
            #expect(g.cell(containing: GeoPoint(latitude: huge, longitude: 116)) == nil)
            _ = g.cell(containing: GeoPoint(latitude: 35, longitude: huge))
        }
        #expect(g.index(3, 2) == 2 * g.nx + 3)
    }

    @Test func layersAreHalfOpenAtInterfaces() throws {
        let layers = try loadDomain("test-small").layers
        #expect(layers.layer(containingHeight: 0) == 0)
        #expect(layers.layer(containingHeight: 149.999) == 0)
        #expect(layers.layer(containingHeight: 150) == 1)
        #expect(layers.layer(containingHeight: 12_000) == layers.count - 1)
        #expect(layers.layer(containingHeight: 12_000.1) == nil)
        #expect(layers.layer(containingHeight: -1) == nil)
        #expect(layers.layer(containingHeight: .nan) == nil)
        #expect(layers.thickness(0) == 150 && layers.midHeight(1) == 325)
    }

    @Test func sigmaLayersFollowTheStandardAtmosphere() {
        let layers = VerticalLayers(sigmaInterfaces: [1, 0.9, 0.5, 0], topPressure: 5000)
        #expect(layers.interfaceHeights[0] == 0)
        #expect(zip(layers.interfaceHeights, layers.interfaceHeights.dropFirst()).allSatisfy { $0 < $1 })
        #expect(abs(VerticalLayers.standardAtmosphereHeight(pressure: 22_632.06) - 11_000) < 0.5)
        // 500 hPa is near 5574 m in the standard atmosphere.
        #expect(abs(VerticalLayers.standardAtmosphereHeight(pressure: 50_000) - 5574) < 5)
    }
}
