import ConfigFormat
import Foundation
import Geometry
import Meteorology
import ModelTime
import NetCDFIO
import Testing
import TestSupport

private let july1 = ModelHour(year: 2016, month: 7, day: 1)

private func close(_ a: Double, _ b: Double, relative: Double) -> Bool {
    abs(a - b) <= relative * max(abs(a), abs(b))
}

/// `meteorology: {source: wrf}` on real-format wrfout samples: fields against
/// the values the writer made them from.
@Suite struct WRFMeteorologyTests {
    @Test func everyLevelKeptGivesWRFsFieldsOnTheLayers() throws {
        let sample = try WRFSample.lambert()
        let domain = try sample.domain()
        let met = try WRFMeteorology(domain: domain, files: sample.files.reversed())
        #expect(met.hours == [july1, july1.advanced(by: 1), july1.advanced(by: 2)])
        #expect(met.files == sample.files)
        let hour = july1.advanced(by: 1), path = sample.files[1], truth = sample.truth.times[1]
        let f = try met.fields(at: hour)
        let nx = f.nx, ny = f.ny, nz = f.nz, cells = nx * ny
        #expect(nx == 20 && ny == 16 && nz == 10 && f.time == hour)

        // C-grid winds are the faces one to one (every level kept: u_l = u_k).
        let u = try readVariable(path, "U"), v = try readVariable(path, "V"), w = try readVariable(path, "W")
        #expect(zip(f.u, u).allSatisfy { close($0, $1, relative: 1e-14) })
        #expect(zip(f.v, v).allSatisfy { close($0, $1, relative: 1e-14) })
        #expect(f.w == w)
        // T from theta = T + 300 and p = P + PB; water vapour from QVAPOR; air per layer.
        let p = try readVariable(path, "P"), pb = try readVariable(path, "PB")
        for n in 0..<(nz * cells) {
            #expect(abs(f.temperature[n] - truth.temperature[n]) < 2e-3, "temperature \(n)")
            #expect(close(f.pressure[n], p[n] + pb[n], relative: 1e-14))
            #expect(close(f.waterVapour[n], truth.water_vapour[n], relative: 1e-6), "water \(n)")
            #expect(close(f.airMolarDensity[n] * domain.layers.thickness(n / cells), truth.air[n], relative: 1e-4), "air \(n)")
        }
        // Kz is EXCH_H on the interfaces, 0 at the ground and the top.
        let exchange = try readVariable(path, "EXCH_H")
        #expect(f.kz[0..<cells].allSatisfy { $0 == 0 } && f.kz[(nz * cells)...].allSatisfy { $0 == 0 })
        #expect(Array(f.kz[cells..<(nz * cells)]) == Array(exchange[cells..<(nz * cells)]))
        #expect(f.pblHeight == (try readVariable(path, "PBLH")))
        #expect(f.surfacePressure == (try readVariable(path, "PSFC")))
        #expect(f.temperature.allSatisfy { (204.99...310).contains($0) })

        let absent = thrownText { _ = try met.fields(at: july1.advanced(by: 3)) }
        #expect(absent.contains("2016-07-01T03:00:00Z") && absent.contains("not in the WRF files"))
    }

    /// Collapsed levels: the layer's air is the sum of its levels', and the
    /// transport's face flux n̄ u L Δz is the sum of the levels' face fluxes.
    @Test func collapsedLevelsKeepAirAndFaceFluxes() throws {
        let sample = try WRFSample.lambert()
        let interfaces = [0, 3, 5, 8, 10]
        let domain = try sample.domain(interfaces: interfaces)
        let f = try WRFMeteorology(domain: domain, files: sample.files).fields(at: july1)
        let truth = sample.truth.times[0], u = try readVariable(sample.files[0], "U")
        let nx = f.nx, ny = f.ny, cells = nx * ny
        #expect(f.nz == 4)
        for l in 0..<4 {
            let levels = interfaces[l]..<interfaces[l + 1]
            for c in 0..<cells {
                let air = levels.map { truth.air[$0 * cells + c] }.reduce(0, +)
                #expect(close(f.airMolarDensity[l * cells + c] * domain.layers.thickness(l), air, relative: 1e-4))
                let vapour = levels.map { truth.air[$0 * cells + c] * truth.water_vapour[$0 * cells + c] }.reduce(0, +)
                #expect(close(f.waterVapour[l * cells + c], vapour / air, relative: 2e-5))
            }
            for j in 0..<ny {
                for i in 0...nx {
                    let west = j * nx + max(i - 1, 0), east = j * nx + min(i, nx - 1)
                    let layerAir = 0.5 * (f.airMolarDensity[l * cells + west] + f.airMolarDensity[l * cells + east])
                        * domain.layers.thickness(l)
                    let flux = layerAir * f.u[f.xFace(i, j, l)]
                    let levelFluxes = levels.map { k in
                        0.5 * (truth.air[k * cells + west] + truth.air[k * cells + east]) * u[(k * ny + j) * (nx + 1) + i]
                    }.reduce(0, +)
                    #expect(close(flux, levelFluxes, relative: 1e-4), "face (\(i), \(j)) layer \(l)")
                }
            }
        }
        // Kz at a collapsed interface is EXCH_H at that WRF level.
        let exchange = try readVariable(sample.files[0], "EXCH_H")
        #expect(Array(f.kz[(2 * cells)..<(3 * cells)]) == Array(exchange[(5 * cells)..<(6 * cells)]))
    }

    /// A rank reads only its region of a wrfout file (and one cell around
    /// it for the face air): every value of the region is the whole read's
    /// bit for bit, with EXCH_H and with the diagnosed Kz, every other NaN.
    @Test func aRegionIsTheWholeReadsThereAndNaNElsewhere() throws {
        for (sample, interfaces) in [(try WRFSample.lambert(), [0, 3, 5, 8, 10]), (try WRFSample.polar(), [0, 1, 2, 3, 4, 5, 7, 10])] {
            let met = try WRFMeteorology(domain: try sample.domain(interfaces: interfaces), files: sample.files)
            let hour = met.hours[1]
            let whole = try met.fields(at: hour)
            for region in [CellRegion(i: 5..<14, j: 4..<11), CellRegion(i: 0..<7, j: 9..<16)] {
                let part = try met.fields(at: hour, region: region)
                #expect(part.region == region)
                expectRegionMatches(whole, part, "\(sample.files[0])")
            }
        }
    }

    @Test func kzIsDiagnosedWithoutEXCH_H() throws {
        let sample = try WRFSample.polar()
        #expect(sample.files.count == 1)
        let domain = try sample.domain(interfaces: [0, 1, 2, 3, 4, 5, 7, 10])
        let met = try WRFMeteorology(domain: domain, files: sample.files)
        #expect(met.hours.count == 3)
        let path = sample.files[0]
        let ust = try readVariable(path, "UST"), hfx = try readVariable(path, "HFX"), pblh = try readVariable(path, "PBLH")
        let theta = try readVariable(path, "T"), p = try readVariable(path, "P"), pb = try readVariable(path, "PB")
        let profile = BoundaryLayerDiffusivity()
        var stable = 0, unstable = 0, above = 0
        for record in 0..<3 {
            let f = try met.fields(at: july1.advanced(by: record))
            let cells = f.nx * f.ny, truth = sample.truth.times[record]
            let surface = record * cells, volume = record * 10 * cells
            for c in 0..<cells {
                #expect(f.kz[c] == 0 && f.kz[7 * cells + c] == 0)
                let temperature = truth.temperature[c], pressure = p[volume + c] + pb[volume + c]
                let column = BoundaryLayerDiffusivity.Column(
                    frictionVelocity: ust[surface + c], sensibleHeatFlux: hfx[surface + c], pblHeight: pblh[surface + c],
                    potentialTemperature: theta[volume + c] + 300, airDensity: pressure / (287 * temperature))
                if hfx[surface + c] > 0 { unstable += 1 } else { stable += 1 }
                for (l, level) in [0, 1, 2, 3, 4, 5, 7, 10].enumerated() where l > 0 && l < 7 {
                    let height = truth.height[level * cells + c]
                    let expected = profile.kz(atHeight: height, column: column)
                    #expect(close(f.kz[l * cells + c], expected, relative: 1e-4), "kz record \(record) level \(level) column \(c)")
                    if height >= pblh[surface + c] { above += 1; #expect(f.kz[l * cells + c] == 0.1) }
                }
            }
        }
        #expect(stable > 0 && unstable > 0 && above > 0)
        // Asked for EXCH_H that is not there: an error naming it.
        let strict = try WRFMeteorology(domain: domain, files: sample.files, kzSource: .exchH)
        #expect(thrownText { _ = try strict.fields(at: july1) }.contains("'EXCH_H'"))
    }

    /// The profile against values computed by hand (python3, the formulas of
    /// Docs/meteorology.md written out).
    @Test func kProfileMatchesHandComputedValues() {
        let profile = BoundaryLayerDiffusivity()
        func column(_ ustar: Double, _ heat: Double, _ h: Double, _ theta: Double, _ rho: Double) -> BoundaryLayerDiffusivity.Column {
            .init(frictionVelocity: ustar, sensibleHeatFlux: heat, pblHeight: h, potentialTemperature: theta, airDensity: rho)
        }
        let unstable = column(0.3, 200, 1000, 300, 1.2)
        #expect(abs(profile.kz(atHeight: 100, column: unstable) - 68.8665916272828) < 1e-9)
        #expect(abs(profile.kz(atHeight: 500, column: unstable) - 180.983584183638) < 1e-9)
        #expect(abs(profile.kz(atHeight: 50, column: column(0.2, -30, 300, 290, 1.25)) - 0.250186842476376) < 1e-12)
        #expect(abs(profile.kz(atHeight: 200, column: column(0.25, 0, 800, 295, 1.2)) - 11.25) < 1e-12)
        #expect(profile.kz(atHeight: 1200, column: unstable) == 0.1)
        #expect(profile.kz(atHeight: 100, column: column(0, -10, 300, 290, 1.2)) == 0.1)
        #expect(profile.kz(atHeight: 100, column: column(0, 300, 2000, 300, 1.2)).isFinite)
        #expect(BoundaryLayerDiffusivity(background: 0.5).kz(atHeight: 50, column: column(0.2, -30, 300, 290, 1.25)) == 0.5)
    }

    @Test func hoursAreIndexedAndGapsDuplicatesAndSubHourlyRecordsAreHandled() throws {
        let gap = try WRFSample.withGap()
        let domain = try gap.domain()
        let missing = thrownText { _ = try WRFMeteorology(domain: domain, files: gap.files) }
        #expect(missing.contains("1 hour(s) missing") && missing.contains("2016-07-01T02:00:00Z"), "\(missing)")

        let copy = try TestEnvironment.temporaryDirectory("wrf-duplicate").appendingPathComponent("copy_of_first").path
        try FileManager.default.copyItem(atPath: gap.files[0], toPath: copy)
        let twice = thrownText { _ = try WRFMeteorology(domain: domain, files: [gap.files[0], gap.files[1], copy]) }
        #expect(twice.contains("hour 2016-07-01T00:00:00Z") && twice.contains("also in"), "\(twice)")

        // Half-hourly output: the records between whole hours are not used.
        let halfHourly = try WRFSample.write(["--hours", "2", "--minutes", "30", "--per-file", "4", "--mask", "none"],
                                             label: "wrf-30min")
        let met = try WRFMeteorology(domain: try halfHourly.domain(), files: halfHourly.files)
        #expect(met.hours == [july1, july1.advanced(by: 1)])
        let f = try met.fields(at: july1.advanced(by: 1))
        #expect(zip(f.temperature, halfHourly.truth.times[2].temperature).allSatisfy { abs($0 - $1) < 2e-3 })

        let nowhere = halfHourly.directory.appendingPathComponent("none").path
        #expect(thrownText { _ = try WRFMeteorology(domain: domain, files: [nowhere]) }.contains(nowhere))
        #expect(thrownText { _ = try WRFMeteorology(domain: domain, files: []) }.contains("no wrfout files"))
    }

    @Test func filesOfAnotherGridOrAMovingNestOrADomainWithoutEtaAreRefused() throws {
        let lambert = try WRFSample.lambert(), mercator = try WRFSample.mercator()
        let domain = try lambert.domain()
        let other = thrownText { _ = try WRFMeteorology(domain: domain, files: mercator.files) }
        #expect(other.contains(mercator.files[0]) && other.contains("'XLAT'") && other.contains("another grid"), "\(other)")

        let nest = try WRFSample.polar().copy(label: "wrf-nest")
        let nestDomain = try WRFSample.polar().domain()
        try overwrite(nest.files[0], "XLAT", at: [1, 3, 4], with: 56.5)
        let moving = thrownText { _ = try WRFMeteorology(domain: nestDomain, files: nest.files) }
        #expect(moving.contains("record 1") && moving.contains("moving nest"), "\(moving)")

        // A domain that does not say which WRF levels its layers are.
        let yaml = domain.directory.appendingPathComponent("domain.yaml")
        let text = try String(contentsOf: yaml, encoding: .utf8)
        let stripped = text.replacingOccurrences(of: #", wrf_eta_interfaces: \[[^\]]*\]"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"masks: .*\n"#, with: "", options: .regularExpression)
        #expect(stripped != text)
        let bare = try TestEnvironment.temporaryDirectory("wrf-bare")
        try FileManager.default.createDirectory(at: bare, withIntermediateDirectories: true)
        try stripped.write(to: bare.appendingPathComponent("domain.yaml"), atomically: true, encoding: .utf8)
        let noEta = thrownText { _ = try WRFMeteorology(domain: try Domain.load(bare.path), files: lambert.files) }
        #expect(noEta.contains("'ZNW'") && noEta.contains("from-wrf"), "\(noEta)")
    }

    @Test func badValuesAndUnitsAreNamedWithFileVariableIndexAndTime() throws {
        let sample = try WRFSample.lambert().copy(label: "wrf-bad")
        let domain = try WRFSample.lambert().domain()
        let path = sample.files[0]
        func message() -> String {
            thrownText { _ = try WRFMeteorology(domain: domain, files: [path]).fields(at: july1) }
        }
        #expect(message() == "")
        let u = try readVariable(path, "U")
        try overwrite(path, "U", at: [0, 2, 3, 4], with: 200)
        let wind = message()
        #expect(wind.contains(path) && wind.contains("'U'") && wind.contains("200.0 m s-1")
                && wind.contains("(i, j, k) = (4, 3, 2)") && wind.contains("2016-07-01T00:00:00Z"), "\(wind)")
        try overwrite(path, "U", at: [0, 2, 3, 4], with: u[(2 * 16 + 3) * 21 + 4])
        try overwrite(path, "T", at: [0, 1, 2, 3], with: 9.969209968386869e36)
        let fill = message()
        #expect(fill.contains("'T'") && fill.contains("fill value") && fill.contains("(i, j, k) = (3, 2, 1)"), "\(fill)")
        try overwrite(path, "T", at: [0, 1, 2, 3], with: 500)
        let hot = message()
        #expect(hot.contains("'T'") && hot.contains("air temperature") && hot.contains("outside the plausible range"), "\(hot)")
        // A rank whose window holds the bad value names it by its index in
        // the whole record; a rank whose window does not never reads it.
        func regionMessage(_ region: CellRegion) -> String {
            thrownText { _ = try WRFMeteorology(domain: domain, files: [path]).fields(at: july1, region: region) }
        }
        let inWindow = regionMessage(CellRegion(i: 2..<8, j: 1..<6))
        #expect(inWindow.contains("air temperature") && inWindow.contains("(i, j, k) = (3, 2, 1)"), "\(inWindow)")
        #expect(regionMessage(CellRegion(i: 12..<20, j: 10..<16)) == "")
        try overwrite(path, "T", at: [0, 1, 2, 3], with: 0)
        try overwrite(path, "QVAPOR", at: [0, 0, 0, 0], with: .nan)
        #expect(message().contains("'QVAPOR'") && message().contains("NaN"))
        try overwrite(path, "QVAPOR", at: [0, 0, 0, 0], with: 0.01)
        try overwrite(path, "PBLH", at: [0, 5, 6], with: -3)
        #expect(message().contains("'PBLH'") && message().contains("(i, j) = (6, 5)"))
        try overwrite(path, "PBLH", at: [0, 5, 6], with: 300)
        try overwrite(path, "EXCH_H", at: [0, 3, 0, 0], with: 6000)
        #expect(message().contains("'EXCH_H'") && message().contains("6000.0 m2 s-1"))
        try overwrite(path, "EXCH_H", at: [0, 3, 0, 0], with: 1)
        #expect(message() == "")

        // Units: km/h converted, an unknown unit refused.
        func setUnits(_ units: String) throws {
            let file = try NetCDFFile.open(path, writable: true)
            try file.root.variable("U").setAttribute("units", .text(units))
            try file.commit()
        }
        try setUnits("km/h")
        let f = try WRFMeteorology(domain: domain, files: [path]).fields(at: july1)
        let raw = try readVariable(path, "U")
        #expect(zip(f.u, raw).allSatisfy { close($0, $1 / 3.6, relative: 1e-12) })
        try setUnits("furlongs per fortnight")
        let unitText = message()
        #expect(unitText.contains("'U'") && unitText.contains("furlongs per fortnight") && unitText.contains("m s-1"))
    }
}
