@testable import Evaluation
import Foundation
import Geometry
import NetCDFIO
import TestSupport
import Testing

/// The committed province masks of the domains (Domains/tools/make_province_masks.py).
@Suite struct ProvinceMaskTests {
    static let domains = ["china-64km", "test-small"]

    /// Total areas of the provincial-level divisions of at least 100 000 km² (km²) as each
    /// provincial government reports them, collected in Wikipedia's "List of Chinese administrative
    /// divisions by area" (cited in Docs/evaluation.md).
    static let referenceArea: [String: Double] = [
        "xinjiang": 1_664_900, "tibet": 1_228_400, "inner_mongolia": 1_183_000, "qinghai": 722_300,
        "sichuan": 486_100, "heilongjiang": 454_800, "gansu": 425_800, "yunnan": 394_100, "guangxi": 237_600,
        "hunan": 211_800, "shaanxi": 205_800, "hebei": 188_800, "jilin": 187_400, "hubei": 185_900,
        "guangdong": 179_700, "guizhou": 176_200, "henan": 167_000, "jiangxi": 166_900, "shandong": 157_100,
        "shanxi": 156_700, "liaoning": 148_400, "anhui": 139_400, "fujian": 123_900, "jiangsu": 102_600,
        "zhejiang": 101_800,
    ]

    static func load(_ name: String) throws -> (domain: Domain, masks: ProvinceMasks, land: [Double]) {
        let domain = try Domain.load(TestEnvironment.packageRoot.appendingPathComponent("Domains/\(name)").path)
        let grid = domain.grid
        let centres = grid.centers()
        let lat = centres.map(\.latitude), lon = centres.map(\.longitude)
        let path = try #require(domain.maskFiles[ProvinceMasks.maskName], "domain \(name) lists no provinces mask")
        let masks = try ProvinceMasks.read(path: path, ny: grid.ny, nx: grid.nx, centres: (lat, lon))
        let land = try MaskReader.read(path: domain.maskFiles["land_sea"]!, variable: "land_fraction",
                                       ny: grid.ny, nx: grid.nx, centres: (lat, lon))
        return (domain, masks, land)
    }

    @Test(arguments: domains) func provincesAddUpToTheLandFractionOfTheCellsTheyCover(_ name: String) throws {
        let (_, masks, land) = try Self.load(name)
        #expect(masks.names.count == 34)
        #expect(Set(masks.codes).count == 34)
        var covered = 0
        for cell in land.indices {
            let provinces = masks.fractions.reduce(0) { $0 + $1[cell] }
            // No cell holds more province land than land.
            #expect(provinces <= land[cell] + 0.01, "cell \(cell): provinces \(provinces), land \(land[cell])")
            // A cell with no foreign or unassigned land is Chinese land and sea only.
            if provinces > 0, masks.foreignLandFraction[cell] == 0, masks.unassignedLandFraction[cell] == 0 {
                covered += 1
                #expect(abs(provinces - land[cell]) <= 0.01, "cell \(cell): provinces \(provinces), land \(land[cell])")
            }
        }
        #expect(covered > (name == "china-64km" ? 2000 : 100), "only \(covered) cells wholly Chinese land and sea")
    }

    @Test(arguments: domains) func largeProvincesHaveTheirKnownAreaOnTheGrid(_ name: String) throws {
        let (domain, masks, _) = try Self.load(name)
        let areas = domain.grid.cellAreas()
        var checked: [String] = []
        for (p, province) in masks.names.enumerated() {
            guard let reference = Self.referenceArea[province], masks.fractionInsideDomain[p] >= 0.999 else { continue }
            let onGrid = zip(masks.fractions[p], areas).reduce(0) { $0 + $1.0 * $1.1 } / 1e6
            #expect(abs(onGrid - reference) <= 0.1 * reference, "\(province): \(onGrid) km² on the grid, \(reference) km² known")
            checked.append(province)
        }
        // Only Xinjiang and Tibet reach beyond china-64km; test-small also cuts Heilongjiang.
        #expect(checked.count >= (name == "china-64km" ? 23 : 21), "\(checked)")
    }

    @Test func landOnlyRegionsAreBoxesTimesLandFraction() {
        let centres = [GeoPoint(latitude: 40, longitude: 95), GeoPoint(latitude: 45, longitude: 110),
                       GeoPoint(latitude: 10, longitude: 150)]
        let regions = RegionSet.chinaRegionsOnLand(centres: centres, landFraction: [0.25, 1, 0.5])
        #expect(regions.map(\.name) == ["west_china_land", "north_china_land", "central_china_land", "south_china_land"])
        #expect(regions.allSatisfy { $0.kind == .chinaRegionLand })
        #expect(regions[0].weights == [0.25, 0, 0])
        #expect(regions[1].weights == [0, 1, 0])
        #expect(regions[2].weights == [0, 0, 0] && regions[3].weights == [0, 0, 0])
    }

    /// Writes a one-province mask file on the test grid with `fraction` in every cell;
    /// `omit` leaves a variable out.
    static func writeMask(_ path: String, fraction: Double, omit: String? = nil) throws {
        let grid = Fixture.grid
        let cells = grid.nx * grid.ny
        let file = try NetCDFFile.create(path)
        let root = file.root
        try root.addDimension("y", length: grid.ny)
        try root.addDimension("x", length: grid.nx)
        try root.addDimension("province", length: 1)
        try root.addDimension("name_strlen", length: 5)
        if omit != "province_name" {
            try root.addVariable("province_name", type: .char, dimensions: ["province", "name_strlen"])
                .writeCharacterRows(["anhui"], start: 0, width: 5)
        }
        for (name, value) in [("province_code", 340000.0), ("polygon_area", 140205), ("fraction_inside_domain", 1)]
            where name != omit {
            try root.addVariable(name, type: .double, dimensions: ["province"]).write([value])
        }
        try root.addVariable("province_fraction", type: .double, dimensions: ["province", "y", "x"])
            .write([Double](repeating: fraction, count: cells))
        for name in ["foreign_land_fraction", "unassigned_land_fraction"] {
            try root.addVariable(name, type: .double, dimensions: ["y", "x"]).write([Double](repeating: 0, count: cells))
        }
        try file.commit()
    }

    @Test func badMaskFilesAreRefusedNamingTheVariable() throws {
        let dir = try TestEnvironment.temporaryDirectory("province-masks")
        let grid = Fixture.grid
        let good = dir.appendingPathComponent("good.nc").path
        try Self.writeMask(good, fraction: 0.5)
        let masks = try ProvinceMasks.read(path: good, ny: grid.ny, nx: grid.nx)
        #expect(masks.names == ["anhui"] && masks.codes == [340000] && masks.regions[0].weights.allSatisfy { $0 == 0.5 })

        for (file, fraction, omit, variable) in [("above-one.nc", 1.5, nil, "province_fraction"),
                                                 ("nan.nc", Double.nan, nil, "province_fraction"),
                                                 ("no-names.nc", 0.5, "province_name", "province_name"),
                                                 ("no-area.nc", 0.5, "polygon_area", "polygon_area")] {
            let path = dir.appendingPathComponent(file).path
            try Self.writeMask(path, fraction: fraction, omit: omit)
            let error = #expect(throws: NetCDFError.self) { try ProvinceMasks.read(path: path, ny: grid.ny, nx: grid.nx) }
            #expect(error?.description.contains(path) == true && error?.description.contains("'\(variable)'") == true,
                    "\(String(describing: error))")
        }
        let error = #expect(throws: NetCDFError.self) { try ProvinceMasks.read(path: good, ny: grid.ny + 1, nx: grid.nx) }
        #expect(error?.description.contains("province_fraction") == true)
    }
}
