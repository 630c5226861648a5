import ConfigFormat
import Foundation
import Geometry
import Meteorology
import ModelTime
import NetCDFIO
import Testing
import TestSupport

private func values(_ f: MetFields, _ field: MetFileSchema.Field) -> [Double] {
    switch field {
    case .u: f.u
    case .v: f.v
    case .w: f.w ?? []
    case .temperature: f.temperature
    case .pressure: f.pressure
    case .airMolarDensity: f.airMolarDensity
    case .kz: f.kz
    case .pblHeight: f.pblHeight
    case .waterVapour: f.waterVapour
    case .surfacePressure: f.surfacePressure
    }
}

/// A hand-made one-hour file in the schema, with one field left out or one
/// field given the cell-centre shape, to exercise the reader's checks.
private func writeHandMadeFile(_ path: String, fields f: MetFields, omit: MetFileSchema.Field? = nil,
                               reshape: MetFileSchema.Field? = nil) throws {
    try writeHandMadeFile(path, fields: f, omit: omit, reshape: reshape, edit: { _, _ in })
}

/// As above, letting `edit` change a field's values before they are written.
private func writeHandMadeFile(_ path: String, fields f: MetFields, omit: MetFileSchema.Field?,
                               reshape: MetFileSchema.Field?,
                               edit: (MetFileSchema.Field, inout [Double]) -> Void) throws {
    let file = try NetCDFFile.create(path)
    let root = file.root
    for (name, length) in [("time", nil), ("z", f.nz), ("z_interface", f.nz + 1), ("y", f.ny), ("x", f.nx),
                           ("y_face", f.ny + 1), ("x_face", f.nx + 1)] as [(String, Int?)] {
        try root.addDimension(name, length: length)
    }
    let time = try root.addVariable("time", type: .double, dimensions: ["time"])
    try time.setAttribute("units", .text("seconds since 2016-01-01 00:00:00"))
    try time.write([Double(ModelHour(year: 2016, month: 1, day: 1).distance(to: f.time) * 3600)], start: [0], count: [1])
    for field in MetFileSchema.Field.allCases where field != omit && (field != .w || f.w != nil) {
        let dims = field == reshape ? ["z", "y", "x"] : field.dimensions
        let variable = try root.addVariable(field.defaultName, type: .double, dimensions: ["time"] + dims)
        try variable.setAttribute("units", .text(field.units))
        var data = values(f, field)
        let count = try dims.map { (d: String) throws(NetCDFError) -> Int in try root.dimensionLength(d) }
        data = Array(data.prefix(count.reduce(1, *)))
        edit(field, &data)
        try variable.write(data, start: [0] + count.map { _ in 0 }, count: [1] + count)
    }
    try file.commit()
}

@Test func metFileRoundTripIsIdentical() throws {
    let domain = try loadDomain("test-small")
    let met = SyntheticMeteorology(domain: domain, seed: 9)
    let directory = try TestEnvironment.temporaryDirectory("met-roundtrip")
    let path = directory.appendingPathComponent("met.nc").path
    let start = ModelHour(year: 2016, month: 2, day: 28, hour: 22)
    let hours = Array(start..<start.advanced(by: 5))
    #expect(try MetFileWriter.write(met, hours: hours, to: path) == 5)
    let reader = try NetCDFMeteorology(domain: domain, files: [path])
    #expect(reader.hours == hours)
    for hour in hours {
        let a = met.fields(at: hour), b = try reader.fields(at: hour)
        #expect(b.time == hour && b.w == nil)
        for field in MetFileSchema.Field.allCases { #expect(values(a, field) == values(b, field), "\(field)") }
    }
    // One file per day, found by pattern, gives the same hours.
    let dayOne = directory.appendingPathComponent("met_20160228.nc").path
    let dayTwo = directory.appendingPathComponent("met_20160229.nc").path
    try MetFileWriter.write(met, hours: Array(hours[0..<2]), to: dayOne)
    try MetFileWriter.write(met, hours: Array(hours[2...]), to: dayTwo)
    let files = try NetCDFMeteorology.files(inDirectory: directory.path, matching: "met_2016*.nc")
    #expect(files == [dayOne, dayTwo])
    let daily = try NetCDFMeteorology(domain: domain, files: files)
    #expect(daily.hours == hours)
    #expect(try daily.fields(at: hours[3]).kz == met.fields(at: hours[3]).kz)

    // Single precision: every value rounded to the nearest Float.
    let single = directory.appendingPathComponent("float.nc").path
    try MetFileWriter.write(met, hours: [hours[1]], to: single, precision: .float)
    let a = met.fields(at: hours[1]), b = try NetCDFMeteorology(domain: domain, files: [single]).fields(at: hours[1])
    for field in MetFileSchema.Field.allCases where field != .w {
        #expect(values(b, field) == values(a, field).map { Double(Float($0)) }, "\(field)")
    }
}

/// The error's text, or "" when none was thrown.
private func errorText(_ body: () throws -> Void) -> String {
    do { try body() } catch { return "\(error)" }
    return ""
}

@Test func readerNamesFileAndVariableForBadInput() throws {
    let domain = try loadDomain("test-small")
    let hour = ModelHour(year: 2016, month: 6, day: 1, hour: 3)
    let fields = SyntheticMeteorology(domain: domain).fields(at: hour)
    let directory = try TestEnvironment.temporaryDirectory("met-errors")

    // A hand-made file in seconds since 2016 is read like the writer's own.
    let good = directory.appendingPathComponent("good.nc").path
    try writeHandMadeFile(good, fields: fields)
    #expect(try NetCDFMeteorology(domain: domain, files: [good]).fields(at: hour).u == fields.u)

    let missing = directory.appendingPathComponent("missing.nc").path
    try writeHandMadeFile(missing, fields: fields, omit: .kz)
    let missingText = errorText { _ = try NetCDFMeteorology(domain: domain, files: [missing]).fields(at: hour) }
    #expect(missingText.contains(missing) && missingText.contains("'kz'") && missingText.contains("missing"))

    let shape = directory.appendingPathComponent("shape.nc").path
    try writeHandMadeFile(shape, fields: fields, reshape: .u)
    let shapeText = errorText { _ = try NetCDFMeteorology(domain: domain, files: [shape]).fields(at: hour) }
    #expect(shapeText.contains(shape) && shapeText.contains("'u'") && shapeText.contains("shape [1, 6, 16, 20]"))

    let nan = directory.appendingPathComponent("nan.nc").path
    try MetFileWriter.write(SyntheticMeteorology(domain: domain), hours: [hour], to: nan)
    let file = try NetCDFFile.open(nan, writable: true)
    try file.root.variable("temperature").write([Double.nan], start: [0, 2, 5, 7], count: [1, 1, 1, 1])
    try file.commit()
    let nanText = errorText { _ = try NetCDFMeteorology(domain: domain, files: [nan]).fields(at: hour) }
    #expect(nanText.contains(nan) && nanText.contains("'temperature'") && nanText.contains("NaN")
            && nanText.contains("(i, j, k) = (7, 5, 2)"))

    let absent = errorText { _ = try NetCDFMeteorology(domain: domain, files: [good]).fields(at: hour.advanced(by: 1)) }
    #expect(absent.contains(good) && absent.contains("'time'") && absent.contains("not in the meteorology files"))

    let duplicate = errorText { _ = try NetCDFMeteorology(domain: domain, files: [good, nan]) }
    #expect(duplicate.contains(nan) && duplicate.contains("also in"))

    let noleap = directory.appendingPathComponent("noleap.nc").path
    try writeHandMadeFile(noleap, fields: fields)
    let calendarFile = try NetCDFFile.open(noleap, writable: true)
    try calendarFile.root.variable("time").setAttribute("calendar", .text("noleap"))
    try calendarFile.commit()
    let calendarText = errorText { _ = try NetCDFMeteorology(domain: domain, files: [noleap]) }
    #expect(calendarText.contains(noleap) && calendarText.contains("'time'") && calendarText.contains("noleap"))

    let otherGrid = errorText { _ = try NetCDFMeteorology(domain: try loadDomain("china-64km"), files: [good]) }
    #expect(otherGrid.contains(good) && otherGrid.contains("dimension"))
}

@Test func readerTakesOptionalVerticalWindAndDerivesDensity() throws {
    let domain = try loadDomain("test-small")
    let hour = ModelHour(year: 2016, month: 6, day: 1, hour: 3)
    var fields = SyntheticMeteorology(domain: domain).fields(at: hour)
    let interfaces = (fields.nz + 1) * fields.nx * fields.ny
    fields.w = (0..<interfaces).map { Double($0 % 7) * 0.01 }
    let path = try TestEnvironment.temporaryDirectory("met-w").appendingPathComponent("w.nc").path
    try writeHandMadeFile(path, fields: fields, omit: .airMolarDensity)
    let read = try NetCDFMeteorology(domain: domain, files: [path]).fields(at: hour)
    #expect(read.w == fields.w)
    for (n, value) in read.airMolarDensity.enumerated() {
        #expect(value == fields.pressure[n] / (universalGasConstant * fields.temperature[n]))
    }
}

@Test func readerRefusesImpossibleValuesAndNonzeroBoundaryKz() throws {
    let domain = try loadDomain("test-small")
    let hour = ModelHour(year: 2016, month: 6, day: 1, hour: 3)
    let fields = SyntheticMeteorology(domain: domain).fields(at: hour)
    let directory = try TestEnvironment.temporaryDirectory("met-values")
    let hot = directory.appendingPathComponent("hot.nc").path
    try writeHandMadeFile(hot, fields: fields, omit: nil, reshape: nil) { field, values in
        if field == .temperature { values[3] = 1000 }
    }
    let hotText = errorText { _ = try NetCDFMeteorology(domain: domain, files: [hot]).fields(at: hour) }
    #expect(hotText.contains(hot) && hotText.contains("'temperature'") && hotText.contains("outside the plausible range"))
    let ground = directory.appendingPathComponent("kz.nc").path
    try writeHandMadeFile(ground, fields: fields, omit: nil, reshape: nil) { field, values in
        if field == .kz { values[0] = 1 }
    }
    let kzText = errorText { _ = try NetCDFMeteorology(domain: domain, files: [ground]).fields(at: hour) }
    #expect(kzText.contains(ground) && kzText.contains("'kz'") && kzText.contains("must be 0 at the ground"))
}

@Test func commandLineWritesAndChecksSyntheticMeteorology() throws {
    let directory = try TestEnvironment.temporaryDirectory("met-cli")
    let path = directory.appendingPathComponent("synth.nc").path
    let domain = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path
    let synth = try TestEnvironment.rcas(["met", "synth", "--domain", domain, "--start", "2016-07-01T06",
                                          "--hours", "3", "--output", path, "--seed", "4"])
    #expect(synth.status == 0, "\(synth.stderr)")
    let check = try TestEnvironment.rcas(["met", "check", "--domain", domain, path])
    #expect(check.status == 0 && check.stdout.contains("3 hours, 2016-07-01T06:00:00Z to 2016-07-01T08:00:00Z, 0 gap(s)"))
    // The file holds exactly the seed-4 synthetic fields, with the domain's land/sea mask.
    let met = try MeteorologySettings.synthetic(seed: 4).makeProvider(domain: try loadDomain("test-small"))
    let hour = ModelHour(year: 2016, month: 7, day: 1, hour: 7)
    let read = try NetCDFMeteorology(domain: met.domain, files: [path]).fields(at: hour), made = try met.fields(at: hour)
    #expect(read.v == made.v && read.pblHeight == made.pblHeight && read.temperature == made.temperature)
    let wrong = try TestEnvironment.rcas(["met", "check", "--domain",
                                          TestEnvironment.packageRoot.appendingPathComponent("Domains/china-64km").path, path])
    #expect(wrong.status != 0 && wrong.stderr.contains(path) && wrong.stderr.contains("dimension 'x'"))
}

@Test func settingsChooseTheProvider() throws {
    let domain = try loadDomain("test-small")
    let base = try TestEnvironment.temporaryDirectory("met-settings")
    let synthetic = try MeteorologySettings.read(ConfigMapping.parse("seed: 7", file: "exp.yaml"), baseDirectory: base)
    #expect(synthetic == .synthetic(seed: 7))
    #expect((try synthetic.makeProvider(domain: domain) as? SyntheticMeteorology)?.seed == 7)

    let hour = ModelHour(year: 2016, month: 1, day: 1)
    try FileManager.default.createDirectory(at: base.appendingPathComponent("met"), withIntermediateDirectories: true)
    try MetFileWriter.write(SyntheticMeteorology(domain: domain), hours: [hour],
                            to: base.appendingPathComponent("met/met_20160101.nc").path)
    let text = "source: files\ndirectory: met\npattern: met_2016*.nc\nvariables: {temperature: temperature}\n"
    let files = try MeteorologySettings.read(ConfigMapping.parse(text, file: "exp.yaml"), baseDirectory: base)
    #expect(files == .files(paths: nil, directory: base.appendingPathComponent("met").path, pattern: "met_2016*.nc",
                            names: [.temperature: "temperature"]))
    let provider = try files.makeProvider(domain: domain)
    #expect(try provider.fields(at: hour).kz == SyntheticMeteorology(domain: domain).fields(at: hour).kz)

    func message(_ yaml: String) -> String {
        do { _ = try MeteorologySettings.read(ConfigMapping.parse(yaml, file: "exp.yaml"), baseDirectory: base) } catch {
            return "\(error)"
        }
        return ""
    }
    #expect(message("source: files\nfiles: [a.nc]\ndirectory: met\n").contains("not both"))
    #expect(message("source: files\ndirectory: met\nvariables: {temprature: T}\n").contains("temprature"))
    #expect(message("source: synthetic\nseeds: 3\n").contains("seeds"))
    #expect(message("source: era5\n").contains("source"))
}

/// A rank reads only its region of a meteorology file: the values there are
/// the whole read's bit for bit (faces bounding the region included), the
/// rest NaN; a bad value outside the region is not this rank's to find, one
/// inside is reported at its index in the whole record.
@Test func readerReadsARegionAndNamesBadValuesByTheirWholeIndex() throws {
    let domain = try loadDomain("test-small")
    let hour = ModelHour(year: 2016, month: 7, day: 1, hour: 8)
    let directory = try TestEnvironment.temporaryDirectory("met-region")
    let path = directory.appendingPathComponent("met.nc").path
    try MetFileWriter.write(SyntheticMeteorology(domain: domain, seed: 4), hours: [hour], to: path)
    let whole = try NetCDFMeteorology(domain: domain, files: [path]).fields(at: hour)
    let region = CellRegion(i: 6..<15, j: 3..<11)
    let part = try NetCDFMeteorology(domain: domain, files: [path]).fields(at: hour, region: region)
    #expect(part.region == region && whole.region == CellRegion(i: 0..<20, j: 0..<16))
    expectRegionMatches(whole, part)

    let file = try NetCDFFile.open(path, writable: true)
    try file.root.variable("temperature").write([Double.nan], start: [0, 2, 1, 3], count: [1, 1, 1, 1])
    try file.root.variable("temperature").write([Double.nan], start: [0, 4, 9, 12], count: [1, 1, 1, 1])
    try file.commit()
    // (3, 1) lies outside the region; (12, 9, 4) inside.
    let text = errorText { _ = try NetCDFMeteorology(domain: domain, files: [path]).fields(at: hour, region: region) }
    #expect(text.contains("'temperature'") && text.contains("NaN") && text.contains("(i, j, k) = (12, 9, 4)"), "\(text)")
    let wholeText = errorText { _ = try NetCDFMeteorology(domain: domain, files: [path]).fields(at: hour) }
    #expect(wholeText.contains("(i, j, k) = (3, 1, 2)"), "\(wholeText)")
}
