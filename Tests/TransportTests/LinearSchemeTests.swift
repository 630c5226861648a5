import Foundation
import Geometry
import Meteorology
import Testing
@testable import Transport

/// Inputs of one tracer: initial field, surface flux and boundary values.
private struct TracerInputs {
    var initial: (_ i: Int, _ j: Int, _ k: Int) -> Double
    var flux: (_ i: Int, _ j: Int) -> Double
    var boundary: (_ i: Int, _ j: Int, _ k: Int) -> Double
}

/// Runs the tracers `inputs` as members 0..<count of one ensemble for `hours`
/// hours with `met` (rotation, strongly divergent horizontal winds so that
/// vertical advection has work, Kz) and returns each member's owned field.
private func run(_ scheme: TransportOptions.Scheme, _ inputs: [TracerInputs], hours: Int) throws -> [[Double]] {
    let domain = try testSmall()
    let model = TransportModel(grid: domain.grid, layers: domain.layers, options: TransportOptions(scheme: scheme))
    let flow = StreamfunctionFlow.rotation(metrics: model.metrics, layers: domain.layers, omega: 2e-5, westerly: 12, kz: 30)
    let nx = domain.grid.nx, ny = domain.grid.ny, nz = domain.layers.count
    let members = 0..<inputs.count
    var ensemble = model.makeEnsemble(members: members) { m, i, j, k in inputs[m].initial(i, j, k) }
    let flux = try SurfaceFlux(nx: nx, ny: ny, members: members, fields: inputs.map { tracer in
        (0..<(nx * ny)).map { c in tracer.flux(c % nx, c / nx) }
    })
    let boundary = LateralBoundary(nx: nx, ny: ny, nz: nz, members: members) { m, i, j, k in inputs[m].boundary(i, j, k) }
    for h in 0..<hours {
        var met = flow.fields(at: hour0.advanced(by: h))
        met.u = met.u.enumerated().map { n, u in u + 8 * sin(Double(n) * 1.3) }
        met.v = met.v.enumerated().map { n, v in v + 8 * cos(Double(n) * 0.7) }
        _ = try model.advance(&ensemble, met: met, flux: flux, boundary: boundary, communicator: serial)
    }
    return members.map { ensemble.ownedField(member: $0) }
}

/// Largest |T(a + b) - T(a) - T(b)| over the grid, relative to the largest
/// |T(a + b)|, for a smooth 400 ppm background with its own flux and boundary
/// (a) and a localized pulse with a flux and boundary pattern of both signs (b).
private func superpositionDeparture(_ scheme: TransportOptions.Scheme) throws -> Double {
    let a = TracerInputs(initial: { i, j, k in patterned(0, i, j, k) },
                         flux: { i, j in 2 * sin(Double(i) * 0.9) * cos(Double(j) * 0.4) },
                         boundary: { i, j, k in 395 + 0.3 * Double(i + j) - Double(k) })
    let b = TracerInputs(initial: { i, j, k in (i == 8 && j == 7 && k == 0) ? 5 : 0 },
                         flux: { i, j in i == 12 && j == 9 ? 30 : Double((i * 7 + j * 3) % 5) - 2 },
                         boundary: { i, j, _ in i < 0 ? 3 : j < 0 ? -2 : 0 })
    let sum = TracerInputs(initial: { a.initial($0, $1, $2) + b.initial($0, $1, $2) },
                           flux: { a.flux($0, $1) + b.flux($0, $1) },
                           boundary: { a.boundary($0, $1, $2) + b.boundary($0, $1, $2) })
    let out = try run(scheme, [a, b, sum], hours: 3)
    let scale = out[2].map(abs).max()!
    return zip(out[2], zip(out[0], out[1])).map { abs($0 - ($1.0 + $1.1)) }.max()! / scale
}

@Suite("Linear advection schemes")
struct LinearSchemeTests {
    // An hour is an affine map of (initial field, surface flux, boundary) for
    // fixed meteorology, and with all three as inputs it is linear: the
    // departure is round-off (measured 1.2e-15 and 1.3e-15 of the field's
    // largest value); the limiter's is 2e-3 here.
    @Test("fromm and upwind superpose: T(a + b) = T(a) + T(b) to 1e-13 of the field; van Leer does not")
    func superposition() throws {
        for scheme in [TransportOptions.Scheme.fromm, .upwind] {
            let departure = try superpositionDeparture(scheme)
            print("superposition departure, \(scheme.rawValue): \(departure)")
            #expect(departure < 1e-13, "\(scheme): \(departure)")
        }
        let limited = try superpositionDeparture(.vanLeer)
        print("superposition departure, van-leer: \(limited)")
        #expect(limited > 1e-6, "the limiter must make van Leer measurably non-linear here: \(limited)")
    }

    @Test("fromm conserves mass in a closed domain to 1e-13 and keeps a uniform field uniform")
    func frommConservesAndKeepsUniform() throws {
        let domain = try testSmall()
        let model = TransportModel(grid: domain.grid, layers: domain.layers, options: TransportOptions(scheme: .fromm))
        let flow = cellularFlow(model.metrics, domain.layers, speed: 150, kz: 50)
        var ensemble = model.makeEnsemble(members: 0..<2, initial: patterned)
        let flux = SurfaceFlux.zero(nx: domain.grid.nx, ny: domain.grid.ny, members: 0..<2)
        for h in 0..<4 {
            let budgets = try model.advanceWithBudget(&ensemble, met: flow.fields(at: hour0.advanced(by: h)), flux: flux,
                                                      boundary: .uniform(0), communicator: serial)
            for b in budgets { #expect(abs(b.massEnd - b.massStart) <= 1e-13 * b.massStart) }
        }
        let rotating = StreamfunctionFlow.rotation(metrics: model.metrics, layers: domain.layers, omega: 2e-5,
                                                   westerly: 15, kz: 30)
        var uniform = model.makeEnsemble(members: 0..<1) { _, _, _, _ in 400 }
        var met = rotating.fields(at: hour0)
        met.u = met.u.enumerated().map { n, u in u + 6 * sin(Double(n) * 1.3) }
        try runWithoutFlux(model, &uniform, hours: 3, boundary: .uniform(400)) { _ in met }
        #expect(uniform.ownedField(member: 0).map { abs($0 - 400) / 400 }.max()! < 1e-13)
    }

    @Test("cosine bell: fromm is second order (errors under half of upwind's, L1 < 0.02)")
    func frommCosineBell() throws {
        let numerics = TransportNumericsTests()
        let fromm = try numerics.cosineBellErrors(.fromm)
        let upwind = try numerics.cosineBellErrors(.upwind)
        print("cosine bell errors: fromm \(fromm), upwind \(upwind)")
        #expect(fromm.l1 < 0.02 && fromm.l2 < 0.02 && fromm.linf < 0.04)
        #expect(fromm.l1 < upwind.l1 / 2 && fromm.l2 < upwind.l2 / 2 && fromm.linf < upwind.linf / 2)
    }
}
