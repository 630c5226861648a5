import Foundation
import NetCDFIO
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
        let table = try InformationContent.table(fluxes: try FluxFile(path), observations: nil,
                                                 window: TimeWindow(from: ModelHour(Int(start) + 1), to: nil))
        #expect(table.rows.count == 2)
        #expect(table.value("estimate", row: 0) == .text("flux_spread_reduction") && table.value("elements", row: 0) == .int(2 * cells))
        #expect(table.value("dofs", row: 0) == .number(0.75 * Double(2 * cells)))
        #expect(table.value("mean_per_element", row: 0) == .number(0.75))
        #expect(table.value("elements", row: 1) == .int(2 * (cells - half)))
        #expect(table.value("dofs", row: 1) == .number(-3 * Double(2 * (cells - half))))
    }

    /// The EnKS's per-cell estimate summed over cells and hours: an hourly
    /// record counts once, a daily one 24 times (it holds the mean of its
    /// hours); elements are the cell-hours with σ_f > 0; no row for a
    /// component without the variable.
    @Test func ensembleSubspaceSumsTheKernelOverCellHours() throws {
        let dir = try TestEnvironment.temporaryDirectory("information-content-kernel")
        let path = dir.appendingPathComponent("fluxes.nc").path
        let cells = Fixture.grid.nx * Fixture.grid.ny, half = cells / 2
        let start = Fixture.hours(2016, 7, 1)
        try Fixture.writeFluxes(path, periods: [(start, start + 1), (start + 24, start + 48)],
                                value: { name, t in
            switch name {
            case "bio_ensemble_averaging_kernel": (0..<cells).map { $0 < half ? 0 : 0.01 * Double(t + 1) }
            case "bio_forecast_spread": (0..<cells).map { $0 < half ? 0 : 1 }
            default: [Double](repeating: 1, count: cells)
            }
        }, extra: ["bio_ensemble_averaging_kernel"])
        let fluxes = try FluxFile(path)
        let (elements, sum) = try #require(try InformationContent.ensembleSubspace(fluxes: fluxes, component: "bio", window: .all))
        #expect(elements == 25 * (cells - half))
        #expect(abs(sum - Double(cells - half) * (0.01 + 24 * 0.02)) < 1e-5)
        #expect(try InformationContent.ensembleSubspace(fluxes: fluxes, component: "ocn", window: .all) == nil)
        let table = try InformationContent.table(fluxes: fluxes, observations: nil)
        #expect(table.rows.count == 3 && table.value("estimate", row: 2) == .text("ensemble_subspace"))
    }

    /// Σ σ_a² / σ_o² over the assimilated observations in the window (σ_o = 1
    /// in the fixture): rejected and validation rows and rows before the window do not count.
    @Test func observationSpaceSumsTheAssimilatedRows() throws {
        let dir = try TestEnvironment.temporaryDirectory("information-content-obs")
        let start = Fixture.seconds(2016, 7, 1, 1)
        let rows = [Fixture.Row(time: start + 60, value: 400, model: 400),
                    Fixture.Row(time: start + 120, value: 400, model: 400),
                    Fixture.Row(time: start + 180, status: 1, value: 400, model: 400),
                    Fixture.Row(time: start + 240, set: 1, status: 2, value: 400, model: 400),
                    Fixture.Row(time: start - 3000, value: 400, model: 400)]
        let path = dir.appendingPathComponent("observations.nc").path
        try Fixture.writeObservations(path, rows: rows, runKind: "AN", analysisSpread: [0.5, 0.25, 2, 2, 2])
        let (count, sum) = try #require(try InformationContent.observationSpace(path: path,
                                                                               window: TimeWindow(from: ModelHour(Int(start / 3600)), to: nil)))
        #expect(count == 2 && sum == 0.25 + 0.0625)
        // A spread of −1 is refused with the file and variable named.
        try Fixture.writeObservations(path, rows: rows, runKind: "AN", analysisSpread: [-1, 0, 0, 0, 0])
        #expect(throws: NetCDFError.self) { try InformationContent.observationSpace(path: path, window: .all) }
    }
}
