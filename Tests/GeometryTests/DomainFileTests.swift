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

/// The printer beside the parser: a printed domain loads back to the same
/// projection, grid and layers, for every projection and layer kind.
@Suite struct DomainPrintingTests {
    func folder(_ node: ConfigNode, header: String = "") throws -> String {
        let folder = try TestEnvironment.temporaryDirectory("domain-print")
        try (header + node.yaml).write(to: folder.appendingPathComponent("domain.yaml"), atomically: true, encoding: .utf8)
        return folder.path
    }

    @Test func printedDomainsLoadBackEqual() throws {
        let kinds: [Projection.Kind] = [
            .obliqueStereographic(latitudeOfOrigin: 35, longitudeOfOrigin: 116, scaleFactor: 0.9996),
            .northPolarStereographic(standardParallel: 60, centralLongitude: -105),
            .lambertConformal(standardParallel1: 30, standardParallel2: 60.123456789, latitudeOfOrigin: 38.5,
                              centralLongitude: -97.000001),
            .mercator(standardParallel: 22.5, centralLongitude: 113.25),
        ]
        let layerChoices = [
            VerticalLayers(interfaceHeights: [0, 52.3456789, 160.1, 5000.25],
                           wrfEtaInterfaces: [1, 0.9935000061988831, 0.9789999723434448, 0.5]),
            VerticalLayers(interfaceHeights: [0, 100, 1000]),
            VerticalLayers(sigmaInterfaces: [1, 0.995, 0.98, 0.5, 0], topPressure: 5000),
        ]
        for (n, kind) in kinds.enumerated() {
            let grid = HorizontalGrid(projection: Projection(kind, earthRadius: 6_370_000), nx: 20, ny: 16, dx: 27_000,
                                      dy: 27_000, xOrigin: -270_000.123456789, yOrigin: 1_234_567.891)
            let layers = layerChoices[n % layerChoices.count]
            let node = Domain.configNode(name: "wrf d01", summary: "made: from a \"test\"", grid: grid, layers: layers)
            let loaded = try Domain.load(try folder(node, header: "# a comment line\n"))
            #expect(loaded.grid == grid, "\(kind)")
            #expect(loaded.layers == layers)
            #expect(loaded.name == "wrf d01" && loaded.summary == "made: from a \"test\"")
        }
    }

    @Test func etaInterfacesAreChecked() throws {
        func load(_ eta: String) -> ConfigError? {
            let text = """
                name: t
                projection: {type: mercator, standard_parallel: 10, longitude_of_projection_origin: 100}
                grid: {nx: 4, ny: 3, dx_m: 100000}
                layers: {interface_heights_m: [0, 100, 1000], wrf_eta_interfaces: \(eta)}
                """
            do {
                let folder = try TestEnvironment.temporaryDirectory("domain-eta")
                try text.write(to: folder.appendingPathComponent("domain.yaml"), atomically: true, encoding: .utf8)
                _ = try Domain.load(folder.path)
            } catch let error as ConfigError { return error } catch { return nil }
            return nil
        }
        #expect(load("[1, 0.9, 0.5]") == nil)
        #expect(load("[1, 0.9]")?.key == "layers.wrf_eta_interfaces")
        #expect(load("[1, 0.5, 0.9]")?.message.contains("decrease strictly") == true)
        #expect(load("[0.99, 0.9, 0.5]")?.message.contains("start at 1") == true)
    }
}
