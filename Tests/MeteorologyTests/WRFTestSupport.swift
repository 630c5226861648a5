import Foundation
import Geometry
import Meteorology
import NetCDFIO
import Testing
import TestSupport

/// Failure of the Python writer of real-format wrfout samples.
struct WRFWriterFailure: Error, CustomStringConvertible {
    let description: String
}

/// A set of wrfout files written by Tests/Fixtures/realformat/wrfout.py, and
/// what the writer made the fields from (its truth.json).
struct WRFSample {
    let directory: URL
    let files: [String]
    let truth: Truth

    struct Truth: Decodable {
        let eta: [Double]
        let times: [Time]
        struct Time: Decodable {
            let time: String
            /// Mass levels (k, j, i): air temperature (K), water-vapour mole
            /// fraction, air per level p/(R* T) Δz (mol m-2).
            let temperature: [Double]
            let water_vapour: [Double]
            let air: [Double]
            /// Full levels (k, j, i): height above ground (m).
            let height: [Double]
        }
    }

    /// Runs the writer with `arguments` into a fresh folder. A missing
    /// python3, numpy, netCDF4 or pyproj fails the test with the writer's
    /// message (never a silent skip).
    static func write(_ arguments: [String] = [], label: String = "wrfout") throws -> WRFSample {
        let directory = try TestEnvironment.temporaryDirectory(label)
        let script = TestEnvironment.packageRoot.appendingPathComponent("Tests/Fixtures/realformat/wrfout.py").path
        let result = try TestEnvironment.run("/usr/bin/env", ["python3", script, directory.path] + arguments)
        guard result.status == 0 else {
            throw WRFWriterFailure(description: "Tests/Fixtures/realformat/wrfout.py failed (status \(result.status)); "
                + "it needs python3 with numpy, netCDF4 and pyproj (JobScripts/lib/install-dependencies.sh):\n\(result.stderr)")
        }
        let files = result.stdout.split(whereSeparator: \.isNewline).map(String.init)
        let data = try Data(contentsOf: directory.appendingPathComponent("truth.json"))
        return WRFSample(directory: directory, files: files, truth: try JSONDecoder().decode(Truth.self, from: data))
    }

    /// Samples shared by the tests (the writer runs once per set of
    /// arguments); tests that change files work on a ``copy(label:)``.
    static func shared(_ arguments: [String]) throws -> WRFSample {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        let key = arguments.joined(separator: " ")
        if let sample = cache[key] { return sample }
        let sample = try write(arguments, label: "wrfout-shared")
        cache[key] = sample
        return sample
    }

    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [String: WRFSample] = [:]

    /// The sample's files copied into a fresh folder.
    func copy(label: String) throws -> WRFSample {
        let folder = try TestEnvironment.temporaryDirectory(label)
        let copies = try files.map { path in
            let target = folder.appendingPathComponent(URL(fileURLWithPath: path).lastPathComponent).path
            try FileManager.default.copyItem(atPath: path, toPath: target)
            return target
        }
        return WRFSample(directory: folder, files: copies, truth: truth)
    }

    /// Lambert conformal, 3 hourly files with EXCH_H and LANDMASK (NetCDF-4).
    static func lambert() throws -> WRFSample { try shared(["--hours", "3"]) }
    /// Polar stereographic, 3 hours in one NetCDF-3 file, no EXCH_H, XLAND.
    static func polar() throws -> WRFSample {
        try shared(["--projection", "polar", "--no-exch-h", "--per-file", "3", "--hours", "3",
                    "--format", "NETCDF3_64BIT_OFFSET", "--mask", "xland"])
    }
    /// Mercator, one hour, LU_INDEX, NetCDF-4 classic model.
    static func mercator() throws -> WRFSample {
        try shared(["--projection", "mercator", "--mask", "lu_index", "--format", "NETCDF4_CLASSIC", "--hours", "1"])
    }
    /// Lambert hours 0, 1, 3 (hour 2 left out), no land mask.
    static func withGap() throws -> WRFSample { try shared(["--hours", "4", "--skip-hour", "2", "--mask", "none"]) }

    /// Makes the domain of the first file (every level, or `interfaces`) in a
    /// new folder and loads it.
    func domain(interfaces: [Int]? = nil) throws -> Domain {
        let folder = directory.appendingPathComponent("domain-\(UUID().uuidString.prefix(6))")
        try WRFDomain(wrfout: files[0], interfaceLevels: interfaces).write(to: folder.path)
        return try Domain.load(folder.path)
    }
}

/// Reads a whole variable of a file as Double.
func readVariable(_ path: String, _ name: String) throws -> [Double] {
    let file = try NetCDFFile.open(path)
    defer { file.close() }
    return try file.root.variable(name).read(Double.self)
}

/// Overwrites one value of a variable of an existing file.
func overwrite(_ path: String, _ name: String, at index: [Int], with value: Double) throws {
    let file = try NetCDFFile.open(path, writable: true)
    try file.root.variable(name).write([value], start: index, count: index.map { _ in 1 })
    try file.commit()
}

/// The error's text, or "" when none was thrown.
func thrownText(_ body: () throws -> Void) -> String {
    do { try body() } catch { return "\(error)" }
    return ""
}
