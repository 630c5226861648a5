import Foundation
import ModelTime
import Testing
import TestSupport
@testable import Evaluation

@Suite struct InformationContentTests {
    /// σ_f = 2, σ_a = 1 on every bio cell: 1 − 1/4 per element; ocean
    /// spread zero on the first half of the cells (not state elements) and
    /// growing on the rest (σ_a = 2 σ_f: −3 each, counted, not clipped);
    /// the window keeps only the records wholly inside it.
    @Test func spreadReductionSumsOverTheElements() throws {
        let dir = try TestEnvironment.temporaryDirectory("information-content")
        let path = dir.appendingPathComponent("fluxes.nc").path
        let cells = Fixture.grid.nx * Fixture.grid.ny, half = cells / 2
        let start = Fixture.hours(2016, 7, 1)
        try Fixture.writeFluxes(path, periods: [(start, start + 1), (start + 1, start + 2), (start + 2, start + 3)]) { name, _ in
            switch name {
            case "bio_forecast_spread": [Double](repeating: 2, count: cells)
            case "bio_analysis_spread": [Double](repeating: 1, count: cells)
            case "ocn_forecast_spread": (0..<cells).map { $0 < half ? 0 : 0.5 }
            case "ocn_analysis_spread": (0..<cells).map { $0 < half ? 0 : 1 }
            default: [Double](repeating: 1, count: cells)
            }
        }
        let table = try InformationContent.table(file: try FluxFile(path),
                                                 window: TimeWindow(from: ModelHour(Int(start) + 1), to: nil))
        #expect(table.rows.count == 2)
        #expect(table.value("records", row: 0) == .int(2) && table.value("elements", row: 0) == .int(2 * cells))
        #expect(table.value("dofs_spread_reduction", row: 0) == .number(0.75 * Double(2 * cells)))
        #expect(table.value("mean_variance_reduction", row: 0) == .number(0.75))
        #expect(table.value("elements", row: 1) == .int(2 * (cells - half)))
        #expect(table.value("dofs_spread_reduction", row: 1) == .number(-3 * Double(2 * (cells - half))))
    }
}
