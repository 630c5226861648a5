import Foundation
import Geometry
import ModelTime
@testable import Observations
import TestSupport
import Testing

/// Lite files in the real products' layouts (Tests/Fixtures/realformat/lite.py,
/// written by Python netCDF4), and every damaged variant the reader must
/// survive with a count or refuse with a named error.
@discardableResult
private func lite(_ folder: URL, _ product: String = "oco2-v10", damage: [String] = [], extra: [String] = []) throws -> String {
    try Fixture.realFormat("lite.py", [folder.path, "--product", product] + damage.flatMap { ["--damage", $0] } + extra)
}

private func liteVariants(_ folder: URL, _ names: [String], product: String = "oco2-v10") throws -> [String: String] {
    try Fixture.realFormatVariants("lite.py", folder, names, ["--product", product])
}

private func expectError(_ path: String, variable: String, containing text: String,
                         sourceLocation: SourceLocation = #_sourceLocation) {
    do {
        _ = try LiteReader.read(path)
        Issue.record("\(path) was accepted", sourceLocation: sourceLocation)
    } catch {
        #expect(error.file == path && error.variable == variable, "\(error)", sourceLocation: sourceLocation)
        #expect(error.description.contains(text), "\(error)", sourceLocation: sourceLocation)
    }
}

extension ObservationsSuite {
    @Test func everyRealLiteProductReads() throws {
        let folder = try TestEnvironment.temporaryDirectory("lite-real")
        for product in ["oco2-v10", "oco2-v11", "acos-v9"] {
            let path = try lite(folder.appendingPathComponent(product), product)
            #expect(path.hasSuffix(".nc4"))
            let contents = try LiteReader.read(path)
            #expect(contents.rowCount == 8 && contents.soundings.count == 8 && contents.droppedInvalid == 0, "\(product): \(contents.dropReasons)")
            let first = try #require(contents.soundings.first)
            #expect(first.id == 2016_0701_0511_0000 + 1, "YYYYMMDDhhmmss, tenths, footprint: \(first.id)")
            #expect(first.time == ModelHour(year: 2016, month: 7, day: 1, hour: 5).secondsSince1970 + 660)
            #expect(abs(first.xco2 - 400) < 5 && first.uncertainty > 0.4 && first.uncertainty < 1.1)
            #expect(first.pressureLevels.count == 20 && first.pressureLevels.last! > 100_000 && first.pressureLevels.first! == Double(Float(0.1)) * 100)
            #expect(contents.soundings.map(\.landWaterIndicator) == [.land, .land, .land, .water, .land, .land, .land, .water])
            #expect(contents.soundings.map(\.surfaceType) == [.land, .land, .land, .water, .land, .land, .land, .water])
            if product == "acos-v9" {
                #expect(contents.soundings.map(\.gain) == ["M", "H", "H", "M", "H", "H", "M", "H"])
                #expect(contents.soundings.allSatisfy { $0.operationMode == nil })
            } else {
                #expect(contents.soundings.map(\.operationMode) == [.nadir, .glint, .nadir, .glint, .nadir, .glint, .nadir, .glint])
            }
        }
    }

    @Test func aFolderOfNc4FilesIsOneSourceAndAnEmptySourceFails() throws {
        let folder = try TestEnvironment.temporaryDirectory("lite-folder")
        try lite(folder, extra: ["--date", "2016-07-02"])
        try lite(folder, extra: ["--date", "2016-07-01"])
        try "not an observation file".write(to: folder.appendingPathComponent("README.txt"), atomically: true, encoding: .utf8)
        let files = try ObservationFiles.expand([folder.path], source: "observations.files")
        #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent }
                == ["oco2_LtCO2_160701_B10206Ar_210101000000s.nc4", "oco2_LtCO2_160702_B10206Ar_210101000000s.nc4"])
        let input = try LiteReader.readSource(files)
        #expect(input.files.count == 2 && input.soundings.count == 16 && input.droppedInvalid == 0)
        let july1 = ModelHour(year: 2016, month: 7, day: 1)
        let counts = try input.requireSoundings(source: "observations.files", grid: Fixture.grid, start: july1,
                                                end: july1.advanced(by: 24))
        #expect(counts.map(\.soundings) == [8, 0], "the second file's soundings are on 2 July")
        // Nothing in the period: the source is an error naming it.
        let later = ModelHour(year: 2017, month: 1, day: 1)
        let none = #expect(throws: ObservationError.self) {
            try input.requireSoundings(source: "observations.files", grid: Fixture.grid, start: later, end: later.advanced(by: 24))
        }
        #expect(none?.file == "observations.files" && none?.description.contains("none in the period") == true)
        // No file at all: an empty folder, a missing path, an empty list.
        let empty = try TestEnvironment.temporaryDirectory("lite-empty")
        let emptyFolder = #expect(throws: ObservationError.self) { try ObservationFiles.expand([empty.path], source: "observations.files") }
        #expect(emptyFolder?.description.contains("no *.nc or *.nc4 file") == true)
        let missing = #expect(throws: ObservationError.self) {
            try ObservationFiles.expand([empty.appendingPathComponent("gone").path], source: "observations.files")
        }
        #expect(missing?.description.contains("no such file or folder") == true)
        #expect(throws: ObservationError.self) { try ObservationFiles.expand([], source: "observations.files") }
    }

    @Test func oddValuesAreDroppedAndCountedNeverATrap() throws {
        let folder = try TestEnvironment.temporaryDirectory("lite-odd")
        let cases: [(String, String, Int)] = [
            ("time-1e30", "time: outside the plausible times 1900-2200", 1),
            ("time-fill", "time: fill value", 1),
            ("fill-value", "xco2: fill value", 1),
            ("default-fill", "xco2: fill value", 1),
            ("missing", "latitude: missing value", 1),
            ("nan", "xco2: not finite", 1),
        ]
        let files = try liteVariants(folder, cases.map(\.0) + ["float-codes"])
        for (damage, reason, count) in cases {
            let contents = try LiteReader.read(try #require(files[damage]))
            #expect(contents.dropReasons == [reason: count], "\(damage): \(contents.dropReasons)")
            #expect(contents.soundings.count == 8 - count)
        }
        // The selection report explains the first step's drops.
        let input = try LiteReader.readSource(cases.compactMap { files[$0.0] })
        let report = XCO2Selector.select(input, grid: Fixture.grid, options: XCO2SelectionOptions(instrument: .oco2)).report
        // (The variants share their sounding ids: 48 rows, 6 damaged, 34 identical repeats.)
        #expect(report.steps.first?.dropped == 40 && report.readDrops["xco2: fill value"] == 2)
        #expect(report.readDrops["sounding_id: identical duplicate"] == 34 && report.steps.first?.kept == 8)
        #expect(report.description.contains("      time: outside the plausible times 1900-2200: 1"), "\(report)")
        // Codes stored as float holding 1e20 and -3e38.
        let codes = try LiteReader.read(try #require(files["float-codes"]))
        #expect(codes.dropReasons == ["xco2_quality_flag: not a known code -128...255": 2], "\(codes.dropReasons)")
        #expect(codes.soundings.map(\.id).count == 6)
    }

    @Test func packingUnsignedTypesAndUnitsConvert() throws {
        let folder = try TestEnvironment.temporaryDirectory("lite-convert")
        let files = try liteVariants(folder, ["plain", "packed", "unsigned-ids", "mol-per-mol"])
        let plain = try LiteReader.read(try #require(files["plain"])).soundings
        let packed = try LiteReader.read(try #require(files["packed"]))
        #expect(packed.dropReasons == ["xco2_uncertainty: fill value": 1], "an unsigned _FillValue 255 stays 255")
        for (a, b) in zip(plain.filter { $0.id != plain[3].id }, packed.soundings) {
            #expect(abs(a.xco2 - b.xco2) <= 1e-4 && abs(a.uncertainty - b.uncertainty) <= 0.006, "\(a.xco2) \(b.xco2)")
        }
        let unsigned = try LiteReader.read(try #require(files["unsigned-ids"])).soundings
        #expect(unsigned == plain)
        let molar = try LiteReader.read(try #require(files["mol-per-mol"])).soundings
        #expect(molar.count == 8)
        for (a, b) in zip(plain, molar) {
            #expect(abs(a.xco2 - b.xco2) < 1e-3 && abs(a.aprioriProfile[10] - b.aprioriProfile[10]) < 1e-3, "4e-4 mol mol-1 is 400 ppm")
        }
    }

    @Test func wrongUnitsAndConflictingDuplicatesAreErrorsNamingFileAndVariable() throws {
        let folder = try TestEnvironment.temporaryDirectory("lite-wrong")
        let files = try liteVariants(folder, ["wrong-units", "no-units", "conflict", "duplicate", "plain"])
        expectError(try #require(files["wrong-units"]), variable: "xco2", containing: "not plausible")
        expectError(try #require(files["no-units"]), variable: "xco2", containing: "has no 'units' attribute")
        expectError(try #require(files["conflict"]), variable: "sounding_id", containing: "holds two different records")
        let duplicate = try LiteReader.read(try #require(files["duplicate"]))
        #expect(duplicate.soundings.count == 7 && duplicate.dropReasons == ["sounding_id: identical duplicate": 1])

        // Across files: a copy is dropped and counted, a different record under one id is an error.
        let original = try #require(files["plain"])
        let copies = URL(fileURLWithPath: original).deletingLastPathComponent()
        try FileManager.default.copyItem(atPath: original, toPath: copies.appendingPathComponent("copy.nc4").path)
        let input = try LiteReader.readSource(try ObservationFiles.expand([copies.path], source: "s"))
        #expect(input.soundings.count == 8 && input.dropReasons == ["sounding_id: identical duplicate": 8])
        let clash = folder.appendingPathComponent("clash")
        try lite(clash, extra: ["--name", "a.nc4"])
        try lite(clash, extra: ["--name", "b.nc4", "--lat", "36"])
        do {
            _ = try LiteReader.readSource(try ObservationFiles.expand([clash.path], source: "s"))
            Issue.record("conflicting soundings across files accepted")
        } catch {
            #expect(error.file.hasSuffix("b.nc4") && error.description.contains("a.nc4"), "\(error)")
        }
    }

    @Test func modeSelectionUsesTheLandWaterIndicator() throws {
        let folder = try TestEnvironment.temporaryDirectory("lite-modes")
        let oco2 = try LiteReader.read(try lite(folder.appendingPathComponent("oco2"))).soundings
        let selection = XCO2Selector.select(oco2, grid: Fixture.grid, options: XCO2SelectionOptions(instrument: .oco2))
        // Quality 0: rows 0, 2, 4, 6 (all land, nadir): all kept by the mode rule.
        #expect(selection.report.kept("quality flag 0") == 4 && selection.report.kept("land nadir + land glint") == 4)
        var water = oco2
        for index in water.indices { water[index].qualityFlag = 0 }
        let all = XCO2Selector.select(water, grid: Fixture.grid, options: XCO2SelectionOptions(instrument: .oco2))
        #expect(all.report.kept("land nadir + land glint") == 6, "rows 3 and 7 are water")
        var mixed = water
        mixed[0].landWaterIndicator = .mixed
        #expect(XCO2Selector.select(mixed, grid: Fixture.grid, options: XCO2SelectionOptions(instrument: .oco2))
            .report.kept("land nadir + land glint") == 5, "mixed footprints are not land")
    }
}
