import Foundation
import Geometry
import NetCDFIO
import TestSupport
import Testing
@testable import Transport

@Suite("Transport outputs")
struct TransportOutputTests {
    @Test("concentration file follows the contract: time, z, y, x; co2, pressure, water_vapour; CF time units")
    func concentrationFileSchema() throws {
        let domain = try testSmall()
        let model = TransportModel(grid: domain.grid, layers: domain.layers)
        let flow = cellularFlow(model.metrics, domain.layers, speed: 20, kz: 10)
        let directory = try TestEnvironment.temporaryDirectory("transport-out")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("conc.nc").path
        let file = try ConcentrationFile(path: path, grid: domain.grid, layers: domain.layers, description: "member 0")
        var ensemble = model.makeEnsemble(members: 0..<1, initial: patterned)
        var expected: [[Double]] = []
        for h in 0..<2 {
            let met = flow.fields(at: hour0.advanced(by: h))
            try runWithoutFlux(model, &ensemble, hours: 1, boundary: .uniform(400)) { _ in met }
            let field = ensemble.ownedField(member: 0)
            expected.append(field)
            try file.append(co2: field, met: met)
        }
        #expect(!FileManager.default.fileExists(atPath: path), "nothing appears before commit")
        try file.commit()
        let root = try NetCDFFile.open(path).root
        #expect(try root.dimensionLength("time") == 2)
        #expect(try root.dimensionLength("z") == 6)
        #expect(try root.variable("co2").dimensionNames() == ["time", "z", "y", "x"])
        #expect(try root.variable("co2").type() == .float)
        #expect(try root.variable("time").attribute("units")?.text == "hours since 1970-01-01 00:00:00")
        #expect(try root.variable("time").read(Double.self) == [Double(hour0.value), Double(hour0.value + 1)])
        #expect(try root.variable("z").read(Double.self) == (0..<6).map(domain.layers.midHeight))
        let co2 = try root.variable("co2").read(Float.self, start: [1, 0, 0, 0], count: [1, 6, 16, 20])
        #expect(co2 == expected[1].map { Float($0) })
        for name in ["pressure", "water_vapour", "lat", "lon", "cell_area", "crs"] { #expect(root.hasVariable(name)) }
    }

    @Test("mass budget file holds every hour and member with a closing residual")
    func budgetFile() throws {
        let domain = try testSmall()
        let model = TransportModel(grid: domain.grid, layers: domain.layers)
        let flow = cellularFlow(model.metrics, domain.layers, speed: 20, kz: 10)
        var ensemble = model.makeEnsemble(members: 0..<2, initial: patterned)
        let flux = try SurfaceFlux(nx: 20, ny: 16, members: 0..<2,
                                   fields: [[Double](repeating: 1, count: 320), [Double](repeating: -1, count: 320)])
        var budgets: [[MassBudget]] = []
        for h in 0..<3 {
            budgets.append(try model.advanceWithBudget(&ensemble, met: flow.fields(at: hour0.advanced(by: h)), flux: flux,
                                                       boundary: .uniform(400), communicator: serial))
        }
        let directory = try TestEnvironment.temporaryDirectory("transport-budget")
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("budget.nc").path
        try MassBudgetFile.write(budgets, members: 0..<2, path: path)
        let root = try NetCDFFile.open(path).root
        #expect(try root.variable("injected").shape() == [3, 2])
        let injected = try root.variable("injected").read(Double.self)
        #expect(injected[0] > 0 && injected[1] < 0 && abs(injected[0] + injected[1]) < 1e-6 * injected[0])
        let start = try root.variable("mass_start").read(Double.self)
        for r in try root.variable("residual").read(Double.self) { #expect(abs(r) < 1e-13 * start[0]) }
    }
}
