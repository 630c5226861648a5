@testable import Evaluation
import Foundation
import Geometry
import NetCDFIO
import TestSupport
import Testing

@Suite struct RegionTests {
    @Test func boxesPickCellsByCentre() {
        let centres = [GeoPoint(latitude: 40, longitude: 95),     // west China
                       GeoPoint(latitude: 45, longitude: 110),    // north China
                       GeoPoint(latitude: 33, longitude: 110),    // central China and Qinling
                       GeoPoint(latitude: 21.5, longitude: 101),  // Xishuangbanna
                       GeoPoint(latitude: 28, longitude: 85),     // west China's corner (edges included)
                       GeoPoint(latitude: 10, longitude: 150)]    // none
        let regions = RegionSet.seed000(centres: centres).regions
        func members(_ name: String) -> [Int] {
            let r = regions.first { $0.name == name }!
            return r.weights.indices.filter { r.weights[$0] > 0 }
        }
        #expect(regions.count == 11)
        #expect(members("domain") == [0, 1, 2, 3, 4, 5])
        #expect(members("west_china") == [0, 4])
        #expect(members("north_china") == [1])
        #expect(members("central_china") == [2])
        #expect(members("qinling") == [2])
        #expect(members("south_china") == [])
        #expect(members("xishuangbanna") == [3])
        #expect(members("mount_wuyi") == [])
    }

    @Test func seed000OnTheTestGrid() {
        let grid = Fixture.grid
        let centres = grid.centers()
        for region in RegionSet.seed000(grid: grid).regions where region.kind == .chinaRegion {
            let box = RegionSet.chinaRegionBoxes.first { $0.name == region.name }!
            #expect(region.cellCount > 0)
            for n in centres.indices { #expect((region.weights[n] == 1) == box.contains(centres[n])) }
        }
    }

    @Test func maskFileIsCheckedAndRead() throws {
        let dir = try TestEnvironment.temporaryDirectory("evaluation-mask")
        let path = dir.appendingPathComponent("mask.nc").path
        let file = try NetCDFFile.create(path)
        try file.root.addDimension("y", length: 2)
        try file.root.addDimension("x", length: 3)
        try file.root.addVariable("basin", type: .double, dimensions: ["y", "x"]).write([0, 1, 0.5, 1, 0, 0] as [Double])
        try file.root.addVariable("bad", type: .double, dimensions: ["y", "x"]).write([0, 1, 2, 1, 0, .nan] as [Double])
        try file.commit()
        #expect(try MaskReader.read(path: path, variable: "basin", ny: 2, nx: 3) == [0, 1, 0.5, 1, 0, 0])

        func message(_ body: () throws -> Void) -> String {
            do { try body() } catch { return "\(error)" }
            return ""
        }
        let range = message { _ = try MaskReader.read(path: path, variable: "bad", ny: 2, nx: 3) }
        #expect(range.contains(path) && range.contains("'bad'") && range.contains("not in [0, 1]"))
        let shape = message { _ = try MaskReader.read(path: path, variable: "basin", ny: 3, nx: 2) }
        #expect(shape.contains("'basin'") && shape.contains("shape"))
        let missing = message { _ = try MaskReader.read(path: path, variable: "nothing", ny: 2, nx: 3) }
        #expect(missing.contains("'nothing'") && missing.contains("missing"))
    }
}
