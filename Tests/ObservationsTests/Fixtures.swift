import CFOutput
import Foundation
import Geometry
import ModelTime
import NetCDFIO
@testable import Observations
import TestSupport
import Testing

/// Shared test inputs: the small test domain, analytic model fields and
/// hand-made soundings.
enum Fixture {
    static let domain: Domain = try! Domain.load(TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path)
    static var grid: HorizontalGrid { domain.grid }
    static var layers: VerticalLayers { domain.layers }
    static let hour = ModelHour(year: 2016, month: 7, day: 1, hour: 5)

    /// Layer mid pressure of an exponential atmosphere with an 8 km scale height.
    static func pressure(height z: Double, surface: Double = 101_325) -> Double { surface * exp(-z / 8000) }

    /// Fields [k][j][i] from a function of (i, j, k).
    static func field(_ f: (Int, Int, Int) -> Double) -> [Double] {
        var values: [Double] = []
        for k in 0..<layers.count { for j in 0..<grid.ny { for i in 0..<grid.nx { values.append(f(i, j, k)) } } }
        return values
    }

    /// A one-hour ensemble whose members are given by `co2(member, i, j, k)`.
    static func sampler(members: Int = 1, co2: (Int, Int, Int, Int) -> Double,
                        water: Double = 0) -> GriddedEnsembleSampler {
        GriddedEnsembleSampler(grid: grid, layers: layers, hour: hour,
                               co2: (0..<members).map { m in field { co2(m, $0, $1, $2) } },
                               pressure: field { _, _, k in pressure(height: layers.midHeight(k)) },
                               waterVapour: field { _, _, k in water * exp(-layers.midHeight(k) / 2000) })
    }

    /// A sounding at `point` with the synthetic product's levels, kernel and
    /// a priori for a surface pressure of 101 325 Pa.
    static func sounding(id: Int64 = 1, at point: GeoPoint = GeoPoint(latitude: 35, longitude: 116),
                         time: Double? = nil, xco2: Double = 400, uncertainty: Double = 0.8, flag: Int = 0,
                         surface: SurfaceType = .land, mode: OperationMode? = .nadir) -> XCO2Sounding {
        let levels = SyntheticObservationGenerator.retrievalLevels(surfacePressure: 101_325)
        let weights = SyntheticObservationGenerator.pressureWeights(levels: levels, waterVapour: levels.map { _ in 0 })
        let apriori = SyntheticObservationGenerator.aprioriProfile(levels: levels, time: hour.secondsSince1970)
        return XCO2Sounding(id: id, latitude: point.latitude, longitude: point.longitude,
                            time: time ?? hour.secondsSince1970 + 600, xco2: xco2, uncertainty: uncertainty,
                            qualityFlag: flag, pressureLevels: levels, pressureWeights: weights,
                            averagingKernel: SyntheticObservationGenerator.averagingKernel(levels: levels),
                            aprioriProfile: apriori, xco2Apriori: zip(weights, apriori).map(*).reduce(0, +),
                            surfaceType: surface, landFraction: 100, operationMode: mode)
    }

    /// Writes a concentration file (the transport contract) for `hours` on the
    /// test domain with CO2 from `co2(hourIndex, i, j, k)`.
    static func writeConcentrationFile(_ path: String, hours: [ModelHour],
                                       co2: (Int, Int, Int, Int) -> Double,
                                       mutate: (NetCDFGroup) throws -> Void = { _ in }) throws {
        let file = try NetCDFFile.create(path)
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "test concentration file")
        try CFGridWriter.write(grid, to: root)
        try root.addDimension("time", length: nil)
        try root.addDimension("z", length: layers.count)
        let time = try root.addVariable("time", type: .double, dimensions: ["time"])
        try time.setAttribute("units", .text(ModelHour.cfUnits))
        try time.write(hours.map { Double($0.value) }, start: [0], count: [hours.count])
        let z = try root.addVariable("z", type: .double, dimensions: ["z"])
        try z.setAttribute("units", .text("m"))
        try z.write((0..<layers.count).map(layers.midHeight))
        let dims = ["time", "z", "y", "x"]
        let size = layers.count * grid.cellCount
        for (name, units) in [("co2", "ppm"), ("pressure", "Pa"), ("water_vapour", "mol/mol")] {
            let v = try root.addVariable(name, type: .float, dimensions: dims)
            try v.setAttribute("units", .text(units))
            for t in hours.indices {
                let values: [Double]
                switch name {
                case "co2": values = field { co2(t, $0, $1, $2) }
                case "pressure": values = field { _, _, k in pressure(height: layers.midHeight(k)) }
                default: values = field { _, _, k in 0.01 * exp(-layers.midHeight(k) / 2000) }
                }
                precondition(values.count == size)
                try v.write(values.map(Float.init), start: [t, 0, 0, 0], count: [1, layers.count, grid.ny, grid.nx])
            }
        }
        try mutate(root)
        try file.commit()
    }

    /// Runs a Python script with the netCDF4 library; a missing python3 or
    /// netCDF4 fails with a message saying so (never a silent skip).
    static func python(_ script: String) throws -> ProcessResult {
        try requirePythonNetCDF4()
        return try TestEnvironment.run("/usr/bin/env", ["python3", "-c", script])
    }

    static func requirePythonNetCDF4() throws {
        let check = try TestEnvironment.run("/usr/bin/env", ["python3", "-c", "import netCDF4, numpy"])
        guard check.status == 0 else {
            throw ObservationError(file: "python3", variable: nil, message: "python3 with netCDF4 and numpy is required "
                + "(JobScripts/lib/install-dependencies.sh installs them): \(check.stderr)")
        }
    }

    /// Runs a writer of Tests/Fixtures/realformat with `arguments`; returns
    /// the path it printed (the file written).
    @discardableResult
    static func realFormat(_ script: String, _ arguments: [String]) throws -> String {
        try requirePythonNetCDF4()
        let path = TestEnvironment.packageRoot.appendingPathComponent("Tests/Fixtures/realformat/\(script)").path
        let result = try TestEnvironment.run("/usr/bin/env", ["python3", path] + arguments)
        guard result.status == 0 else {
            throw ObservationError(file: path, variable: nil, message: "writer failed: \(result.stderr)")
        }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Runs a writer once for several variants (`--each`): the path of each
    /// variant's file by name ("plain" for none).
    static func realFormatVariants(_ script: String, _ folder: URL, _ names: [String],
                                   _ arguments: [String] = []) throws -> [String: String] {
        let output = try realFormat(script, [folder.path] + arguments + names.flatMap { ["--each", $0] })
        let paths = output.split(separator: "\n").map(String.init)
        guard paths.count == names.count else {
            throw ObservationError(file: script, variable: nil, message: "wrote \(paths.count) files for \(names.count) variants")
        }
        return Dictionary(uniqueKeysWithValues: zip(names, paths))
    }
}

/// Every test of this target, run one at a time: NetCDF-C and HDF5 are not
/// thread-safe, and Swift Testing otherwise runs tests in parallel.
@Suite(.serialized) struct ObservationsSuite {}
