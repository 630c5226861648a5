import ConfigFormat
import Foundation
import Meteorology
import ModelTime
import NetCDFIO
import Testing
import TestSupport

/// Every source's section prints itself, and the printed YAML reads back to
/// equal settings (relative paths printed resolved, so any base folder works).
@Test func meteorologySettingsPrintAndReadBack() throws {
    let base = try TestEnvironment.temporaryDirectory("met-print")
    let other = try TestEnvironment.temporaryDirectory("met-print-elsewhere")
    let sections = [
        "source: synthetic",
        "seed: 7",
        "source: files\ndirectory: met\n",
        "source: files\nfiles: [a.nc, /abs/b.nc]\nvariables: {temperature: TA, pbl_height: PBL}\n",
        "source: wrf\ndirectory: wrf\n",
        "source: wrf\nfiles: ['wrf/wrfout_d01_2016-07-01_00:00:00']\nkz: diagnosed\nkz_background_m2_s: 0.5\n",
        "source: wrf\ndirectory: wrf\npattern: 'wrfout_d02_*'\nkz: exch_h\n",
    ]
    for text in sections {
        let settings = try MeteorologySettings.read(ConfigMapping.parse(text, file: "exp.yaml"), baseDirectory: base)
        let printed = settings.configNode.yaml
        let again = try MeteorologySettings.read(ConfigMapping.parse(printed, file: "printed.yaml"), baseDirectory: other)
        #expect(again == settings, "\(text) -> \(printed)")
    }
    let wrf = try MeteorologySettings.read(ConfigMapping.parse("source: wrf\ndirectory: wrf\n", file: "exp.yaml"), baseDirectory: base)
    #expect(wrf == .wrf(paths: nil, directory: base.appendingPathComponent("wrf").path, pattern: "wrfout_d01_*",
                        kz: .auto, kzBackground: 0.1))
    #expect(wrf.configNode.yaml.contains("kz: auto") && wrf.configNode.yaml.contains("kz_background_m2_s: 0.1"))
    func message(_ yaml: String) -> String {
        thrownText { _ = try MeteorologySettings.read(ConfigMapping.parse(yaml, file: "exp.yaml"), baseDirectory: base) }
    }
    #expect(message("source: wrf\n").contains("either 'files'"))
    #expect(message("source: wrf\ndirectory: w\nkz: ysu\n").contains("kz"))
    #expect(message("source: wrf\ndirectory: w\nkz_background_m2_s: -1\n").contains("kz_background_m2_s"))
    #expect(message("source: wrf\ndirectory: w\nvariables: {u: U}\n").contains("variables"))
    #expect(message("source: wrf\ndirectory: /no/such/folder\n") == "")
    let provider = thrownText {
        _ = try MeteorologySettings.wrf(paths: nil, directory: "/no/such/folder", pattern: "wrfout_d01_*", kz: .auto,
                                        kzBackground: 0.1).makeProvider(domain: try loadDomain("test-small"))
    }
    #expect(provider.contains("/no/such/folder"))
}

/// Issue 16 for the RCAS-schema reader: units checked and converted, fill
/// values and absurd times refused with file, variable and index.
@Test func schemaReaderChecksUnitsFillValuesAndTimes() throws {
    let domain = try loadDomain("test-small")
    let hour = ModelHour(year: 2016, month: 6, day: 1, hour: 3)
    let directory = try TestEnvironment.temporaryDirectory("met-units")
    let path = directory.appendingPathComponent("met.nc").path
    try MetFileWriter.write(SyntheticMeteorology(domain: domain), hours: [hour], to: path)
    let original = try NetCDFMeteorology(domain: domain, files: [path]).fields(at: hour)
    func setUnits(_ name: String, _ units: String) throws {
        let file = try NetCDFFile.open(path, writable: true)
        try file.root.variable(name).setAttribute("units", .text(units))
        try file.commit()
    }
    func read() throws -> MetFields { try NetCDFMeteorology(domain: domain, files: [path]).fields(at: hour) }

    try setUnits("pressure", "hPa")
    let file = try NetCDFFile.open(path, writable: true)
    try file.root.variable("pressure").write(original.pressure.map { $0 / 100 }, start: [0, 0, 0, 0], count: [1, 6, 16, 20])
    try file.commit()
    let hectopascal = try read()
    #expect(zip(hectopascal.pressure, original.pressure).allSatisfy { abs($0 - $1) <= 1e-9 * $1 })
    try setUnits("temperature", "degC")
    #expect(thrownText { _ = try read() }.contains("outside the plausible range"))
    try setUnits("temperature", "K")
    try setUnits("kz", "m2 s-2")
    let kz = thrownText { _ = try read() }
    #expect(kz.contains(path) && kz.contains("'kz'") && kz.contains("units 'm2 s-2'") && kz.contains("m2 s-1"))
    try setUnits("kz", "m2/s")
    #expect(try read().kz == original.kz)
    try setUnits("water_vapour", "kg kg-1")
    #expect(thrownText { _ = try read() }.contains("'water_vapour'"))
    try setUnits("water_vapour", "mol mol-1")

    try overwrite(path, "pbl_height", at: [0, 4, 5], with: 9.969209968386869e36)
    let fill = thrownText { _ = try read() }
    #expect(fill.contains("'pbl_height'") && fill.contains("fill value") && fill.contains("(i, j) = (5, 4)"))
    try overwrite(path, "pbl_height", at: [0, 4, 5], with: 500)
    try overwrite(path, "u", at: [0, 1, 2, 3], with: -151)
    #expect(thrownText { _ = try read() }.contains("-151.0 m s-1 outside the plausible range"))
    try overwrite(path, "u", at: [0, 1, 2, 3], with: 1)
    #expect(thrownText { _ = try read() } == "")

    // Times that cannot be hours: refused, not a trap.
    for bad in [1e30, 9.969209968386869e36, -.infinity] {
        try overwrite(path, "time", at: [0], with: bad)
        let text = thrownText { _ = try NetCDFMeteorology(domain: domain, files: [path]) }
        #expect(text.contains("'time'") && text.contains("not a valid time"), "\(bad): \(text)")
    }
}
