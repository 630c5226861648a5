import Foundation
import Geometry
import ModelTime
import NetCDFIO
@testable import Observations
import TestSupport
import Testing

/// Soundings with varied values, written as a GOSAT Lite file.
private func writeLite(_ directory: URL, name: String = "lite.nc4", _ soundings: [XCO2Sounding],
                       instrument: SatelliteInstrument = .gosat) throws -> String {
    let path = directory.appendingPathComponent(name).path
    try LiteWriter.write(soundings, instrument: instrument, to: path, comment: "test")
    return path
}

private func sampleSoundings() -> [XCO2Sounding] {
    (0..<5).map { n in
        var s = Fixture.sounding(id: 2016_0701_0510_00 + Int64(n), at: GeoPoint(latitude: 30 + Double(n), longitude: 110 + Double(n)),
                                 time: Fixture.hour.secondsSince1970 + Double(n) * 61.5, xco2: 400.25 + Double(n),
                                 uncertainty: 0.6 + 0.1 * Double(n), flag: n % 2, mode: nil)
        s.gain = n == 4 ? "M" : "H"
        return s
    }
}

extension ObservationsSuite {
    @Test func liteFilesRoundTrip() throws {
        let directory = try TestEnvironment.temporaryDirectory("obs-lite")
        let written = sampleSoundings()
        let contents = try LiteReader.read(try writeLite(directory, written))
        #expect(contents.rowCount == 5 && contents.droppedInvalid == 0)
        for (a, b) in zip(written, contents.soundings) {
            #expect(a.id == b.id && a.time == b.time && a.qualityFlag == b.qualityFlag && a.gain == b.gain)
            #expect(abs(a.xco2 - b.xco2) < 1e-4 && abs(a.uncertainty - b.uncertainty) < 1e-6)
            #expect(abs(a.latitude - b.latitude) < 1e-5 && b.surfaceType == .land && b.landFraction == 100)
            // pressure written in hPa as float, read back in Pa
            #expect(zip(a.pressureLevels, b.pressureLevels).allSatisfy { abs($0 - $1) <= 1e-6 * $0 + 1e-4 })
            #expect(zip(a.averagingKernel, b.averagingKernel).allSatisfy { abs($0 - $1) < 1e-6 })
        }
    }

    @Test func liteReaderCountsNaNAndMissingValuesAsDrops() throws {
        let directory = try TestEnvironment.temporaryDirectory("obs-lite")
        var soundings = sampleSoundings()
        soundings[1].xco2 = .nan
        soundings[2].latitude = LiteWriter.missingValue
        soundings[3].averagingKernel[7] = LiteWriter.missingValue
        let contents = try LiteReader.read(try writeLite(directory, soundings))
        #expect(contents.soundings.map(\.id) == [soundings[0].id, soundings[4].id])
        #expect(contents.dropReasons == ["xco2: not finite": 1, "latitude: missing value": 1,
                                         "xco2_averaging_kernel: missing value": 1])
    }

    @Test func liteReaderRejectsMalformedFilesNamingFileAndVariable() throws {
        let directory = try TestEnvironment.temporaryDirectory("obs-lite")
        let good = try writeLite(directory, sampleSoundings())
        // Variable removed, unit changed, shape changed: rewritten by the independent Python library.
        let cases: [(String, String, String)] = [
            ("no_xco2.nc4", "skip = 'xco2'", "required variable is missing"),
            ("bad_unit.nc4", "units = {'xco2_uncertainty': 'furlongs'}", "units 'furlongs': not a mole fraction unit"),
            ("no_group.nc4", "skip = 'Retrieval'", "required variable is missing"),
        ]
        for (name, setting, message) in cases {
            let target = directory.appendingPathComponent(name).path
            let script = """
                import netCDF4
                skip = None; units = {}
                \(setting)
                src = netCDF4.Dataset('\(good)'); dst = netCDF4.Dataset('\(target)', 'w')
                def copy(s, d):
                    for n, dim in s.dimensions.items(): d.createDimension(n, len(dim))
                    d.setncatts({a: s.getncattr(a) for a in s.ncattrs()})
                    for n, v in s.variables.items():
                        if n == skip: continue
                        o = d.createVariable(n, v.datatype, v.dimensions)
                        v.set_auto_maskandscale(False); o.set_auto_maskandscale(False)
                        o.setncatts({a: v.getncattr(a) for a in v.ncattrs()})
                        if n in units: o.units = units[n]
                        o[:] = v[:]
                    for n, g in s.groups.items():
                        if n != skip: copy(g, d.createGroup(n))
                copy(src, dst); dst.close()
                """
            let result = try Fixture.python(script)
            #expect(result.status == 0, "\(result.stderr)")
            do {
                _ = try LiteReader.read(target)
                Issue.record("\(name) was accepted")
            } catch {
                #expect(error.file == target)
                #expect(error.description.contains(message), "\(error)")
            }
        }
        // Truncated file: fatal, naming the file.
        let data = try Data(contentsOf: URL(fileURLWithPath: good))
        let truncated = directory.appendingPathComponent("truncated.nc4").path
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: truncated))
        #expect(throws: ObservationError.self) { try LiteReader.read(truncated) }
        do { _ = try LiteReader.read(truncated) } catch { #expect(error.description.hasPrefix(truncated)) }
    }

    @Test func obsPackFilesRoundTrip() throws {
        let directory = try TestEnvironment.temporaryDirectory("obs-obspack")
        let site = SurfaceSite.seed000Table4[1]
        var records = (0..<4).map { n in
            InSituRecord(obspackID: "id\(n)", time: Fixture.hour.advanced(by: n).secondsSince1970, latitude: site.latitude,
                         longitude: site.longitude, altitude: 10, intakeHeight: 10, value: 405.5 + Double(n))
        }
        records[2].value = .nan
        let path = directory.appendingPathComponent(ObsPackWriter.fileName(site)).path
        try ObsPackWriter.write(records, site: site, error: 0.1, to: path, comment: "test")
        let contents = try ObsPackReader.read(path)
        #expect(contents.siteCode == "SDZ" && contents.siteName == "Shangdianzi")
        #expect(contents.records.map(\.obspackID) == ["id0", "id1", "id3"])
        #expect(contents.dropReasons == ["value: not finite": 1])
        for (a, b) in zip([records[0], records[1], records[3]], contents.records) {
            #expect(abs(a.value - b.value) < 1e-4 && a.time == b.time && a.hour == b.hour)
        }
    }

    @Test func concentrationFileIsValidatedAgainstTheDomain() throws {
        let directory = try TestEnvironment.temporaryDirectory("obs-conc")
        let hours = [Fixture.hour, Fixture.hour.advanced(by: 1)]
        let good = directory.appendingPathComponent("conc.nc").path
        try Fixture.writeConcentrationFile(good, hours: hours) { t, i, j, k in 400 + Double(t) + Double(i) * 0.1 + Double(j + k) }
        let sampler = try ConcentrationFileSampler(path: good, grid: Fixture.grid, layers: Fixture.layers)
        #expect(sampler.hours == hours)
        let column = try sampler.column(i: 3, j: 2, member: 0, hour: hours[1])
        let expected: [Double] = (0..<6).map { (k: Int) -> Double in
            let value: Double = 401 + 3 * 0.1 + Double(2 + k)
            return Double(Float(value))
        }
        #expect(column.co2 == expected)
        #expect(throws: ObservationError.self) { try sampler.column(i: 0, j: 0, member: 0, hour: Fixture.hour.advanced(by: 5)) }

        let wrongUnits = directory.appendingPathComponent("units.nc").path
        try Fixture.writeConcentrationFile(wrongUnits, hours: hours, co2: { _, _, _, _ in 400 }) { root in
            try root.variable("pressure").setAttribute("units", .text("hPa"))
        }
        do {
            _ = try ConcentrationFileSampler(path: wrongUnits, grid: Fixture.grid, layers: Fixture.layers)
            Issue.record("hPa pressure accepted")
        } catch {
            #expect(error.variable == "pressure" && error.file == wrongUnits)
        }
        let otherDomain = try Domain.load(TestEnvironment.packageRoot.appendingPathComponent("Domains/china-64km").path)
        do {
            _ = try ConcentrationFileSampler(path: good, grid: otherDomain.grid, layers: otherDomain.layers)
            Issue.record("file of another domain accepted")
        } catch {
            #expect(error.description.contains("z") || error.description.contains("x"))
        }
        let nan = directory.appendingPathComponent("nan.nc").path
        try Fixture.writeConcentrationFile(nan, hours: hours) { t, i, j, _ in t == 1 && i == 4 && j == 4 ? .nan : 400 }
        let nanSampler = try ConcentrationFileSampler(path: nan, grid: Fixture.grid, layers: Fixture.layers)
        _ = try nanSampler.column(i: 0, j: 0, member: 0, hour: hours[0])
        do {
            _ = try nanSampler.column(i: 0, j: 0, member: 0, hour: hours[1])
            Issue.record("NaN accepted")
        } catch let error as ObservationError {
            #expect(error.variable == "co2")
        }
    }

    @Test func obsPackReaderTakesCharacterIdentifiersAndIntegerTimes() throws {
        // The layout of real ObsPack files: int time, char obspack_id rows, qcflag; made by netCDF4.
        let directory = try TestEnvironment.temporaryDirectory("obs-obspack")
        let path = directory.appendingPathComponent("co2_amy_surface-insitu_64_allvalid.nc").path
        let result = try Fixture.python("""
            import numpy as np, netCDF4
            f = netCDF4.Dataset('\(path)', 'w')
            f.site_code = 'AMY'; f.site_name = 'Anmyeon-do'
            f.createDimension('obs', None); f.createDimension('string_of_200chars', 200)
            t = f.createVariable('time', 'i4', ('obs',)); t.units = 'seconds since 1970-01-01T00:00:00Z'
            t[:] = [1467334800, 1467338400, 1467342000]
            v = f.createVariable('value', 'f4', ('obs',), fill_value=-1e34); v.units = 'mol mol-1'
            v[:] = [4.05e-4, -1e34, 4.07e-4]
            for name, units, vals in [('latitude', 'degrees_north', 36.53), ('longitude', 'degrees_east', 126.32),
                                      ('altitude', 'm', 86.0), ('intake_height', 'm', 40.0)]:
                x = f.createVariable(name, 'f8', ('obs',)); x.units = units; x[:] = [vals] * 3
            ids = f.createVariable('obspack_id', 'S1', ('obs', 'string_of_200chars'))
            ids[:] = netCDF4.stringtochar(np.array(['obspack~a~1', 'obspack~a~2', 'obspack~a~3'], dtype='S200'))
            f.close()
            """)
        #expect(result.status == 0, "\(result.stderr)")
        let contents = try ObsPackReader.read(path)
        #expect(contents.siteCode == "AMY")
        #expect(contents.records.map(\.obspackID) == ["obspack~a~1", "obspack~a~3"])
        #expect(contents.dropReasons == ["value: fill value": 1])
        #expect(contents.records.map(\.hour) == [ModelHour(year: 2016, month: 7, day: 1, hour: 1), ModelHour(year: 2016, month: 7, day: 1, hour: 3)])
        #expect(abs(contents.records[0].value - 405) < 1e-4 && contents.records[1].intakeHeight == 40)
    }
}
