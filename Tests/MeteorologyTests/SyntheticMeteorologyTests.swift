import Foundation
import Geometry
import Meteorology
import ModelTime
import Testing
import TestSupport

func loadDomain(_ name: String) throws -> Domain {
    try Domain.load(TestEnvironment.packageRoot.appendingPathComponent("Domains/\(name)").path)
}

/// Largest |Σ face fluxes| of any cell relative to the largest face flux of that cell.
func worstRelativeDivergence(_ met: SyntheticMeteorology, _ f: MetFields) -> Double {
    var worst = 0.0
    let faces = met.faces
    for k in 0..<f.nz {
        for j in 0..<f.ny {
            for i in 0..<f.nx {
                let scale = max(abs(f.u[f.xFace(i, j, k)] * faces.xFaceLength[j * (f.nx + 1) + i]),
                                abs(f.u[f.xFace(i + 1, j, k)] * faces.xFaceLength[j * (f.nx + 1) + i + 1]),
                                abs(f.v[f.yFace(i, j, k)] * faces.yFaceLength[j * f.nx + i]),
                                abs(f.v[f.yFace(i, j + 1, k)] * faces.yFaceLength[(j + 1) * f.nx + i]))
                worst = max(worst, abs(faces.outflow(of: f, i: i, j: j, k: k)) / scale)
            }
        }
    }
    return worst
}

@Test(arguments: ["test-small", "china-64km"])
func windsHaveZeroDiscreteDivergenceInEveryLayer(domainName: String) throws {
    let met = SyntheticMeteorology(domain: try loadDomain(domainName), seed: 3)
    for time in [ModelHour(year: 2016, month: 1, day: 5, hour: 6), ModelHour(year: 2016, month: 7, day: 20, hour: 18)] {
        let f = met.fields(at: time)
        #expect(f.w == nil)
        #expect(worstRelativeDivergence(met, f) < 1e-12)
    }
}

@Test func fieldsAreDeterministicFromTheSeed() throws {
    let domain = try loadDomain("test-small")
    let time = ModelHour(year: 2016, month: 4, day: 2, hour: 9)
    let a = SyntheticMeteorology(domain: domain, seed: 11).fields(at: time)
    let b = SyntheticMeteorology(domain: domain, seed: 11).fields(at: time)
    let c = SyntheticMeteorology(domain: domain, seed: 12).fields(at: time)
    #expect(a.u == b.u && a.v == b.v && a.temperature == b.temperature && a.kz == b.kz)
    #expect(a.u != c.u)
    #expect(SyntheticMeteorology(domain: domain, seed: 11).waves != SyntheticMeteorology(domain: domain, seed: 12).waves)
}

@Test func airMolarDensityIsIdealGasAndUniformPerLayer() throws {
    let domain = try loadDomain("test-small")
    let f = SyntheticMeteorology(domain: domain).fields(at: ModelHour(year: 2016, month: 8, day: 1, hour: 5))
    let cells = f.nx * f.ny
    for k in 0..<f.nz {
        for c in 0..<cells {
            let index = k * cells + c
            let ideal = f.pressure[index] / (universalGasConstant * f.temperature[index])
            #expect(abs(f.airMolarDensity[index] - ideal) <= 4e-16 * ideal)
            #expect(f.airMolarDensity[index] == f.airMolarDensity[k * cells])
        }
    }
    // Pressure falls with height in every column (night inversions included) and
    // the surface pressure is above the lowest layer's.
    for c in 0..<cells {
        #expect(f.surfacePressure[c] > f.pressure[c])
        for k in 1..<f.nz { #expect(f.pressure[k * cells + c] < f.pressure[(k - 1) * cells + c]) }
    }
    // Near-surface density of the standard atmosphere, 101325 / (R* 288.15) = 42.3 mol m-3.
    #expect(abs(f.airMolarDensity[0] - 42.0) < 0.5)
    #expect(f.surfacePressure.allSatisfy { $0 > 85_000 && $0 < 112_000 })
}

@Test func kzIsPositiveInsideAndZeroAtGroundAndTop() throws {
    let domain = try loadDomain("china-64km")
    let f = SyntheticMeteorology(domain: domain).fields(at: ModelHour(year: 2016, month: 7, day: 1, hour: 4))
    let cells = f.nx * f.ny
    for c in 0..<cells {
        #expect(f.kz[c] == 0)
        #expect(f.kz[f.nz * cells + c] == 0)
        for k in 1..<f.nz { #expect(f.kz[k * cells + c] > 0) }
    }
    #expect(f.kz.max()! < 1000)
}

@Test func boundaryLayerIsDeepByDayAndShallowAtNight() throws {
    let domain = try loadDomain("china-64km")
    let met = SyntheticMeteorology(domain: domain)
    let beijing = domain.grid.cell(containing: GeoPoint(latitude: 39.9, longitude: 116.4))!
    let c = domain.grid.index(beijing.i, beijing.j)
    // Beijing local solar time = UTC + 7.76 h: 06 UTC is early afternoon, 18 UTC after midnight.
    let day = met.fields(at: ModelHour(year: 2016, month: 7, day: 15, hour: 6))
    let night = met.fields(at: ModelHour(year: 2016, month: 7, day: 15, hour: 18))
    #expect(day.pblHeight[c] > 1500)
    #expect(night.pblHeight[c] < 400)
    let cells = day.nx * day.ny
    #expect(day.kz[2 * cells + c] > 10 * night.kz[2 * cells + c])
    // Diurnal temperature cycle near the ground, none aloft.
    #expect(day.temperature[c] - night.temperature[c] > 5)
    let top = (day.nz - 1) * cells + c
    #expect(abs(day.temperature[top] - night.temperature[top]) < 0.01)
}

@Test func westerliesStrengthenWithHeightAndSpeedsStayRealistic() throws {
    let domain = try loadDomain("test-small")
    let met = SyntheticMeteorology(domain: domain, seed: 5)
    var hour = ModelHour(year: 2016, month: 1, day: 1)
    var maxSpeed = 0.0
    for _ in 0..<73 {
        let f = met.fields(at: hour)
        maxSpeed = max(maxSpeed, f.u.map(abs).max()!, f.v.map(abs).max()!)
        let perLayer = f.ny * (f.nx + 1)
        let lowMean = f.u[0..<perLayer].reduce(0, +) / Double(perLayer)
        let jetLevel = domain.layers.layer(containingHeight: 9_000)!
        let highMean = f.u[(jetLevel * perLayer)..<((jetLevel + 1) * perLayer)].reduce(0, +) / Double(perLayer)
        #expect(highMean > lowMean + 5)
        hour = hour.advanced(by: 5 * 24 + 7)
    }
    #expect(maxSpeed < 50)
    #expect(maxSpeed > 20)
}

@Test func wavesTravelAndFieldsChangeWithTime() throws {
    let met = SyntheticMeteorology(domain: try loadDomain("test-small"))
    let a = met.fields(at: ModelHour(year: 2016, month: 3, day: 1))
    let b = met.fields(at: ModelHour(year: 2016, month: 3, day: 2))
    let change = zip(a.v, b.v).map { abs($0 - $1) }.max()!
    #expect(change > 2)
}

@Test func temperatureAndWaterVapourHaveRealisticStructure() throws {
    let domain = try loadDomain("china-64km")
    let f = SyntheticMeteorology(domain: domain).fields(at: ModelHour(year: 2016, month: 1, day: 15, hour: 0))
    let grid = domain.grid
    let south = grid.index(grid.cell(containing: GeoPoint(latitude: 20, longitude: 110))!.i,
                           grid.cell(containing: GeoPoint(latitude: 20, longitude: 110))!.j)
    let north = grid.index(grid.cell(containing: GeoPoint(latitude: 48, longitude: 125))!.i,
                           grid.cell(containing: GeoPoint(latitude: 48, longitude: 125))!.j)
    let cells = grid.cellCount
    #expect(f.temperature[south] > f.temperature[north] + 20)
    #expect(f.waterVapour[south] > 3 * f.waterVapour[north])
    for c in [south, north] {
        for k in 1..<f.nz where domain.layers.midHeight(k) < 10_000 {
            #expect(f.temperature[k * cells + c] < f.temperature[(k - 1) * cells + c])
            #expect(f.waterVapour[k * cells + c] < f.waterVapour[(k - 1) * cells + c])
        }
    }
    #expect(f.waterVapour.allSatisfy { $0 > 0 && $0 <= 0.04 })
    #expect(f.temperature.allSatisfy { $0 > 190 && $0 < 320 })
}

@Test func synopticWavesMoveEast() throws {
    // v along the middle row of china-64km at ~5 km: the pattern 6 h later is
    // best matched by shifting it east (phase speeds 4-12 m/s = 1-4 cells in 6 h).
    let met = SyntheticMeteorology(domain: try loadDomain("china-64km"), seed: 2)
    let k = met.domain.layers.layer(containingHeight: 5_000)!
    let start = ModelHour(year: 2016, month: 4, day: 10)
    var eastward = 0
    for day in 0..<8 {
        let a = met.fields(at: start.advanced(by: 24 * day)), b = met.fields(at: start.advanced(by: 24 * day + 6))
        let j = a.ny / 2
        let rowA = (0..<a.nx).map { a.v[a.yFace($0, j, k)] }, rowB = (0..<b.nx).map { b.v[b.yFace($0, j, k)] }
        func misfit(_ shift: Int) -> Double {
            (20..<(a.nx - 20)).reduce(0) { $0 + pow(rowB[$1 + shift] - rowA[$1], 2) }
        }
        let best = (-8...8).min { misfit($0) < misfit($1) }!
        if best > 0 { eastward += 1 }
    }
    #expect(eastward >= 7)
}

@Test func seaHasAShallowSteadyBoundaryLayerAndLandADiurnalOne() throws {
    let domain = try loadDomain("china-64km")
    let settings = MeteorologySettings.synthetic(seed: 1)
    let met = try #require(try settings.makeProvider(domain: domain) as? SyntheticMeteorology)
    let grid = domain.grid
    func cell(_ lat: Double, _ lon: Double) -> Int {
        let c = grid.cell(containing: GeoPoint(latitude: lat, longitude: lon))!
        return grid.index(c.i, c.j)
    }
    let land = cell(34.7, 113.6), sea = cell(30.0, 128.0)     // Zhengzhou; East China Sea
    #expect(met.landFraction[land] == 1 && met.landFraction[sea] == 0)
    // 06 UTC is early afternoon, 18 UTC past midnight at these longitudes.
    let day = met.fields(at: ModelHour(year: 2016, month: 7, day: 15, hour: 6))
    let night = met.fields(at: ModelHour(year: 2016, month: 7, day: 15, hour: 18))
    #expect(day.pblHeight[land] > 1500 && night.pblHeight[land] == 250)
    #expect(night.pblHeight[sea] == 600 && day.pblHeight[sea] < 800)
    #expect(day.temperature[land] - night.temperature[land] > 5)
    #expect(abs(day.temperature[sea] - night.temperature[sea]) < 1.5)
    // The winds do not depend on the surface.
    #expect(day.u == SyntheticMeteorology(domain: domain, seed: 1).fields(at: day.time).u)
}

/// A rank asks for the fields of its tile's region only: every value there
/// must be the whole grid's, bit for bit, and every value outside NaN (so a
/// reader that strays outside cannot go unnoticed).
@Test func fieldsOfARegionAreTheWholeGridsThereAndNaNElsewhere() throws {
    let domain = try loadDomain("china-64km")
    let met = SyntheticMeteorology(domain: domain, seed: 3)
    let time = ModelHour(year: 2016, month: 7, day: 1, hour: 9)
    let whole = met.fields(at: time)
    let region = CellRegion(i: 30..<61, j: 40..<86)
    let part = met.fields(at: time, region: region)
    #expect(whole.region == CellRegion(i: 0..<105, j: 0..<86) && part.region == region)
    expectRegionMatches(whole, part)
}
