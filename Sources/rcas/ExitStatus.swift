import ArgumentParser
import ConfigFormat
import Experiment
import Foundation
import NetCDFIO
import Parallel

/// The exit codes of rcas (Docs/user-guide.md, "Exit codes"; the values
/// follow sysexits.h where one fits). Under mpirun every rank exits with the
/// same code and mpirun passes it on.
enum ExitStatus: Int32 {
    /// Done, or stopped on request (a signal or --until) after writing a
    /// checkpoint that --resume continues.
    case success = 0
    /// A bad command line (option missing or malformed).
    case usage = 64
    /// A bad configuration or input file (the message names the file, the key or variable).
    case badInput = 65
    /// The memory estimate exceeds what a node offers (or --max-memory).
    case memory = 69
    /// An MPI failure or an internal error.
    case internalFailure = 70
    /// The output folder cannot take the run: not a folder, or not empty for a new run.
    case outputFolder = 73
    /// The system refused a read or write: no space left, permission denied,
    /// read-only file system, quota, input/output error.
    case ioFailure = 74
    /// Another run holds the output folder.
    case locked = 75
    /// --resume refused: no checkpoint, a finished run, or a configuration
    /// that differs from the checkpoint's (without --allow-changed-configuration).
    case refusedResume = 78

    /// A process stopped by signal `number` before it had anything to keep,
    /// or by a second signal: 128 + the signal number, as a shell reports it.
    static func stopped(by number: Int32) -> Int32 { 128 + number }

    /// The code for an error a command threw.
    init(for error: any Error) {
        switch error {
        case let failure as CommandFailure: self = failure.status
        case let folder as RunFolderError:
            switch folder.kind {
            case .locked: self = .locked
            case .unusable: self = .outputFolder
            case .refusedResume: self = .refusedResume
            case .system: self = .ioFailure
            }
        case is MemoryLimitError: self = .memory
        case let netCDF as NetCDFError: self = Self.classify(netCDF)
        case ExperimentError.internalFailure: self = .internalFailure
        case is ValidationError: self = .usage
        default: self = .badInput
        }
    }

    /// A NetCDF failure the system caused (other than a missing file), or
    /// any failure while writing, is an I/O failure; a failure reading a
    /// file's content is bad input.
    private static func classify(_ error: NetCDFError) -> ExitStatus {
        if let code = error.systemError, code != ENOENT { return .ioFailure }
        let writing = ["create", "write", "sync", "close", "commit", "rename", "end definitions", "re-enter", "define",
                       "set no-fill"]
        return writing.contains { error.operation.hasPrefix($0) } ? .ioFailure : .badInput
    }
}

/// A failure of a command's work, printed as `Error: ...` without the usage
/// text that argument mistakes get, with its exit status.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    let status: ExitStatus
    init(_ description: String, status: ExitStatus = .badInput) {
        self.description = description
        self.status = status
    }
}

/// Ends a command that failed before or outside MPI: prints the message and
/// exits with the error's code (argument-parser errors keep their own
/// handling: help, usage text, exit 64).
func exitAfter(_ error: any Error) -> Never {
    // `--help` and `help` reach here as the parser's own (internal) error type
    // thrown by its help command's run(): the parser prints them.
    let fromParser = String(reflecting: type(of: error)).hasPrefix("ArgumentParser.")
    if fromParser || error is CleanExit || error is ExitCode || error is ValidationError { RCASCommand.exit(withError: error) }
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    exit(ExitStatus(for: error).rawValue)
}
