import Foundation
import Geometry
import Meteorology
import ModelTime
import Parallel
import TestSupport
import Testing
@testable import Transport

/// A flat test grid: stereographic on a sphere so large that map factors are 1
/// to 1e-12, so analytic answers in projection coordinates are exact.
func flatGrid(nx: Int, ny: Int, dx: Double) -> HorizontalGrid {
    HorizontalGrid(projection: Projection(.obliqueStereographic(latitudeOfOrigin: 35, longitudeOfOrigin: 116, scaleFactor: 1),
                                          earthRadius: 6.37e12),
                   nx: nx, ny: ny, dx: dx, dy: dx, xOrigin: 0, yOrigin: 0)
}

/// The test-small domain of the repository.
func testSmall() throws -> Domain {
    try Domain.load(TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path)
}

/// A closed cellular flow: ψ = A X (Lx - X) Y (Ly - Y) vanishes exactly on the
/// domain edge, so no air crosses it; peak speed about `speed` m s-1.
func cellularFlow(_ metrics: GridMetrics, _ layers: VerticalLayers, speed: Double, kz: Double) -> StreamfunctionFlow {
    let g = metrics.grid
    let lx = Double(g.nx) * g.dx, ly = Double(g.ny) * g.dy
    let a = speed / (lx * ly * ly / 4)
    return StreamfunctionFlow(metrics: metrics, layers: layers, diffusivity: { _ in kz }) { x, y, z, _ in
        let X = x - g.xOrigin, Y = y - g.yOrigin
        return a * (1 + z / 10_000) * X * (lx - X) * Y * (ly - Y)
    }
}

let hour0 = ModelHour(year: 2016, month: 1, day: 1)
var serial: SerialCommunicator { SerialCommunicator() }

/// A smooth positive field with structure in every direction.
func patterned(_ member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double {
    400 + 20 * sin(Double(i) * 0.7 + Double(member)) * cos(Double(j) * 0.5) + 5 * Double(k)
}

/// Advances `ensemble` for `hours` hours with zero surface flux; `met(h)` is hour h's meteorology.
func runWithoutFlux(_ model: TransportModel, _ ensemble: inout TracerEnsemble, hours: Int, boundary: LateralBoundary,
                    met: (Int) -> MetFields) throws {
    let flux = SurfaceFlux.zero(nx: model.grid.nx, ny: model.grid.ny, members: ensemble.members)
    for h in 0..<hours {
        _ = try model.advance(&ensemble, met: met(h), flux: flux, boundary: boundary, communicator: serial)
    }
}

/// A test-small model with a steady rotation plus westerly.
func rotatingSmall(omega: Double, westerly: Double, kz: Double) throws -> (TransportModel, StreamfunctionFlow) {
    let domain = try testSmall()
    let model = TransportModel(grid: domain.grid, layers: domain.layers)
    return (model, .rotation(metrics: model.metrics, layers: domain.layers, omega: omega, westerly: westerly, kz: kz))
}

@Suite("Transport numerics")
struct TransportNumericsTests {
    @Test("closed domain with zero flux conserves CO2 mass to 1e-13 relative")
    func closedDomainConservesMass() throws {
        let domain = try testSmall()
        let model = TransportModel(grid: domain.grid, layers: domain.layers)
        // 150 m s-1 on 256 km cells: several steps per hour.
        let flow = cellularFlow(model.metrics, domain.layers, speed: 150, kz: 50)
        var ensemble = model.makeEnsemble(members: 0..<3, initial: patterned)
        let flux = SurfaceFlux.zero(nx: domain.grid.nx, ny: domain.grid.ny, members: 0..<3)
        var substeps = 0
        for h in 0..<6 {
            let met = flow.fields(at: hour0.advanced(by: h))
            let budgets = try model.advanceWithBudget(&ensemble, met: met, flux: flux, boundary: .uniform(0),
                                                      communicator: serial)
            for b in budgets {
                #expect(b.lateralInflow == 0)
                #expect(abs(b.massEnd - b.massStart) <= 1e-13 * b.massStart)
                substeps = b.substeps
            }
        }
        #expect(substeps >= 2, "the flow must need several steps per hour for the test to mean something")
    }

    @Test("a uniform mixing ratio stays uniform to 1e-13 under a non-divergent flow with inflow")
    func uniformStaysUniform() throws {
        let (model, flow) = try rotatingSmall(omega: 2e-5, westerly: 15, kz: 30)
        var ensemble = model.makeEnsemble(members: 0..<2) { _, _, _, _ in 400 }
        try runWithoutFlux(model, &ensemble, hours: 4, boundary: .uniform(400)) { flow.fields(at: hour0.advanced(by: $0)) }
        let worst = (0..<2).flatMap { ensemble.ownedField(member: $0) }.map { abs($0 - 400) / 400 }.max()!
        #expect(worst < 1e-13)
    }

    @Test("uniform stays uniform even when the horizontal winds diverge (continuity-derived vertical flux)")
    func uniformStaysUniformDivergent() throws {
        let (model, flow) = try rotatingSmall(omega: 1e-5, westerly: 10, kz: 30)
        var met = flow.fields(at: hour0)
        // Convergence/divergence pattern: every x-face gets a different extra wind.
        met.u = met.u.enumerated().map { n, u in u + 6 * sin(Double(n) * 1.3) }
        var ensemble = model.makeEnsemble(members: 0..<2) { _, _, _, _ in 400 }
        try runWithoutFlux(model, &ensemble, hours: 3, boundary: .uniform(400)) { _ in met }
        let worst = ensemble.ownedField(member: 1).map { abs($0 - 400) / 400 }.max()!
        #expect(worst < 1e-13)
    }

    @Test("non-negative input stays non-negative (sharp features; rotation; strongly divergent winds)")
    func noNegativeValues() throws {
        let (model, flow) = try rotatingSmall(omega: 3e-5, westerly: 20, kz: 10)
        func checkerboard(_ member: Int, _ i: Int, _ j: Int, _ k: Int) -> Double {
            // A checkerboard of 0 and 1, and a lone spike.
            (i + j + k + member) % 2 == 0 ? 0 : 1 + (i == 10 && j == 8 ? 1000 : 0)
        }
        var ensemble = model.makeEnsemble(members: 0..<2, initial: checkerboard)
        try runWithoutFlux(model, &ensemble, hours: 4, boundary: .uniform(0)) { flow.fields(at: hour0.advanced(by: $0)) }
        #expect((0..<2).flatMap { ensemble.ownedField(member: $0) }.min()! >= 0)
        // Winds converging and diverging by up to 60 m/s from face to face.
        var met = flow.fields(at: hour0)
        met.u = met.u.enumerated().map { n, u in u + 60 * sin(Double(n) * 1.3) }
        met.v = met.v.enumerated().map { n, v in v + 60 * cos(Double(n) * 0.7) }
        var divergent = model.makeEnsemble(members: 0..<2, initial: checkerboard)
        try runWithoutFlux(model, &divergent, hours: 3, boundary: .uniform(0)) { _ in met }
        #expect((0..<2).flatMap { divergent.ownedField(member: $0) }.min()! >= 0)
    }

    /// L1, L2 and L∞ errors (relative to the exact bell's norms) of a cosine
    /// bell carried 18 cells by a uniform 10 m s-1 wind over 5 hours.
    func cosineBellErrors(_ scheme: TransportOptions.Scheme) throws -> (l1: Double, l2: Double, linf: Double, min: Double) {
        let grid = flatGrid(nx: 64, ny: 3, dx: 10_000)
        let layers = VerticalLayers(interfaceHeights: [0, 1000])
        let model = TransportModel(grid: grid, layers: layers, options: TransportOptions(scheme: scheme))
        let speed = 10.0
        let flow = StreamfunctionFlow(metrics: model.metrics, layers: layers) { _, y, _, _ in -speed * y }
        let radius = 8.0, start = 16.0, hours = 5
        func bell(_ x: Double) -> Double { abs(x) < radius ? 0.5 * (1 + cos(.pi * x / radius)) : 0 }
        var ensemble = model.makeEnsemble(members: 0..<1) { _, i, _, _ in bell(Double(i) - start) }
        let flux = SurfaceFlux.zero(nx: grid.nx, ny: grid.ny, members: 0..<1)
        var steps = 0
        for h in 0..<hours {
            steps = try model.advance(&ensemble, met: flow.fields(at: hour0.advanced(by: h)), flux: flux,
                                      boundary: .uniform(0), communicator: serial).substeps
        }
        #expect(steps == 4, "Courant 0.9: 10 m/s x 900 s over 10 km")
        let shift = speed * Double(hours) * 3600 / grid.dx
        var e1 = 0.0, e2 = 0.0, einf = 0.0, n1 = 0.0, n2 = 0.0, ninf = 0.0, low = Double.infinity
        for i in 0..<grid.nx {
            let exact = bell(Double(i) - start - shift), value = ensemble.value(member: 0, i, 1, 0)
            e1 += abs(value - exact); e2 += (value - exact) * (value - exact); einf = max(einf, abs(value - exact))
            n1 += abs(exact); n2 += exact * exact; ninf = max(ninf, abs(exact))
            low = min(low, value)
        }
        return (e1 / n1, (e2 / n2).squareRoot(), einf / ninf, low)
    }

    @Test("cosine bell in a uniform wind: van Leer errors L1, L2 < 0.02, Linf < 0.04, under half of upwind's")
    func cosineBell() throws {
        let limited = try cosineBellErrors(.vanLeer)
        let upwind = try cosineBellErrors(.upwind)
        print("cosine bell errors: van Leer \(limited), upwind \(upwind)")
        #expect(limited.l1 < 0.02 && limited.l2 < 0.02 && limited.linf < 0.04)
        #expect(limited.l1 < upwind.l1 / 2 && limited.l2 < upwind.l2 / 2 && limited.linf < upwind.linf / 2)
        #expect(limited.min >= 0)
    }

    @Test("vertical diffusion conserves column mass to 1e-13 and mixes the column")
    func verticalDiffusion() throws {
        let grid = flatGrid(nx: 2, ny: 2, dx: 10_000)
        let layers = VerticalLayers(interfaceHeights: [0, 50, 150, 300, 500, 800, 1200, 2000])
        let model = TransportModel(grid: grid, layers: layers)
        let flow = StreamfunctionFlow(metrics: model.metrics, layers: layers, diffusivity: { _ in 100 }) { _, _, _, _ in 0 }
        let met = flow.fields(at: hour0)
        var ensemble = model.makeEnsemble(members: 0..<2) { member, _, _, k in k == 0 ? 500 + Double(member) : 400 }
        let flux = SurfaceFlux.zero(nx: 2, ny: 2, members: 0..<2)
        let mass0 = model.columnMass(ensemble, met: met)
        var hourly: [Double] = []
        for _ in 0..<48 {
            _ = try model.advance(&ensemble, met: met, flux: flux, boundary: .uniform(0), communicator: serial)
            let mass = model.columnMass(ensemble, met: met)
            hourly.append(zip(mass, mass0).map { abs($0 - $1) / $1 }.max()!)
            let column = (0..<layers.count).map { ensemble.value(member: 0, 0, 0, $0) }
            if hourly.count == 1 { #expect(column[0] > column[layers.count - 1] + 1, "one hour must not mix fully") }
        }
        #expect(hourly.max()! < 1e-13)
        // Well mixed: every layer at the air-weighted mean of the start.
        let airs = (0..<layers.count).map { met.dryAirMolarDensity($0 * 4) * layers.thickness($0) }
        let mean = (airs[0] * 500 + airs.dropFirst().reduce(0, +) * 400) / airs.reduce(0, +)
        for k in 0..<layers.count { #expect(abs(ensemble.value(member: 0, 1, 1, k) - mean) < 1e-6) }
    }

    @Test("one hour of a known flux over a closed domain raises the mass by its integral to 1e-10")
    func fluxInjection() throws {
        let domain = try testSmall()
        let model = TransportModel(grid: domain.grid, layers: domain.layers)
        let flow = cellularFlow(model.metrics, domain.layers, speed: 150, kz: 40)
        let nx = domain.grid.nx, ny = domain.grid.ny
        let fields = (0..<2).map { member in
            (0..<(nx * ny)).map { c in 3 * sin(Double(c) * 0.37) + Double(member) }
        }
        let flux = try SurfaceFlux(nx: nx, ny: ny, members: 0..<2, fields: fields)
        // From zero, the whole mass is the injected CO2, so the 1e-10 relative
        // check is on the flux integral itself; with a 400 ppm background the
        // mass change is a difference of totals 1e4 times larger, so it holds
        // to round-off of the total (1e-14 of it).
        for background in [0.0, 400] {
            var ensemble = model.makeEnsemble(members: 0..<2) { m, i, j, k in background == 0 ? 0 : patterned(m, i, j, k) }
            let budgets = try model.advanceWithBudget(&ensemble, met: flow.fields(at: hour0), flux: flux,
                                                      boundary: .uniform(background), communicator: serial)
            for b in budgets {
                // The exact integral, independently: Σ F A 3600 s.
                let exact = zip(fields[b.member], domain.grid.cellAreas()).map { $0 * $1 }.reduce(0, +) * 3600e-6
                #expect(abs(b.injected - exact) <= 1e-12 * abs(exact))
                #expect(b.lateralInflow == 0)
                #expect(b.substeps >= 2)
                if background == 0 {
                    #expect(abs((b.massEnd - b.massStart) - exact) <= 1e-10 * abs(exact))
                } else {
                    #expect(abs((b.massEnd - b.massStart) - exact) <= 1e-14 * b.massStart)
                }
            }
        }
    }

    @Test("budget closes with open boundaries: mass change = flux + lateral + top inflow")
    func openBudgetCloses() throws {
        let (model, flow) = try rotatingSmall(omega: 1e-5, westerly: 12, kz: 30)
        let nx = model.grid.nx, ny = model.grid.ny
        var ensemble = model.makeEnsemble(members: 0..<2, initial: patterned)
        let flux = try SurfaceFlux(nx: nx, ny: ny, members: 0..<2,
                                   fields: (0..<2).map { m in (0..<(nx * ny)).map { c in Double((c + m) % 7) - 2 } })
        let boundary = LateralBoundary(nx: nx, ny: ny, nz: model.layers.count, members: 0..<2) { member, i, j, k in
            390 + Double(member) + 0.1 * Double(i + j) + Double(k)
        }
        for h in 0..<2 {
            let budgets = try model.advanceWithBudget(&ensemble, met: flow.fields(at: hour0.advanced(by: h)), flux: flux,
                                                      boundary: boundary, communicator: serial)
            for b in budgets {
                #expect(b.lateralInflow != 0)
                #expect(abs(b.residual) <= 1e-12 * b.massStart)
            }
        }
    }

    @Test("with the synthetic meteorology a uniform field stays uniform and the budget closes")
    func syntheticMeteorology() throws {
        let domain = try testSmall()
        let model = TransportModel(grid: domain.grid, layers: domain.layers)
        let provider = SyntheticMeteorology(domain: domain)
        var uniform = model.makeEnsemble(members: 0..<1) { _, _, _, _ in 400 }
        var varied = model.makeEnsemble(members: 0..<1, initial: patterned)
        let flux = SurfaceFlux.zero(nx: domain.grid.nx, ny: domain.grid.ny, members: 0..<1)
        for h in 0..<6 {
            let met = provider.fields(at: ModelHour(year: 2016, month: 7, day: 1, hour: h))
            _ = try model.advance(&uniform, met: met, flux: flux, boundary: .uniform(400), communicator: serial)
            let b = try model.advanceWithBudget(&varied, met: met, flux: flux, boundary: .uniform(400), communicator: serial)[0]
            #expect(abs(b.residual) <= 1e-13 * b.massStart)
        }
        #expect(uniform.ownedField(member: 0).map { abs($0 - 400) / 400 }.max()! < 1e-13)
    }

    @Test("boundary sides copied in bulk equal the per-cell values, for a sub-range of members")
    func boundarySides() {
        let nx = 5, ny = 3, nz = 2
        let boundary = LateralBoundary(nx: nx, ny: ny, nz: nz, members: 2..<6) { member, i, j, k in
            Double(member * 1000 + (i + 1) * 100 + (j + 1) * 10 + k)
        }
        let sides: [(LateralBoundary.Side, Int, (Int) -> (Int, Int))] = [
            (.west, ny, { (-1, $0) }), (.east, ny, { (nx, $0) }), (.south, nx, { ($0, -1) }), (.north, nx, { ($0, ny) })]
        for (side, length, cell) in sides {
            var values: [Double] = []
            boundary.copySide(side, nx: nx, ny: ny, nz: nz, members: 3..<5, into: &values)
            let expected = (0..<nz).flatMap { k in
                (0..<length).flatMap { a in (3..<5).map { boundary.value(member: $0, cell(a).0, cell(a).1, k) } }
            }
            #expect(values == expected, "side \(side)")
        }
        var uniform: [Double] = []
        LateralBoundary.uniform(401).copySide(.north, nx: nx, ny: ny, nz: nz, members: 0..<2, into: &uniform)
        #expect(uniform == [Double](repeating: 401, count: nz * nx * 2))
    }

    @Test("an hour's result kept by the caller is not overwritten by the next hour (reused buffers)")
    func keptHourSurvivesNextHour() throws {
        let (model, flow) = try rotatingSmall(omega: 1e-5, westerly: 12, kz: 30)
        var ensemble = model.makeEnsemble(members: 0..<2, initial: patterned)
        let flux = SurfaceFlux.zero(nx: model.grid.nx, ny: model.grid.ny, members: 0..<2)
        let boundary = LateralBoundary.uniform(420)
        let first = try model.advance(&ensemble, met: flow.fields(at: hour0), flux: flux, boundary: boundary,
                                      communicator: serial)
        let firstLateral = Array(first.lateralInflow), firstTop = Array(first.topInflow)
        let second = try model.advance(&ensemble, met: flow.fields(at: hour0.advanced(by: 1)), flux: flux,
                                       boundary: .uniform(380), communicator: serial)
        #expect(first.lateralInflow == firstLateral && first.topInflow == firstTop)
        #expect(second.lateralInflow != firstLateral)
    }

    @Test("bad inputs are rejected with a message naming the problem")
    func badInputs() throws {
        let domain = try testSmall()
        let model = TransportModel(grid: domain.grid, layers: domain.layers)
        let flow = cellularFlow(model.metrics, domain.layers, speed: 10, kz: 10)
        var ensemble = model.makeEnsemble(members: 0..<1) { _, _, _, _ in 400 }
        var met = flow.fields(at: hour0)
        met.airMolarDensity[5] = -1
        let flux = SurfaceFlux.zero(nx: domain.grid.nx, ny: domain.grid.ny, members: 0..<1)
        #expect(throws: TransportError.self) {
            _ = try model.advance(&ensemble, met: met, flux: flux, boundary: .uniform(400), communicator: serial)
        }
        #expect(throws: TransportError.self) {
            _ = try SurfaceFlux(nx: domain.grid.nx, ny: domain.grid.ny, members: 0..<2, fields: [[1, 2]])
        }
    }
}
