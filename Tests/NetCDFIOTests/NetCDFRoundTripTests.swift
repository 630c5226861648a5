import Foundation
import NetCDFIO
import Testing
import TestSupport

@Suite struct NetCDFRoundTripTests {
    let folder: URL
    init() throws { folder = try TestEnvironment.temporaryDirectory("netcdf") }

    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    @Test func everyTypeAttributeAndGroupRoundTrips() throws {
        let file = try NetCDFFile.create(path("types.nc"))
        let root = file.root
        try root.addDimension("time", length: nil)
        try root.addDimension("n", length: 3)
        try root.setAttribute("title", .text("round trip é"))
        try root.setAttribute("numbers", .doubles([1.5, -2]))
        try root.addVariable("d", type: .double, dimensions: ["n"]).write([1.25, -3.5, 1e300])
        try root.addVariable("f", type: .float, dimensions: ["n"]).write([Float(1.5), 2.25, -0])
        try root.addVariable("i32", type: .int32, dimensions: ["n"]).write([Int32.min, 0, Int32.max])
        try root.addVariable("i64", type: .int64, dimensions: ["n"]).write([Int64.min, 1 << 40, Int64.max])
        try root.addVariable("i8", type: .int8, dimensions: ["n"]).write([Int8(-128), 0, 127])
        try root.addVariable("u8", type: .uint8, dimensions: ["n"]).write([UInt8(0), 128, 255])
        try root.addVariable("s", type: .string, dimensions: ["n"]).writeStrings(["alpha", "", "γ-ray"])
        let series = try root.addVariable("series", type: .double, dimensions: ["time", "n"], deflateLevel: 4)
        try series.setAttribute("units", .text("ppm"))
        try series.setAttribute("valid_range", .floats([0, 1000]))
        try series.setAttribute("flag_values", .int8s([0, 1]))
        try series.setAttribute("counts", .int32s([7]))
        try series.setAttribute("big", .int64s([1 << 40]))
        try series.write([1, 2, 3], start: [0, 0], count: [1, 3])
        try series.write([4, 5, 6, 7, 8, 9], start: [1, 0], count: [2, 3])
        let group = try root.addGroup("Retrieval")
        try group.addDimension("levels", length: 2)
        try group.setAttribute("note", .text("inner"))
        try group.addVariable("p", type: .float, dimensions: ["n", "levels"]).write([Float](repeating: 5, count: 6))
        try file.commit()

        let back = try NetCDFFile.open(path("types.nc"))
        let r = back.root
        #expect(try r.attribute("title") == .text("round trip é"))
        #expect(try r.attribute("numbers") == .doubles([1.5, -2]))
        #expect(try r.attribute("absent") == nil)
        #expect(try r.variable("d").read(Double.self) == [1.25, -3.5, 1e300])
        #expect(try r.variable("f").read(Float.self) == [1.5, 2.25, 0])
        #expect(try r.variable("i32").read(Int32.self) == [Int32.min, 0, Int32.max])
        #expect(try r.variable("i64").read(Int64.self) == [Int64.min, 1 << 40, Int64.max])
        #expect(try r.variable("i8").read(Int8.self) == [-128, 0, 127])
        #expect(try r.variable("u8").read(UInt8.self) == [0, 128, 255])
        #expect(try r.variable("s").readStrings() == ["alpha", "", "γ-ray"])
        #expect(try r.variable("s").type() == .string)
        let s = try r.variable("series")
        #expect(try s.shape() == [3, 3])
        #expect(try s.dimensionNames() == ["time", "n"])
        #expect(try r.dimensionLength("time") == 3)
        #expect(try s.read(Double.self) == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(try s.read(Double.self, start: [1, 1], count: [2, 2]) == [5, 6, 8, 9])
        #expect(try s.read(Float.self, start: [2, 0], count: [1, 3]) == [7, 8, 9])
        #expect(try s.attribute("units")?.text == "ppm")
        #expect(try s.attribute("valid_range") == .floats([0, 1000]))
        #expect(try s.attribute("flag_values") == .int8s([0, 1]))
        #expect(try s.attribute("counts") == .int32s([7]))
        #expect(try s.attribute("big") == .int64s([1 << 40]))
        #expect(try s.attributeNames() == ["units", "valid_range", "flag_values", "counts", "big"])
        #expect(try r.groupNames() == ["Retrieval"])
        #expect(try r.group("Retrieval").attribute("note") == .text("inner"))
        #expect(try r.variable("Retrieval/p").read(Float.self) == [Float](repeating: 5, count: 6))
        #expect(r.hasVariable("Retrieval/p") && !r.hasVariable("Retrieval/q"))
        #expect(try r.variableNames() == ["d", "f", "i32", "i64", "i8", "u8", "s", "series"])
        #expect(try r.dimensionNames() == ["time", "n"])
    }

    @Test func errorsNameTheFileAndTheVariable() throws {
        let file = try NetCDFFile.create(path("errors.nc"))
        try file.root.addDimension("n", length: 2)
        try file.root.addVariable("xco2", type: .double, dimensions: ["n"]).write([1, 2])
        try file.commit()
        let back = try NetCDFFile.open(path("errors.nc"))
        do {
            _ = try back.root.variable("xco2_uncertainty")
            Issue.record("a missing variable must throw")
        } catch {
            #expect(error.path == path("errors.nc"))
            #expect(error.object == "xco2_uncertainty")
            #expect(error.description.contains("errors.nc") && error.description.contains("xco2_uncertainty"))
            #expect(error.description.contains("not found"))
        }
        let wrongSize = #expect(throws: NetCDFError.self) {
            try back.root.variable("xco2").read(Double.self, start: [1], count: [5])
        }
        #expect(wrongSize?.description.contains("xco2") == true)
        #expect(wrongSize?.status != nil, "the NetCDF library's own message is reported")
        let missing = #expect(throws: NetCDFError.self) { try NetCDFFile.open(path("absent.nc")) }
        #expect(missing?.description.contains("absent.nc: ") == true)
        #expect(missing?.message == "no such file")
    }

    @Test func aTruncatedFileIsAnErrorNotACrash() throws {
        let file = try NetCDFFile.create(path("whole.nc"))
        try file.root.addDimension("n", length: 1000)
        try file.root.addVariable("v", type: .double, dimensions: ["n"]).write([Double](repeating: 1, count: 1000))
        try file.commit()
        let data = try Data(contentsOf: URL(fileURLWithPath: path("whole.nc")))
        try data.prefix(data.count / 3).write(to: URL(fileURLWithPath: path("cut.nc")))
        let error = #expect(throws: NetCDFError.self) {
            let cut = try NetCDFFile.open(path("cut.nc"))
            _ = try cut.root.variable("v").read(Double.self)
        }
        #expect(error?.path == path("cut.nc"))
    }

    @Test func writesAreAtomic() throws {
        let target = path("atomic.nc")
        let file = try NetCDFFile.create(target)
        try file.root.addDimension("n", length: 1)
        try file.root.addVariable("v", type: .double, dimensions: ["n"]).write([42])
        #expect(!FileManager.default.fileExists(atPath: target), "nothing at the final name before commit")
        try file.commit()
        #expect(try NetCDFFile.open(target).root.variable("v").read(Double.self) == [42])

        // A second write that is abandoned leaves the committed file untouched
        // and no temporary file behind.
        let abandoned = try NetCDFFile.create(target)
        try abandoned.root.addDimension("n", length: 1)
        try abandoned.root.addVariable("v", type: .double, dimensions: ["n"]).write([7])
        abandoned.close()
        #expect(try NetCDFFile.open(target).root.variable("v").read(Double.self) == [42])
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("partial") }.isEmpty)

        let missingFolder = #expect(throws: NetCDFError.self) { try NetCDFFile.create(path("no/such/dir.nc")) }
        #expect(missingFolder?.message.contains("does not exist") == true)
    }

    /// A file kept as the spare of its successor, rewritten in place, and
    /// the names exchanged on commit: the final name always holds a complete
    /// file, and an abandoned rewrite leaves that file as it was.
    @Test func aSpareIsRewrittenInPlaceAndExchangedOnCommit() throws {
        let target = path("kept.nc"), spare = path(".kept.nc.spare")
        func write(_ file: NetCDFFile, _ value: Double, defining: Bool) throws {
            if defining {
                try file.root.addDimension("n", length: 2)
                try file.root.addVariable("v", type: .double, dimensions: ["n"], prefilled: false).write([value, value])
            } else {
                try file.root.variable("v").write([value, value])
            }
            try file.commit()
        }
        func value(_ path: String) throws -> [Double] { try NetCDFFile.open(path).root.variable("v").read(Double.self) }
        try write(try NetCDFFile.create(target, keepingPreviousAs: spare), 1, defining: true)
        #expect(!FileManager.default.fileExists(atPath: spare), "nothing to keep the first time")
        try write(try NetCDFFile.create(target, keepingPreviousAs: spare), 2, defining: true)
        #expect(try value(target) == [2, 2])
        #expect(try value(spare) == [1, 1], "the previous file became the spare")

        var status = stat()
        stat(spare, &status)
        let spareInode = status.st_ino
        try write(try NetCDFFile.rewrite(spare, as: target), 3, defining: false)
        stat(target, &status)
        #expect(status.st_ino == spareInode, "the spare itself now holds the new values")
        #expect(try value(target) == [3, 3])
        #expect(try value(spare) == [2, 2])

        let abandoned = try NetCDFFile.rewrite(spare, as: target)
        try abandoned.root.variable("v").write([9, 9])
        abandoned.close()
        #expect(try value(target) == [3, 3], "an abandoned rewrite leaves the final name alone")
        #expect(!FileManager.default.fileExists(atPath: spare))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.contains("partial") }.isEmpty)
        #expect(throws: NetCDFError.self) { try NetCDFFile.rewrite(spare, as: target) }
    }
}
