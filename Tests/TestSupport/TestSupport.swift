import Foundation

/// What a finished child process left behind.
public struct ProcessResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Helpers shared by the test targets: where the package and its built tools
/// are, and how to launch them (directly or under mpirun).
public enum TestEnvironment {
    /// The package root, found from this file's location.
    public static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The built `rcas` executable: `RCAS_BIN` if set, else the one next to the
    /// running test bundle (SwiftPM builds both into the same folder).
    public static var rcasBinary: URL {
        if let path = ProcessInfo.processInfo.environment["RCAS_BIN"] { return URL(fileURLWithPath: path) }
        return builtExecutable("rcas")
    }

    /// An executable product of this package, found in the build folder that
    /// holds the running tests.
    public static func builtExecutable(_ name: String) -> URL {
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            folder.deleteLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/\(name)")
    }

    /// A fresh empty directory under the system temporary directory.
    public static func temporaryDirectory(_ label: String = "rcas-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Runs `executable` with `arguments` and waits for it.
    public static func run(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:],
                           directory: URL? = nil) throws -> ProcessResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in extra { environment[key] = value }
        process.environment = environment
        if let directory { process.currentDirectoryURL = directory }
        let outPipe = Pipe()
        let errPipe = Pipe()
        process.standardOutput = outPipe
        process.standardError = errPipe
        try process.run()
        // Drain both pipes while the child runs so a chatty child cannot block.
        nonisolated(unsafe) var errData = Data()
        let errReader = Thread { errData = errPipe.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let outData = outPipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errReader.isFinished { usleep(1000) }
        return ProcessResult(status: process.terminationStatus,
                             stdout: String(decoding: outData, as: UTF8.self),
                             stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Runs the built `rcas` with `arguments`.
    public static func rcas(_ arguments: [String], directory: URL? = nil) throws -> ProcessResult {
        try run(rcasBinary.path, arguments, directory: directory)
    }

    /// Runs the built `rcas` under `mpirun -np ranks` (as root where needed,
    /// oversubscribing the 2 cores for more ranks).
    public static func mpirun(ranks: Int, _ arguments: [String], directory: URL? = nil) throws -> ProcessResult {
        try mpirun(ranks: ranks, executable: rcasBinary, arguments, directory: directory)
    }

    /// Runs any built executable under `mpirun -np ranks`.
    public static func mpirun(ranks: Int, executable: URL, _ arguments: [String],
                              directory: URL? = nil) throws -> ProcessResult {
        try run("/usr/bin/env", ["mpirun"] + mpirunFlags(ranks: ranks) + [executable.path] + arguments,
                environment: mpiEnvironment, directory: directory)
    }

    /// The mpirun options the tests use for `ranks` processes.
    public static func mpirunFlags(ranks: Int) -> [String] {
        ["-np", String(ranks), "--oversubscribe", "--bind-to", "none"]
    }

    /// Open MPI's permission to run as root, plus quiet transport selection.
    public static var mpiEnvironment: [String: String] {
        ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
         "OMPI_MCA_btl_vader_single_copy_mechanism": "none", "OMPI_MCA_rmaps_base_oversubscribe": "1"]
    }
}
