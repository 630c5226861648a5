import Foundation
import Geometry
import ModelTime
@testable import Observations
import Testing

private let grid = Fixture.grid
private let hour = Fixture.hour

/// A point inside cell (i, j), offset from its centre by a fraction of a cell.
private func point(_ i: Int, _ j: Int, _ di: Double = 0, _ dj: Double = 0) -> GeoPoint {
    grid.projection.inverse(x: grid.x(i) + di * grid.dx, y: grid.y(j) + dj * grid.dy)
}

extension ObservationsSuite {
    @Test func thinningKeepsTheSmallestUncertaintyPerColumnAndHour() {
        let t = hour.secondsSince1970
        let soundings = [
            Fixture.sounding(id: 11, at: point(5, 5, 0.2, 0.1), time: t + 100, xco2: 401, uncertainty: 0.9),
            Fixture.sounding(id: 12, at: point(5, 5, -0.3, 0.2), time: t + 200, xco2: 402, uncertainty: 0.7),
            Fixture.sounding(id: 13, at: point(5, 5, 0.1, -0.4), time: t + 3000, xco2: 403, uncertainty: 0.8),
            // same column, next hour: its own observation
            Fixture.sounding(id: 14, at: point(5, 5), time: t + 3700, xco2: 404, uncertainty: 0.95),
            // another column, same hour
            Fixture.sounding(id: 15, at: point(6, 5), time: t + 100, xco2: 405, uncertainty: 0.9),
            // dropped: bad flag, outside the domain, outside the window
            Fixture.sounding(id: 16, at: point(5, 5), time: t + 100, xco2: 406, uncertainty: 0.1, flag: 1),
            Fixture.sounding(id: 17, at: GeoPoint(latitude: -30, longitude: 20), time: t + 100, uncertainty: 0.1),
            Fixture.sounding(id: 18, at: point(5, 5), time: t + 8 * 3600, uncertainty: 0.1),
        ]
        let options = XCO2SelectionOptions(instrument: .gosat, start: hour, end: hour.advanced(by: 2))
        let selection = XCO2Selector.select(soundings.reversed(), grid: grid, options: options)
        #expect(selection.observations.map { $0.soundings.map(\.id) } == [[12], [15], [14]])
        #expect(selection.observations.map(\.value) == [402, 405, 404])
        #expect(selection.observations.map(\.uncertainty) == [0.7, 0.9, 0.95])
        #expect(selection.observations[0].i == 5 && selection.observations[0].j == 5 && selection.observations[1].i == 6)
        #expect(selection.validation.map(\.id) == [11, 13])
        let report = selection.report
        #expect(report.steps.map(\.kept) == [8, 7, 7, 6, 5, 3])
        #expect(report.steps.map(\.dropped) == [0, 1, 0, 1, 1, 2])
    }

    @Test func superObservationsCombineWithInverseVarianceWeights() throws {
        let t = hour.secondsSince1970
        let a = Fixture.sounding(id: 1, at: point(7, 8, -0.3, 0), time: t + 60, xco2: 400, uncertainty: 0.5)
        let b = Fixture.sounding(id: 2, at: point(7, 8, 0.3, 0.2), time: t + 120, xco2: 403, uncertainty: 1.0)
        let options = XCO2SelectionOptions(instrument: .gosat, combination: .superObservations)
        let selection = XCO2Selector.select([b, a], grid: grid, options: options)
        let observation = try #require(selection.observations.first)
        #expect(selection.observations.count == 1 && selection.validation.isEmpty)
        // Jiang2021 Eq. 7-8: w = 4 and 1; y = (4·400 + 403) / 5; r = 1/sqrt(5)
        #expect(observation.weights == [4, 1])
        #expect(abs(observation.value - 400.6) < 1e-12)
        #expect(abs(observation.uncertainty - 1 / 5.0.squareRoot()) < 1e-15)
        // Eq. 9: the same weights for each member's simulated values (a field with
        // an x gradient, so the two soundings' simulated values differ).
        let sampler = Fixture.sampler(members: 2) { m, i, _, k in 400 + Double(m) + 2 * Double(i) + 0.5 * Double(k) }
        let ha = try #require(try ColumnOperator.simulate(a, with: sampler))
        let hb = try #require(try ColumnOperator.simulate(b, with: sampler))
        #expect(abs(ha[0] - hb[0]) > 0.1)
        let combined = try #require(try observation.simulate(with: sampler))
        for m in 0..<2 { #expect(abs(combined[m] - (4 * ha[m] + hb[m]) / 5) < 1e-12) }
    }

    @Test func ombGateComesBeforeTheErrorModel() {
        // Jiang2021 settings: inflation 1.9, floor 1 ppm; Kou2023 gate 5 ppm.
        let options = XCO2SelectionOptions(instrument: .gosat, ombThreshold: 5, errorInflation: 1.9, errorFloor: 1)
        let observations = [(400.0, 0.5), (410.0, 0.8), (394.9, 0.7), (405.0, 2.0)].enumerated().map { n, v in
            XCO2Observation(soundings: [Fixture.sounding(id: Int64(n), xco2: v.0, uncertainty: v.1)], i: 0, j: 0)
        }
        // ensemble means 401, 404.9, 400.0, 400.0: OMB -1, 5.1, -5.1, 5.0
        let simulated = [[400.0, 402.0], [404.8, 405.0], [399.0, 401.0], [400.0, 400.0]]
        var report = SelectionReport()
        let kept = XCO2Selector.qualityControl(observations, simulated: simulated, options: options, report: &report)
        // The gate uses y and H only (|d| ≤ 5 kept, 5.0 included); the error
        // model then applies to survivors: max(1.9 r, 1), inflation before floor
        // (0.5 → 1.0, not 1.9 × max(0.5, 1) = 1.9).
        #expect(kept.map(\.observation.value) == [400, 405])
        #expect(kept.map(\.error) == [1.0, 3.8])
        #expect(kept[0].simulated == [400, 402])
        #expect(report.steps == [SelectionStep(name: XCO2Selector.gateStep, kept: 2, dropped: 2)])
        // Defaults (Kou2023): errors as reported.
        #expect(XCO2SelectionOptions(instrument: .gosat).modelError(0.37) == 0.37)
    }

    @Test func oco2KeepsLandNadirAndLandGlintOnly() {
        let t = hour.secondsSince1970 + 60
        let soundings: [XCO2Sounding] = [
            Fixture.sounding(id: 1, at: point(3, 3), time: t, surface: .land, mode: .nadir),
            Fixture.sounding(id: 2, at: point(4, 3), time: t, surface: .land, mode: .glint),
            Fixture.sounding(id: 3, at: point(5, 3), time: t, surface: .water, mode: .glint),
            Fixture.sounding(id: 4, at: point(6, 3), time: t, surface: .land, mode: .target),
            Fixture.sounding(id: 5, at: point(7, 3), time: t, surface: .water, mode: .nadir),
        ]
        let oco2 = XCO2Selector.select(soundings, grid: grid, options: XCO2SelectionOptions(instrument: .oco2))
        #expect(oco2.observations.map { $0.soundings[0].id } == [1, 2])
        // GOSAT (Kou2023): over water, glint only; a water sounding without a
        // stated mode (ACOS GOSAT Lite: ocean glint by construction) is kept.
        var unstated = soundings
        unstated.append(Fixture.sounding(id: 6, at: point(8, 3), time: t, surface: .water, mode: nil))
        let gosat = XCO2Selector.select(unstated, grid: grid, options: XCO2SelectionOptions(instrument: .gosat))
        #expect(gosat.observations.map { $0.soundings[0].id } == [1, 2, 3, 4, 6])
        #expect(gosat.report.description.contains("water soundings in glint mode only"))
    }
}
