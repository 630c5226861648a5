import Foundation
import Geometry
import ModelTime
@testable import Observations
import TestSupport
import Testing

private let day = ModelHour(year: 2016, month: 7, day: 1)

/// An 8-day truth file on the test domain with horizontal and vertical
/// structure and a diurnal change, shared by the tests of this file.
private let truthFile: String = {
    let directory = try! TestEnvironment.temporaryDirectory("obs-truth")
    let path = directory.appendingPathComponent("truth.nc").path
    try! Fixture.writeConcentrationFile(path, hours: (0..<(24 * 8)).map { day.advanced(by: $0) }) { t, i, j, k in
        400 + 3 * sin(Double(i) / 3) + 2 * cos(Double(j) / 4) - 0.8 * Double(k) + 0.1 * Double(t)
    }
    return path
}()

private func generator(seed: UInt64) throws -> SyntheticObservationGenerator {
    SyntheticObservationGenerator(truth: try ConcentrationFileSampler(path: truthFile, grid: Fixture.grid, layers: Fixture.layers),
                                  seed: seed)
}

extension ObservationsSuite {
    @Test func orbitIsSunSynchronousAndRepeats() {
        for (orbit, days) in [(SyntheticOrbit.gosat, 3.0), (SyntheticOrbit.oco2, 16.0)] {
            let t = 1_467_331_200.0 + 1234.5   // 2016-07-01 plus a bit
            let a = orbit.subSatellitePoint(at: t), b = orbit.subSatellitePoint(at: t + days * 86_400)
            #expect(abs(a.latitude - b.latitude) < 1e-6 && abs(normalizedLongitude(a.longitude - b.longitude)) < 1e-6)
            // Daytime equator crossings happen at the stated local solar time.
            let ascendingNodes = (1_000_000...1_000_040).map { Double($0) * orbit.period }
            let crossings = ascendingNodes.map { orbit.daytimeAscending ? $0 : $0 + orbit.period / 2 }
            for time in crossings {
                let p = orbit.subSatellitePoint(at: time)
                #expect(abs(p.latitude) < 1e-6)
                var local = (time / 3600 + p.longitude / 15).truncatingRemainder(dividingBy: 24)
                if local < 0 { local += 24 }
                #expect(abs(local - orbit.equatorCrossingLocalHour) < 1e-6)
            }
        }
    }

    @Test func gosatLikeSoundingsAreSparseEarlyAfternoonAndCloudScreened() throws {
        let run = try generator(seed: 42).satellite(.gosat, start: day, hours: 24)
        let soundings = run.soundings
        let clearShare = Double(run.clear) / Double(run.candidates)
        #expect(run.candidates > 20 && soundings.count > 5)
        #expect(clearShare > 0.10 && clearShare < 0.30, "clear share \(clearShare)")
        #expect(Set(soundings.map(\.id)).count == soundings.count)
        for s in soundings {
            var local = ((s.time - day.secondsSince1970) / 3600 + s.longitude / 15).truncatingRemainder(dividingBy: 24)
            if local < 0 { local += 24 }
            #expect(local > 11.5 && local < 14.5, "local time \(local)")
            #expect(SyntheticObservationGenerator.uncertaintyRange.contains(s.uncertainty))
            #expect(abs(s.pressureWeights.reduce(0, +) - 1) < 1e-12)
            #expect(s.averagingKernel.last == 1 && s.averagingKernel.first! < 0.4)
            #expect(zip(s.averagingKernel, s.averagingKernel.dropFirst()).allSatisfy { $0 < $1 })
            #expect(s.pressureLevels.count == 20 && s.gain == "H" && s.operationMode == nil)
        }
        // Few soundings per pass: hours with data hold at most a few dozen.
        let perHour = Dictionary(grouping: soundings, by: \.hour).values.map(\.count)
        #expect(perHour.max()! < 60)
    }

    @Test func syntheticSoundingsAreDeterministicAndCarryTheStatedNoise() throws {
        let a = try generator(seed: 7).satellite(.oco2, start: day, hours: 24)
        let b = try generator(seed: 7).satellite(.oco2, start: day, hours: 24)
        let c = try generator(seed: 8).satellite(.oco2, start: day, hours: 24)
        #expect(a.soundings == b.soundings)
        #expect(a.soundings.map(\.xco2) != c.soundings.map(\.xco2))
        let clearShare = Double(a.clear) / Double(a.candidates)
        #expect(clearShare > 0.10 && clearShare < 0.30, "clear share \(clearShare)")
        #expect(Set(a.soundings.map(\.operationMode)) == [.nadir, .glint] || Set(a.soundings.map(\.operationMode)).count == 1)
        // Normalised residuals against the truth seen through the same operator.
        let truth = try ConcentrationFileSampler(path: truthFile, grid: Fixture.grid, layers: Fixture.layers)
        let good = a.soundings.filter { $0.qualityFlag == 0 }
        #expect(good.count > 500)
        let z = try good.map { s in (s.xco2 - (try ColumnOperator.simulate(s, with: truth)![0])) / s.uncertainty }
        let mean = z.reduce(0, +) / Double(z.count)
        let variance = z.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(z.count)
        #expect(abs(mean) < 4 / Double(z.count).squareRoot(), "mean \(mean)")
        #expect(abs(variance - 1) < 0.15, "variance \(variance)")
        let flagged = Double(a.soundings.count - good.count) / Double(a.soundings.count)
        #expect(abs(flagged - SyntheticObservationGenerator.badFlagFraction) < 0.05)
    }

    @Test func syntheticSitesFollowTable4Frequencies() throws {
        let g = try generator(seed: 3)
        let sites = SurfaceSite.seed000Table4
        #expect(sites.count == 14)
        let records = try g.sites(sites, start: day, hours: 24 * 8)
        let sdz = try #require(records[1]), wlg = try #require(records[2]), jsa = try #require(records[5])
        // hourly; daily at 06 UTC; weekly at 06 UTC on days whose number since
        // 1970-01-01 is a multiple of 7 (2016-07-07 in this week), so the
        // schedule does not depend on where a period starts or is cut.
        #expect(sdz.count == 24 * 8 && wlg.count == 8 && wlg.allSatisfy { $0.hour.hourOfDay == 6 })
        #expect(jsa.map(\.hour) == [day.advanced(by: 6 * 24 + 6)])
        let hourByHour = try (0..<(24 * 8)).map { try g.sites(sites, start: day.advanced(by: $0), hours: 1) }
        for index in sites.indices {
            #expect(hourByHour.flatMap { $0[index] ?? [] } == (records[index] ?? []), "site \(sites[index].code)")
        }
        #expect(try g.sites([SurfaceSite(code: "X", name: "far away", latitude: -40, longitude: 10, intervalHours: 1,
                                         description: "")], start: day, hours: 2) == [nil])
        let truth = try ConcentrationFileSampler(path: truthFile, grid: Fixture.grid, layers: Fixture.layers)
        for r in sdz {
            let model = try #require(try PointOperator.simulate(site: r.location, heightAboveGround: r.intakeHeight, hour: r.hour, with: truth))
            #expect(abs(r.value - model[0]) < 6 * SyntheticObservationGenerator.siteError)
        }
    }

    @Test func syntheticFilesOpenInPythonNetCDF4LikeTheRealProducts() throws {
        let directory = try TestEnvironment.temporaryDirectory("obs-python")
        let g = try generator(seed: 11)
        for instrument in SatelliteInstrument.allCases {
            let run = try g.satellite(instrument, start: day, hours: 24)
            try LiteWriter.write(run.soundings, instrument: instrument,
                                 to: directory.appendingPathComponent(LiteWriter.fileName(instrument, day: day)).path, comment: "test")
        }
        let site = SurfaceSite.seed000Table4[0]
        try ObsPackWriter.write(try #require(try g.sites([site], start: day, hours: 24)[0]), site: site, error: 0.1,
                                to: directory.appendingPathComponent(ObsPackWriter.fileName(site)).path, comment: "test")
        let script = """
            import glob, sys, numpy as np, netCDF4
            d = '\(directory.path)'
            for path in sorted(glob.glob(d + '/*_LtCO2_*.nc4')):
                f = netCDF4.Dataset(path)
                assert f.data_model == 'NETCDF4', f.data_model
                assert set(f.dimensions) >= {'sounding_id', 'levels'}, f.dimensions
                assert len(f.dimensions['levels']) == 20
                n = len(f.dimensions['sounding_id']); assert n > 0
                for name in ['sounding_id', 'latitude', 'longitude', 'time', 'xco2', 'xco2_uncertainty', 'xco2_quality_flag', 'xco2_apriori']:
                    assert f[name].dimensions == ('sounding_id',), name
                for name in ['pressure_levels', 'pressure_weight', 'xco2_averaging_kernel', 'co2_profile_apriori']:
                    assert f[name].dimensions == ('sounding_id', 'levels'), name
                assert set(f.groups) == {'Retrieval', 'Sounding'}, f.groups
                assert f['Retrieval/surface_type'].dimensions == ('sounding_id',)
                assert f['sounding_id'].dtype == np.int64 and f['xco2_quality_flag'].dtype == np.int8
                assert f['xco2'].units == 'ppm' and f['pressure_levels'].units == 'hPa'
                assert f['time'].units.startswith('seconds since 1970-01-01')
                assert f['xco2'].missing_value == -999999 and '_FillValue' not in f['xco2'].ncattrs()
                w = f['pressure_weight'][:]; assert np.allclose(w.sum(axis=1), 1, atol=1e-5)
                p = f['pressure_levels'][:]; assert (np.diff(p, axis=1) > 0).all()
                x = f['xco2'][:]; assert 380 < x.min() and x.max() < 420
                if 'oco2' in path: assert set(np.unique(f['Sounding/operation_mode'][:])) <= {0, 1}
                else: assert set(f['Sounding/gain'][:]) == {'H'}
                print(path.split('/')[-1], n)
            f = netCDF4.Dataset(glob.glob(d + '/co2_*_surface-insitu_*.nc')[0])
            assert f.site_code == 'LFS' and len(f.dimensions['obs']) == 24
            assert f['value'].units == 'mol mol-1' and 3.8e-4 < f['value'][:].min() < 4.2e-4
            for name in ['time', 'latitude', 'longitude', 'altitude', 'intake_height', 'obspack_id']:
                assert f[name].dimensions == ('obs',), name
            print('obspack ok')
            """
        let result = try Fixture.python(script)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("acos_LtCO2_160701") && result.stdout.contains("oco2_LtCO2_160701")
                && result.stdout.contains("obspack ok"))
    }

    @Test func obsCommandSynthesisesAndScans() throws {
        let directory = try TestEnvironment.temporaryDirectory("obs-cli")
        let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path
        let output = directory.appendingPathComponent("out").path
        let synth = try TestEnvironment.rcas(["obs", "synth", "--domain", domain, "--truth", truthFile, "--instrument", "gosat",
                                              "--start", "2016-07-01T00", "--hours", "24", "--output", output, "--seed", "5", "--sites"])
        #expect(synth.status == 0, "\(synth.stderr)")
        let lite = URL(fileURLWithPath: output).appendingPathComponent("acos_LtCO2_160701_RCAS-synthetic.nc4").path
        let contents = try LiteReader.read(lite)
        #expect(FileManager.default.fileExists(atPath: URL(fileURLWithPath: output).appendingPathComponent("co2_sdz_surface-insitu_RCAS-synthetic.nc").path))

        // A quoted glob pattern is expanded by rcas itself.
        let scan = try TestEnvironment.rcas(["obs", "scan", "--domain", domain, "--json", output + "/acos_LtCO2_*.nc4"])
        #expect(scan.status == 0, "\(scan.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(scan.stdout.utf8)) as? [String: Any])
        #expect(object["soundings"] as? Int == contents.soundings.count)
        #expect(object["good_quality"] as? Int == contents.soundings.filter { $0.qualityFlag == 0 }.count)
        #expect(object["inside_domain"] as? Int == contents.soundings.count)
        #expect(object["dropped_invalid"] as? Int == 0)
        let start = try #require(object["time_start"] as? String)
        #expect(start.hasPrefix("2016-07-01T") && start.hasSuffix("Z") && object["time_end"] is String)

        // With --instrument the selection steps are reported; thinning keeps one per column and hour.
        let select = try TestEnvironment.rcas(["obs", "scan", "--domain", domain, "--json", "--instrument", "gosat", lite])
        #expect(select.status == 0, "\(select.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(select.stdout.utf8)) as? [String: Any])
        let steps = try #require(report["selection"] as? [[String: Any]])
        let expected = XCO2Selector.select(contents.soundings, grid: Fixture.grid, options: XCO2SelectionOptions(instrument: .gosat))
        #expect(steps.map { $0["kept"] as? Int } == expected.report.steps.map(\.kept))
        #expect(report["validation"] as? Int == expected.validation.count)

        let missing = try TestEnvironment.rcas(["obs", "scan", "--domain", domain, directory.appendingPathComponent("none.nc4").path])
        #expect(missing.status != 0 && missing.stderr.contains("none.nc4"))
    }
}
