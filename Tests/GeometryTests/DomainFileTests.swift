import ConfigFormat
import Foundation
import Geometry
import Testing
import TestSupport

@Suite struct DomainFileTests {
    func write(_ text: String) throws -> String {
        let folder = try TestEnvironment.temporaryDirectory("domain")
        try text.write(to: folder.appendingPathComponent("domain.yaml"), atomically: true, encoding: .utf8)
        return folder.path
    }

    let valid = """
        name: t
        projection: {type: lambert_conformal_conic, standard_parallel_1: 25, standard_parallel_2: 47,
                     latitude_of_projection_origin: 35, longitude_of_projection_origin_typo: 1}
        grid: {nx: 4, ny: 3, dx_m: 100000}
        layers: {interface_heights_m: [0, 100, 1000]}
        """

    @Test func errorsNameTheFileAndTheKey() throws {
        let unknown = #expect(throws: ConfigError.self) { try Domain.load(try write(valid)) }
        #expect(unknown?.key == "projection.longitude_of_projection_origin_typo" || unknown?.key == "projection.longitude_of_central_meridian")
        #expect(unknown?.file.hasSuffix("domain.yaml") == true)

        let badLayers = valid.replacingOccurrences(of: "longitude_of_projection_origin_typo", with: "longitude_of_central_meridian")
            .replacingOccurrences(of: "[0, 100, 1000]", with: "[0, 1000, 100]")
        let layers = #expect(throws: ConfigError.self) { try Domain.load(try write(badLayers)) }
        #expect(layers?.key == "layers.interface_heights_m")

        let badType = valid.replacingOccurrences(of: "nx: 4", with: "nx: four")
        #expect(throws: ConfigError.self) { try Domain.load(try write(badType)) }

        let missing = #expect(throws: ConfigError.self) { try Domain.load("/no/such/domain") }
        #expect(missing?.description.contains("/no/such/domain") == true)
        #expect(throws: ConfigError.self) { try Domain.load(try write("name: [unclosed\n")) }
        let mask = valid.replacingOccurrences(of: "longitude_of_projection_origin_typo", with: "longitude_of_central_meridian")
            + "\nmasks: {land_sea: nowhere.nc}\n"
        let maskError = #expect(throws: ConfigError.self) { try Domain.load(try write(mask)) }
        #expect(maskError?.key == "masks.land_sea")
    }

    @Test func aValidLambertDomainLoadsWithACentredDefaultOrigin() throws {
        let text = valid.replacingOccurrences(of: "longitude_of_projection_origin_typo", with: "longitude_of_central_meridian")
        let d = try Domain.load(try write(text))
        #expect(d.grid.xOrigin == -200_000 && d.grid.yOrigin == -150_000)
        #expect(d.layers.count == 2)
    }
}
