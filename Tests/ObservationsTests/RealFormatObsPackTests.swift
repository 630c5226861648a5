import ConfigFormat
import Foundation
import Geometry
import ModelTime
@testable import Observations
import TestSupport
import Testing

/// ObsPack files in NOAA's layout (Tests/Fixtures/realformat/obspack.py), the
/// in-situ settings and the in-situ selection.
@discardableResult
private func obspack(_ folder: URL, damage: [String] = [], extra: [String] = []) throws -> String {
    try Fixture.realFormat("obspack.py", [folder.path] + damage.flatMap { ["--damage", $0] } + extra)
}

private let july1 = ModelHour(year: 2016, month: 7, day: 1)

extension ObservationsSuite {
    @Test func obsPackSiteFilesReadWithTheirRealLayout() throws {
        let folder = try TestEnvironment.temporaryDirectory("obspack-real")
        let files = try Fixture.realFormatVariants("obspack.py", folder, ["plain", "time-int64", "time-iso-units", "no-time",
                                                                          "value-ppm", "no-intake", "no-unc"])
        func read(_ name: String) throws -> ObsPackFileContents { try ObsPackReader.read(try #require(files[name])) }
        let contents = try read("plain")
        #expect(contents.siteCode == "AMY" && contents.siteName == "Anmyeon-do" && contents.rowCount == 6)
        #expect(contents.records.count == 6 && contents.droppedInvalid == 0)
        let first = try #require(contents.records.first)
        #expect(first.time == july1.secondsSince1970 + 1800 && first.hour == july1)
        #expect(abs(first.value - 405) < 10 && abs(first.valueUncertainty! - 0.15) < 1e-6)
        #expect(first.obsFlag == 1 && first.qcFlag == "..." && first.siteCode == "AMY")
        #expect(first.intakeHeight == 40 && first.altitude == 86 && abs(first.latitude - 36.5383) < 1e-5)
        #expect(first.obspackID.hasSuffix("~co2_amy_surface-insitu_1_allvalid~1000"))

        // Every time layout gives the same times: int64, ISO units, components only.
        for damage in ["time-int64", "time-iso-units", "no-time"] {
            let variant = try read(damage)
            #expect(variant.records.map(\.time) == contents.records.map(\.time), "\(damage)")
        }
        let ppm = try read("value-ppm")
        #expect(zip(ppm.records, contents.records).allSatisfy { abs($0.value - $1.value) < 1e-3 })
        let noIntake = try read("no-intake")
        #expect(noIntake.records.allSatisfy { $0.intakeHeight == 40 }, "altitude - elevation")
        let noUnc = try read("no-unc")
        #expect(noUnc.records.allSatisfy { $0.valueUncertainty == nil })
    }

    @Test func obsPackBadValuesAreCountedAndBadFilesRefused() throws {
        let folder = try TestEnvironment.temporaryDirectory("obspack-bad")
        let files = try Fixture.realFormatVariants("obspack.py", folder, ["fill", "time-1e30", "duplicate", "conflict", "wrong-units"])
        let fill = try ObsPackReader.read(try #require(files["fill"]))
        #expect(fill.dropReasons == ["value: fill value": 1] && fill.records.count == 5)
        let late = try ObsPackReader.read(try #require(files["time-1e30"]))
        #expect(late.dropReasons == ["time: outside the plausible times 1900-2200": 1])
        let duplicate = try ObsPackReader.read(try #require(files["duplicate"]))
        #expect(duplicate.records.count == 5 && duplicate.dropReasons == ["obspack_id: identical duplicate": 1])
        let conflict = try #require(files["conflict"])
        let clash = #expect(throws: ObservationError.self) { try ObsPackReader.read(conflict) }
        #expect(clash?.variable == "obspack_id" && clash?.description.contains("two different records") == true)
        let units = try #require(files["wrong-units"])
        let wrong = #expect(throws: ObservationError.self) { try ObsPackReader.read(units) }
        #expect(wrong?.variable == "value" && wrong?.file == units && wrong?.description.contains("not plausible") == true)
    }

    @Test func multiSiteFilesNameTheSiteOfEachRecord() throws {
        let folder = try TestEnvironment.temporaryDirectory("obspack-multi")
        let contents = try ObsPackReader.read(try obspack(folder, extra: ["--multi-site"]))
        #expect(contents.siteCode == "")
        #expect(contents.records.map(\.siteCode) == ["AMY", "WLG", "AMY", "WLG", "AMY", "WLG"])
        #expect(contents.records[1].latitude == Double(Float(36.2879)) && contents.records[1].intakeHeight == 80)
        #expect(ObsPackReader.siteCode(inObspackID: "obspack_x~co2_sdz_surface-flask_1_representative~77") == "SDZ")
        #expect(ObsPackReader.siteCode(inObspackID: "no tildes") == nil)
    }

    @Test func inSituSelectionByFlagsSitesTimeAndTheModel() throws {
        let folder = try TestEnvironment.temporaryDirectory("obspack-select")
        try obspack(folder, damage: ["flags"])
        try obspack(folder, extra: ["--site", "WLG"])
        try obspack(folder, extra: ["--site", "SDZ", "--start", "2016-07-02T00"])
        let settings = InSituSettings(files: [folder.path])
        let all = try settings.load(grid: Fixture.grid, layers: Fixture.layers, start: july1, end: july1.advanced(by: 24))
        // AMY: obs_flag 0 at record 3, qcflag "A.." at 4 (rejected); ".S." at 5 passes not-rejected.
        #expect(all.report.steps.map(\.name) == ["read (valid rows)", "obs_flag in [1]", "qcflag not-rejected", "time window",
                                                 "inside the model (domain, below its top)", "error model (value_unc needed)"])
        #expect(all.report.steps.map(\.kept) == [18, 17, 16, 10, 10, 10])
        #expect(all.perFile.map(\.observations) == [4, 0, 6], "AMY 4, SDZ (2 July) 0, WLG 6")
        #expect(all.observations.first?.hour == july1 && all.observations.map(\.siteCode).prefix(2) == ["AMY", "WLG"])
        let amy = try #require(all.observations.first)
        #expect(PointOperator.location(of: amy.location, heightAboveGround: 40, grid: Fixture.grid, layers: Fixture.layers)! == (amy.i, amy.j, amy.k))
        #expect(abs(amy.error - (1 + 0.15 * 0.15).squareRoot()) < 1e-9, "√(1² + 0.15²) ppm")
        let sampler = Fixture.sampler(members: 2) { m, i, j, k in 400 + Double(m) + Double(i * 100 + j * 10 + k) * 1e-3 }
        let hourly = GriddedEnsembleSampler(grid: Fixture.grid, layers: Fixture.layers, hour: amy.hour, co2: sampler.co2,
                                            pressure: sampler.pressure, waterVapour: sampler.waterVapour)
        let expected = 400 + Double(amy.i * 100 + amy.j * 10 + amy.k) * 1e-3
        #expect(try amy.simulate(with: hourly) == [expected, expected + 1], "the model value in the sample's cell and layer")

        var strict = InSituSettings(files: [folder.path], sites: ["wlg", "AMY"], qcFlag: .passed,
                                    error: InSituErrorModel(fixed: nil, uncertaintyScale: 2, floor: 0.5))
        let passed = try strict.load(grid: Fixture.grid, layers: Fixture.layers, start: nil, end: nil)
        #expect(passed.report.kept("sites WLG,AMY") == 12 && passed.report.kept("qcflag passed") == 9)
        #expect(passed.observations.allSatisfy { $0.error == 0.5 }, "2 × 0.15 ppm is below the 0.5 ppm floor")
        strict.sites = ["XXX"]
        let nothing = #expect(throws: ObservationError.self) {
            try strict.load(grid: Fixture.grid, layers: Fixture.layers, start: nil, end: nil)
        }
        #expect(nothing?.file == "in_situ.files" && nothing?.description.contains("yielded no in-situ observation") == true)
    }

    @Test func inSituSettingsReadStrictlyAndPrintThemselves() throws {
        let base = URL(fileURLWithPath: "/runs/exp")
        let yaml = """
            in_situ:
              files: [obspack, /data/extra.nc]
              sites: [amy, WLG]
              use: assimilate
              obs_flag: [1]
              qcflag: passed
              error: {fixed_ppm: 2.5, floor_ppm: 1}
            """
        let section = try ConfigMapping.parse(yaml, file: "exp.yaml").mapping("in_situ")
        let settings = try InSituSettings(section, baseDirectory: base)
        #expect(settings.files == ["/runs/exp/obspack", "/data/extra.nc"] && settings.sites == ["AMY", "WLG"])
        #expect(settings.use == .assimilate && settings.qcFlag == .passed)
        #expect(settings.error == InSituErrorModel(fixed: 2.5, uncertaintyScale: nil, floor: 1))
        let printed = settings.configNode.yaml
        let again = try InSituSettings(try ConfigMapping.parse(printed, file: "printed"), baseDirectory: base)
        #expect(again == settings, "\(printed)")
        let defaults = try InSituSettings(try ConfigMapping.parse("files: [a]", file: "d"), baseDirectory: base)
        #expect(defaults.use == .validate && defaults.obsFlags == [1] && defaults.qcFlag == .notRejected && defaults.error == .standard)
        for (bad, key) in [("files: [a]\nsite: [AMY]", "site"), ("files: []", "files"), ("files: [a]\nuse: sometimes", "use"),
                           ("files: [a]\nerror: {floor_ppm: 1}", "error"), ("files: [a]\nerror: {fixed_ppm: -1}", "error.fixed_ppm"),
                           ("files: [a]\nqcflag: strict", "qcflag")] {
            let error = #expect(throws: ConfigError.self) { try InSituSettings(try ConfigMapping.parse(bad, file: "bad"), baseDirectory: base) }
            #expect(error?.key == key, "\(bad): \(String(describing: error))")
        }
        #expect(InSituErrorModel.standard.error(valueUncertainty: nil) == 1)
        #expect(InSituErrorModel(fixed: nil, uncertaintyScale: 1, floor: 0).error(valueUncertainty: nil) == nil)
    }
}
