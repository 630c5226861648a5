import Foundation
import NetCDFIO
import Testing
import TestSupport

/// The `rcas domain` commands, run as a user would run them.
@Suite struct DomainCommandTests {
    let china = TestEnvironment.packageRoot.appendingPathComponent("Domains/china-64km").path

    @Test func versionPrints() throws {
        let result = try TestEnvironment.rcas(["version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("rcas "))
    }

    /// Help is printed by the argument parser and exits 0 (it once went
    /// through the failure path and printed the parser's internal error).
    @Test(arguments: [["--help"], ["help"], ["run", "--help"], ["help", "synthesis"]])
    func helpPrintsUsage(arguments: [String]) throws {
        let result = try TestEnvironment.rcas(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("USAGE: rcas"), "\(result.stdout)")
        #expect(!result.stdout.contains("CommandError") && !result.stderr.contains("CommandError"))
    }

    @Test func infoSummarisesChina64km() throws {
        let result = try TestEnvironment.rcas(["domain", "info", china])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("105 x 86 columns"))
        #expect(result.stdout.contains("6720 km x 5504 km"))
        #expect(result.stdout.contains("8.182°N 87.713°E"))
        #expect(result.stdout.contains("15 to 23.0 km"))
    }

    @Test func gridFileHasCFGridMappingAndTheRightShape() throws {
        let folder = try TestEnvironment.temporaryDirectory("grid")
        let output = folder.appendingPathComponent("grid.nc").path
        let result = try TestEnvironment.rcas(["domain", "grid", china, "--output", output])
        #expect(result.status == 0, "\(result.stderr)")
        let header = try TestEnvironment.run("/usr/bin/env", ["ncdump", "-h", output])
        #expect(header.status == 0)
        for line in ["x = 105 ;", "y = 86 ;", "double lat(y, x) ;", "double lon(y, x) ;", "double cell_area(y, x) ;",
                     "crs:grid_mapping_name = \"stereographic\" ;", "crs:latitude_of_projection_origin = 35. ;",
                     "crs:longitude_of_projection_origin = 116. ;", "crs:earth_radius = 6370000. ;",
                     ":Conventions = \"CF-1.8\" ;", "cell_area:grid_mapping = \"crs\" ;"] {
            #expect(header.stdout.contains(line), "ncdump -h lacks \(line)")
        }
        let file = try NetCDFFile.open(output)
        let lat = try file.root.variable("lat").read(Double.self)
        #expect(lat.count == 105 * 86)
        #expect(abs(lat[0] - 8.182) < 1e-3)
    }

    @Test func badDomainsFailWithAClearMessageAndWriteNothing() throws {
        let folder = try TestEnvironment.temporaryDirectory("bad-domain")
        let output = folder.appendingPathComponent("grid.nc").path
        let missing = try TestEnvironment.rcas(["domain", "grid", "/no/such/domain", "--output", output])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/no/such/domain") && missing.stderr.contains("does not exist"), "\(missing.stderr)")

        let broken = folder.appendingPathComponent("broken")
        try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
        try "name: broken\nprojection: {type: transverse_mercator}\n".write(
            to: broken.appendingPathComponent("domain.yaml"), atomically: true, encoding: .utf8)
        let malformed = try TestEnvironment.rcas(["domain", "grid", broken.path, "--output", output])
        #expect(malformed.status != 0)
        #expect(malformed.stderr.contains("projection.type"), "\(malformed.stderr)")
        let info = try TestEnvironment.rcas(["domain", "info", broken.path])
        #expect(info.status != 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["broken"])
    }
}
