import Testing
import Transport

@Suite("Upwind reference kernel")
struct UpwindReferenceKernelTests {
    // The benchmark floor must do the model's work: on a closed flow without
    // vertical motion (edge faces carry no air, continuity gives W = 0 to
    // round-off) it is the model's upwind scheme without vertical advection,
    // so the two agree to round-off, and it conserves mass.
    @Test("the reference kernel equals the model's upwind scheme on a closed flow to 1e-13 and counts the same steps")
    func agreesWithModelUpwind() throws {
        let domain = try testSmall()
        let model = TransportModel(grid: domain.grid, layers: domain.layers, options: TransportOptions(scheme: .upwind))
        let reference = UpwindReferenceKernel(model: model)
        let flow = cellularFlow(model.metrics, domain.layers, speed: 150, kz: 50)
        var modelled = model.makeEnsemble(members: 0..<3, initial: patterned)
        var plain = model.makeEnsemble(members: 0..<3, initial: patterned)
        let flux = SurfaceFlux.zero(nx: domain.grid.nx, ny: domain.grid.ny, members: 0..<3)
        for h in 0..<3 {
            let met = flow.fields(at: hour0.advanced(by: h))
            let steps = try model.advance(&modelled, met: met, flux: flux, boundary: .uniform(0), communicator: serial).substeps
            #expect(try reference.advance(&plain, met: met) == steps)
            #expect(steps >= 2)
        }
        let worst = (0..<3).flatMap { m in zip(modelled.ownedField(member: m), plain.ownedField(member: m)) }
            .map { abs($0 - $1) / abs($0) }.max()!
        print("reference kernel vs model upwind: largest relative difference \(worst)")
        #expect(worst < 1e-13)
        let start = model.makeEnsemble(members: 0..<3, initial: patterned)
        let met = flow.fields(at: hour0)
        let mass0 = model.domainTotal(model.columnMass(start, met: met), memberCount: 3, communicator: serial)
        let mass = model.domainTotal(model.columnMass(plain, met: met), memberCount: 3, communicator: serial)
        for m in 0..<3 { #expect(abs(mass[m] - mass0[m]) <= 1e-13 * mass0[m]) }
    }
}
