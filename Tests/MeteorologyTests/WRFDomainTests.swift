import Foundation
import Geometry
import Meteorology
import NetCDFIO
import Testing
import TestSupport

/// `rcas domain from-wrf`: the domain's cell centres are WRF's mass points,
/// its layers WRF's levels, its mask WRF's, for every supported projection.
@Suite struct WRFDomainTests {
    @Test(arguments: ["lambert", "polar", "mercator"])
    func domainIsWRFsGrid(projection: String) throws {
        let sample = try [ "lambert": WRFSample.lambert, "polar": WRFSample.polar, "mercator": WRFSample.mercator][projection]!()
        let domain = try sample.domain()
        let grid = domain.grid, path = sample.files[0]
        #expect(grid.nx == 20 && grid.ny == 16 && grid.dx == 30_000 && grid.projection.earthRadius == 6_370_000)

        // Cell centres equal XLAT/XLONG to 1e-4 degrees (float32 in the file: a few 1e-6).
        let latitude = try readVariable(path, "XLAT"), longitude = try readVariable(path, "XLONG")
        var worst = 0.0
        for j in 0..<grid.ny {
            for i in 0..<grid.nx {
                let centre = grid.center(i, j), n = j * grid.nx + i
                worst = max(worst, abs(centre.latitude - latitude[n]), abs(remainder(centre.longitude - longitude[n], 360)))
            }
        }
        #expect(worst < 1e-5, "\(projection): \(worst)")

        // The transport's face lengths dy/m and dx/m use WRF's map factors on u and v points.
        let faces = FaceGeometry(grid: grid)
        let mapU = try readVariable(path, "MAPFAC_U"), mapV = try readVariable(path, "MAPFAC_V")
        for n in 0..<faces.xFaceLength.count { #expect(abs(faces.xFaceLength[n] * mapU[n] / grid.dy - 1) < 1e-5) }
        for n in 0..<faces.yFaceLength.count { #expect(abs(faces.yFaceLength[n] * mapV[n] / grid.dx - 1) < 1e-5) }

        // Layers: every full level, at the domain-mean height above ground, with its eta.
        let nz = sample.truth.eta.count - 1, cells = grid.nx * grid.ny
        #expect(domain.layers.count == nz)
        #expect(domain.layers.wrfEtaInterfaces?.count == nz + 1)
        for k in 0...nz {
            #expect(abs(domain.layers.wrfEtaInterfaces![k] - sample.truth.eta[k]) < 1e-6)
            let height = sample.truth.times[0].height
            let mean = (0..<cells).map { height[k * cells + $0] }.reduce(0, +) / Double(cells)
            #expect(abs(domain.layers.interfaceHeights[k] - mean) < 0.06, "level \(k)")
        }

        // The land/sea mask is WRF's.
        let land = try landFractionOfMask(domain)
        let expected: [Double] = switch projection {
        case "lambert": try readVariable(path, "LANDMASK")
        case "polar": try readVariable(path, "XLAND").prefix(land.count).map { 2 - $0 }
        default: try readVariable(path, "LU_INDEX").map { $0 == 17 ? 0 : 1 }
        }
        #expect(land == expected && land.contains(0) && land.contains(1))
    }

    @Test func chosenLevelsBecomeTheInterfacesAndBadChoicesAreRefused() throws {
        let sample = try WRFSample.lambert()
        let domain = try sample.domain(interfaces: [0, 2, 4, 7, 9])
        #expect(domain.layers.count == 4)
        #expect(domain.layers.wrfEtaInterfaces!.enumerated().allSatisfy { l, eta in
            abs(eta - sample.truth.eta[[0, 2, 4, 7, 9][l]]) < 1e-6
        })
        for levels in [[1, 2, 3], [0, 3, 2], [0, 11], [0]] {
            let text = thrownText { _ = try WRFDomain(wrfout: sample.files[0], interfaceLevels: levels) }
            #expect(text.contains(sample.files[0]) && text.contains("WRF full levels 0"), "\(levels): \(text)")
        }
        // An existing domain.yaml is not replaced.
        let folder = sample.directory.appendingPathComponent("twice").path
        try WRFDomain(wrfout: sample.files[0]).write(to: folder)
        #expect(thrownText { try WRFDomain(wrfout: sample.files[0]).write(to: folder) }.contains("exists already"))
    }

    @Test func unsupportedProjectionsAndBrokenGridsAreNamed() throws {
        #expect(!FileManager.default.fileExists(atPath: try WRFSample.withGap().domainFolderWithoutMask()))
        let sample = try WRFSample.lambert().copy(label: "wrf-unsupported")
        let path = sample.files[0]
        func setGlobal(_ name: String, _ value: NetCDFAttribute) throws {
            let file = try NetCDFFile.open(path, writable: true)
            try file.root.setAttribute(name, value)
            try file.commit()
        }
        try overwrite(path, "MAPFAC_U", at: [0, 2, 3], with: 1.5)
        let factor = thrownText { _ = try WRFDomain(wrfout: path) }
        #expect(factor.contains("'MAPFAC_U'") && factor.contains("(i, j) = (3, 2)") && factor.contains("map factor 1.5"), "\(factor)")
        try setGlobal("MAP_PROJ", .int32s([6]))
        let latLon = thrownText { _ = try WRFDomain(wrfout: path) }
        #expect(latLon.contains("'MAP_PROJ'") && latLon.contains("MAP_PROJ = 6") && latLon.contains("not supported"))
        try setGlobal("MAP_PROJ", .int32s([2]))
        try setGlobal("TRUELAT1", .floats([-60]))
        #expect(thrownText { _ = try WRFDomain(wrfout: path) }.contains("southern-hemisphere"))
        // A projection that does not fit the mass points (wrong true latitude) is refused.
        try setGlobal("MAP_PROJ", .int32s([1]))
        try setGlobal("TRUELAT1", .floats([45]))
        let misfit = thrownText { _ = try WRFDomain(wrfout: path) }
        #expect(misfit.contains("'XLAT'") && misfit.contains("not a regular grid"), "\(misfit)")
    }

    @Test func commandLineWritesTheDomain() throws {
        let sample = try WRFSample.polar()
        let folder = try TestEnvironment.temporaryDirectory("wrf-cli").appendingPathComponent("domain").path
        let made = try TestEnvironment.rcas(["domain", "from-wrf", sample.files[0], "--output", folder,
                                             "--interfaces", "0,1,2,4,6,10", "--name", "polar-test"])
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("domain polar-test, 20 x 16 cells") && made.stdout.contains("5 layers")
                && made.stdout.contains("land_sea_mask.nc from XLAND"))
        let domain = try Domain.load(folder)
        #expect(domain.maskFiles["land_sea"] != nil && domain.layers.count == 5)
        let again = try TestEnvironment.rcas(["domain", "from-wrf", sample.files[0], "--output", folder])
        #expect(again.status != 0 && again.stderr.contains("exists already"))
        let bad = try TestEnvironment.rcas(["domain", "from-wrf", sample.files[0], "--output", folder + "2", "--interfaces", "0,x"])
        #expect(bad.status != 0 && bad.stderr.contains("--interfaces"))
        let missing = try TestEnvironment.rcas(["domain", "from-wrf", "/no/such/wrfout", "--output", folder + "3"])
        #expect(missing.status != 0 && missing.stderr.contains("/no/such/wrfout"))
    }
}

extension WRFSample {
    /// Writes the domain of a maskless sample and returns where its mask would be.
    func domainFolderWithoutMask() throws -> String {
        let folder = directory.appendingPathComponent("no-mask-\(UUID().uuidString.prefix(6))")
        try WRFDomain(wrfout: files[0]).write(to: folder.path)
        #expect(try Domain.load(folder.path).maskFiles.isEmpty)
        return folder.appendingPathComponent(WRFDomain.maskFileName).path
    }
}

/// The land fraction of a domain's mask file.
func landFractionOfMask(_ domain: Domain) throws -> [Double] {
    guard let path = domain.maskFiles["land_sea"] else { throw WRFWriterFailure(description: "domain has no land_sea mask") }
    return try readVariable(path, "land_fraction")
}
