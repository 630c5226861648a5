import Foundation
import Geometry
import ModelTime
@testable import Observations
import Testing

/// A 20-layer column whose layer mid pressures are exactly the sounding's
/// retrieval levels (reversed: lowest layer first), holding `co2(level)`.
private func columnOnLevels(_ s: XCO2Sounding, water: Double = 0, co2: (Int) -> Double) -> ModelColumn {
    let n = s.pressureLevels.count
    let levelIndex = (0..<n).map { n - 1 - $0 }
    return ModelColumn(co2: levelIndex.map(co2), pressure: levelIndex.map { s.pressureLevels[$0] },
                       waterVapour: levelIndex.map { _ in water }, midHeights: (0..<n).map { Double($0) * 1000 },
                       surfacePressure: s.pressureLevels[n - 1], topPressure: 5)
}

extension ObservationsSuite {
    @Test func columnOperatorReturnsAprioriXCO2ForTheAprioriProfile() {
        let s = Fixture.sounding()
        // The a priori profile varies with height, so this checks the level mapping, not a constant.
        #expect(Set(s.aprioriProfile).count > 10)
        let column = columnOnLevels(s, water: 0.01) { s.aprioriProfile[$0] }
        #expect(ColumnOperator.xco2(column, sounding: s) == s.xco2Apriori)
    }

    @Test func columnOperatorIsLinearInTheModelProfile() {
        let s = Fixture.sounding()
        let base = Fixture.sampler { _, i, j, k in 395 + 0.3 * Double(i) - 0.2 * Double(j) + 1.5 * Double(k) }
        let d1 = Fixture.sampler { _, i, _, k in sin(Double(i + k)) }
        let d2 = Fixture.sampler { _, _, j, k in Double(j * k) * 0.1 }
        func h(_ a: Double, _ b: Double) throws -> Double {
            let combined = GriddedEnsembleSampler(grid: base.grid, layers: base.layers, hour: base.hour,
                                                  co2: [zip(base.co2[0], zip(d1.co2[0], d2.co2[0])).map { $0 + a * $1.0 + b * $1.1 }],
                                                  pressure: base.pressure, waterVapour: base.waterVapour.map { _ in 0.004 })
            return try #require(try ColumnOperator.simulate(s, with: combined))[0]
        }
        let h0 = try! h(0, 0), h1 = try! h(1, 0), h2 = try! h(0, 1)
        let combined = try! h(2.5, -1.5)
        #expect(abs((combined - h0) - (2.5 * (h1 - h0) - 1.5 * (h2 - h0))) < 1e-9)
        #expect(abs(h1 - h0) > 0.1)   // the perturbation is seen at all
    }

    @Test func unitKernelWithoutWaterVapourGivesThePressureWeightedMean() {
        var s = Fixture.sounding()
        s.averagingKernel = s.averagingKernel.map { _ in 1 }
        let profile = (0..<20).map { 390 + Double($0) * 0.7 + (Double($0).truncatingRemainder(dividingBy: 3)) }
        let column = columnOnLevels(s) { profile[$0] }
        let weightedMean = zip(s.pressureWeights, profile).map(*).reduce(0, +)
        #expect(abs(ColumnOperator.xco2(column, sounding: s) - weightedMean) < 1e-10)
        #expect(abs(s.pressureWeights.reduce(0, +) - 1) < 1e-14)
    }

    @Test("the column operator counts dry air once: a moist column against a hand-computed XCO2")
    func columnOperatorCountsDryAirOnce() {
        var s = Fixture.sounding()
        s.pressureLevels = [30_000, 60_000, 90_000]
        s.pressureWeights = [0.25, 0.45, 0.30]
        s.averagingKernel = [1.1, 1.0, 0.8]
        s.aprioriProfile = [400, 402, 404]
        s.xco2Apriori = 402.3
        // Layer mids on the retrieval levels, 3 % water vapour near the ground.
        let column = ModelColumn(co2: [410, 405, 398], pressure: [90_000, 60_000, 30_000], waterVapour: [0.03, 0.01, 0.001],
                                 midHeights: [1000, 4200, 9200], surfacePressure: 95_000, topPressure: 10_000)
        // By hand: 402.3 + (398 − 400) 1.1 0.25 + (405 − 402) 1.0 0.45 + (410 − 404) 0.8 0.30
        //        = 402.3 − 0.55 + 1.35 + 1.44 = 404.54 ppm. Dividing by (1 − w_k) as
        // Kou2023 Eq. 2 writes it would give 404.5976 (water counted twice).
        #expect(abs(ColumnOperator.xco2(column, sounding: s) - 404.54) < 1e-12)
    }

    @Test func columnOperatorTreatsLevelsBeyondTheModelAsDocumented() {
        // Model layers between 900 and 200 hPa, top at 150 hPa: a level at 1000 hPa
        // takes the lowest layer, 170 hPa the top layer, 50 hPa the a priori.
        let column = ModelColumn(co2: [410, 405, 400], pressure: [90_000, 50_000, 20_000], waterVapour: [0, 0, 0],
                                 midHeights: [1000, 5500, 11_800], surfacePressure: 100_000, topPressure: 15_000)
        let (y, _) = ColumnOperator.profileAtLevels(column, levels: [5_000, 17_000, 50_000, 70_000, 100_000],
                                                    apriori: [1, 2, 3, 4, 5])
        #expect(y[0] == 1)
        #expect(y[1] == 400)
        #expect(y[2] == 405)
        let t = log(90_000.0 / 70_000) / log(90_000.0 / 50_000)
        #expect(abs(y[3] - (410 * (1 - t) + 405 * t)) < 1e-12)
        #expect(y[4] == 410)
    }

    @Test func bilinearInterpolationIsExactForALinearField() throws {
        let sampler = Fixture.sampler { _, i, j, k in 400 + 0.75 * Double(i) - 1.25 * Double(j) + 2 * Double(k) }
        for (fi, fj) in [(3.3, 7.8), (0.0, 0.0), (18.9, 14.01), (10.5, 2.25)] {
            let column = try sampler.column(atGridPosition: fi, fj, member: 0, hour: Fixture.hour)
            for k in 0..<Fixture.layers.count {
                #expect(abs(column.co2[k] - (400 + 0.75 * fi - 1.25 * fj + 2 * Double(k))) < 1e-10)
            }
        }
        // Outside the outermost centres the edge value is held.
        let edge = try sampler.column(atGridPosition: -0.4, 3, member: 0, hour: Fixture.hour)
        #expect(abs(edge.co2[0] - (400 - 1.25 * 3)) < 1e-10)
    }

    /// A sampler that answers only for the cells `interpolationCells` names
    /// gives the same column as the full one, at interior points and edges.
    @Test func interpolationCellsAreExactlyWhatBilinearInterpolationReads() throws {
        let full = Fixture.sampler { _, i, j, k in 400 + 0.75 * Double(i) - 1.25 * Double(j) + 2 * Double(k) }
        struct Restricted: EnsembleColumnSampler {
            let base: GriddedEnsembleSampler
            let allowed: Set<Int>
            var grid: HorizontalGrid { base.grid }
            var layers: VerticalLayers { base.layers }
            var memberCount: Int { base.memberCount }
            func column(i: Int, j: Int, member: Int, hour: ModelHour) throws -> ModelColumn {
                guard allowed.contains(grid.index(i, j)) else { throw ObservationError(file: "test", variable: nil, message: "cell (\(i), \(j)) read") }
                return try base.column(i: i, j: j, member: member, hour: hour)
            }
        }
        let grid = Fixture.grid
        for (fi, fj) in [(3.3, 7.8), (0.0, 0.0), (-0.4, 3), (Double(grid.nx) - 0.6, Double(grid.ny) - 0.7), (18.0, 14.0), (10.5, 2.25)] {
            let cells = GriddedEnsembleSampler.interpolationCells(fi, fj, grid: grid)
            #expect(cells.count == 4)
            let restricted = Restricted(base: full, allowed: Set(cells))
            #expect(try restricted.column(atGridPosition: fi, fj, member: 0, hour: Fixture.hour)
                    == full.column(atGridPosition: fi, fj, member: 0, hour: Fixture.hour))
        }
    }

    @Test func surfaceAndTopPressureExtrapolationIsExactForAnIsothermalAtmosphere() throws {
        let column = try Fixture.sampler { _, _, _, _ in 400 }.column(i: 2, j: 3, member: 0, hour: Fixture.hour)
        #expect(abs(column.surfacePressure - 101_325) < 1e-6)
        #expect(abs(column.topPressure - Fixture.pressure(height: Fixture.layers.top)) < 1e-6)
    }

    @Test func pointOperatorPicksTheLayerAboveAnInterface() throws {
        let sampler = Fixture.sampler(members: 2) { m, i, j, k in Double(1000 * k + 10 * m) + Double(j * 20 + i) / 1000 }
        let site = Fixture.grid.center(4, 9)
        let cellValue = Double(9 * 20 + 4) / 1000
        // interfaces of test-small: 0, 150, 500, 1200, 2500, 6000, 12000 m
        for (height, layer) in [(0.0, 0), (149.999, 0), (150.0, 1), (500.0, 2), (1200.0, 3), (11_999.0, 5), (12_000.0, 5)] {
            let values = try #require(try PointOperator.simulate(site: site, heightAboveGround: height, hour: Fixture.hour, with: sampler))
            #expect(values == [Double(1000 * layer) + cellValue, Double(1000 * layer + 10) + cellValue], "height \(height)")
        }
        #expect(try PointOperator.simulate(site: site, heightAboveGround: 12_000.5, hour: Fixture.hour, with: sampler) == nil)
        #expect(try PointOperator.simulate(site: GeoPoint(latitude: -40, longitude: 10), heightAboveGround: 10,
                                           hour: Fixture.hour, with: sampler) == nil)
    }

}
