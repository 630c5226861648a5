import CNetCDF
import Foundation

/// A NetCDF failure, naming the file, the object (variable, attribute,
/// dimension or group) and the library's own message.
public struct NetCDFError: Error, CustomStringConvertible, Sendable {
    /// The file being read or written (its final name, not a temporary one).
    public let path: String
    /// The variable, attribute, dimension or group involved, when there is one.
    public let object: String?
    /// What RCAS was doing.
    public let operation: String
    /// The NetCDF-C status code, or nil for a check RCAS made itself.
    public let status: Int32?
    /// NetCDF-C's message for `status`, or RCAS's own explanation.
    public let message: String
    /// The operating-system error behind the failure (`ENOSPC`, `EACCES`,
    /// ...) when there was one: a fault of the machine, not of the file's content.
    public let systemError: Int32?

    public init(path: String, object: String?, operation: String, status: Int32? = nil, message: String,
                systemError: Int32? = nil) {
        self.path = path
        self.object = object
        self.operation = operation
        self.status = status
        self.message = message
        self.systemError = systemError
    }

    public var description: String {
        let subject = object.map { "'\($0)': " } ?? ""
        return "\(path): \(subject)\(operation) failed: \(message)"
    }
}

/// NetCDF-C (and the HDF5 under it) is not thread-safe: every library call
/// goes through this lock, so callers may use NetCDFIO from any thread.
let netCDFLock = NSRecursiveLock()

/// HDF5 (under NetCDF-4) locks every file it opens with flock(). A process
/// that forks (mpirun, a test launching a tool) passes the descriptor, and with
/// it the lock, to the child, so a file closed here can stay locked; shared
/// cluster file systems often do not support the locks at all. RCAS writes
/// files under a temporary name and renames them when complete, so readers
/// never see a file being written and the locks add nothing: they are turned
/// off for the process before the library first opens a file (unless the
/// user set HDF5_USE_FILE_LOCKING).
private let fileLockingSetting: Void = { setenv("HDF5_USE_FILE_LOCKING", "FALSE", 0) }()

/// Runs `body` while holding the NetCDF library lock.
@inline(__always)
func withNetCDFLock<R>(_ body: () throws -> R) rethrows -> R {
    fileLockingSetting
    netCDFLock.lock()
    defer { netCDFLock.unlock() }
    return try body()
}

/// The one place where NetCDF-C calls run (under the library lock) and their
/// status codes become Swift errors. A failure that the operating system
/// caused (a full disk, a refused permission) is named as such: NetCDF-C
/// reports those as a bare "HDF error", so `errno` is checked as well.
@inline(__always)
func nc(_ call: @autoclosure () -> Int32, _ path: String, _ object: String?,
        _ operation: @autoclosure () -> String) throws(NetCDFError) {
    var systemError: Int32 = 0
    let status = withNetCDFLock { () -> Int32 in
        errno = 0
        let status = call()
        systemError = errno
        return status
    }
    guard status != NC_NOERR else { return }
    var message = String(cString: nc_strerror(status))
    let cause = systemCause(systemError)
    if let cause { message = "\(cause) (\(message))" }
    throw NetCDFError(path: path, object: object, operation: operation(), status: status, message: message,
                      systemError: cause == nil ? nil : systemError)
}

/// Plain words for the operating-system errors a user can act on.
func systemCause(_ code: Int32) -> String? {
    switch code {
    case ENOSPC: "no space left on device"
    case EDQUOT: "disk quota exceeded"
    case EACCES, EPERM: "permission denied"
    case ENOENT: "no such file"
    case EROFS: "read-only file system"
    case EIO: "input/output error"
    default: nil
    }
}

/// Text of a NUL-terminated name buffer filled by NetCDF-C.
func decodeName(_ buffer: [CChar]) -> String {
    String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
