import Foundation

/// A run's output folder, held exclusively while the run writes into it.
///
/// Taken by rank 0 before any computation: the folder is created if absent,
/// locked (an advisory `fcntl` lock on ``lockName``, which records the
/// holder's pid, host and start; the system releases it when the holder
/// exits, however it exits), checked for writability (a probe file is created
/// and removed), cleared of the temporary files runs killed while writing
/// leave behind (`.NAME.partial-PID`), and checked against what the run needs:
/// empty for a new run, a checkpoint for a resumed one. The streamed outputs
/// (`fluxes.nc.partial`, ...) are not touched: a resume continues them.
public final class RunFolder {
    /// What the run does with the folder.
    public enum Use: Sendable { case fresh, resume }

    public let url: URL
    /// True when this run created the folder (a refused run removes it again).
    public let created: Bool
    /// What was found and done, for the log (a stale lock taken over, stale files removed).
    public private(set) var notes: [String] = []
    private var descriptor: Int32

    /// The lock file's name inside the folder.
    public static let lockName = ".rcas.lock"
    public var lockPath: String { url.appendingPathComponent(Self.lockName).path }

    /// Takes `folder` for `use` by `command` (e.g. "rcas run").
    public init(_ folder: URL, use: Use, command: String) throws(RunFolderError) {
        url = folder
        let path = folder.path
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue { throw RunFolderError(.unusable, "output \(path) exists and is not a folder") }
        if !exists {
            guard use == .fresh else {
                throw RunFolderError(.refusedResume, "--resume: output folder \(path) does not exist")
            }
            try Self.makeFolder(folder)
        }
        created = !exists
        descriptor = -1
        do {
            try lock(command: command)
            try probeWritable()
            removeStaleTemporaries()
            try checkContents(use)
        } catch {
            release(removingCreatedFolder: true)
            throw error
        }
    }

    /// mkdir -p, failing with the system's reason.
    private static func makeFolder(_ folder: URL) throws(RunFolderError) {
        var partial = ""
        for component in folder.standardizedFileURL.pathComponents {
            partial = component == "/" ? "/" : (partial.hasSuffix("/") ? partial : partial + "/") + component
            if mkdir(partial, 0o755) != 0 && errno != EEXIST {
                throw RunFolderError.system(errno, "cannot create output folder \(folder.path)")
            }
        }
    }

    // MARK: lock

    private func lock(command: String) throws(RunFolderError) {
        for _ in 0..<5 {
            let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else {
                throw RunFolderError.system(errno, "output folder \(url.path) is not writable: cannot create \(lockPath)")
            }
            var request = flock()
            request.l_type = Int16(F_WRLCK)
            request.l_whence = Int16(SEEK_SET)
            let previous = Self.holder(fd)
            if fcntl(fd, F_SETLK, &request) != 0 {
                let code = errno
                close(fd)
                if code == EAGAIN || code == EACCES {
                    throw RunFolderError(.locked, "output folder \(url.path) is in use by another rcas run "
                                         + "(\(previous ?? "holder unknown")); wait for it to end or choose another folder")
                }
                // No advisory locks on this file system: fall back to the recorded holder.
                if let previous, let alive = Self.holderIsAlive(previous), alive {
                    throw RunFolderError(.locked, "output folder \(url.path) is in use by another rcas run (\(previous))")
                } else if let previous, Self.holderIsAlive(previous) == nil {
                    throw RunFolderError(.locked, "output folder \(url.path) is locked by \(previous) on another host and "
                                         + "this file system has no locks to check it; if that run has ended, delete \(lockPath)")
                }
                notes.append("the file system of \(url.path) has no advisory locks (\(String(cString: strerror(code)))); "
                             + "relying on the pid and host recorded in \(Self.lockName)")
                descriptor = open(lockPath, O_RDWR | O_CLOEXEC)
            } else {
                descriptor = fd
            }
            // The file may have been removed by a holder that just ended: lock the file the path names.
            var held = stat(), named = stat()
            guard descriptor >= 0, fstat(descriptor, &held) == 0, stat(lockPath, &named) == 0,
                  held.st_ino == named.st_ino, held.st_dev == named.st_dev else {
                if descriptor >= 0 { close(descriptor) }
                descriptor = -1
                continue
            }
            if let previous, !previous.isEmpty {
                notes.append("took over the lock of a run that is no longer running (\(previous))")
            }
            let record = "pid \(getpid()) on host \(Self.hostName), \(command), started \(ISO8601DateFormatter().string(from: Date()))\n"
            ftruncate(descriptor, 0)
            guard pwrite(descriptor, record, record.utf8.count, 0) == record.utf8.count else {
                throw RunFolderError.system(errno, "cannot write \(lockPath)")
            }
            return
        }
        throw RunFolderError(.locked, "output folder \(url.path): the lock file keeps changing; another run is starting there")
    }

    /// The holder recorded in an open lock file ("pid P on host H, ..."), or nil when empty.
    private static func holder(_ fd: Int32) -> String? {
        var buffer = [UInt8](repeating: 0, count: 512)
        let count = pread(fd, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? nil : text
    }

    /// Whether the recorded holder still runs: nil when it ran on another host.
    static func holderIsAlive(_ record: String) -> Bool? {
        let words = record.split(separator: " ")
        guard words.count >= 5, words[0] == "pid", let pid = Int32(words[1]), words[3] == "host" else { return false }
        let host = words[4].hasSuffix(",") ? String(words[4].dropLast()) : String(words[4])
        guard host == hostName else { return nil }
        return kill(pid, 0) == 0 || errno == EPERM
    }

    static var hostName: String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        return String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: checks

    /// Creates and removes a probe file: a folder that cannot take a new file
    /// is found now, not after the computation.
    private func probeWritable() throws(RunFolderError) {
        let probe = url.appendingPathComponent(".rcas-write-probe-\(getpid())").path
        let fd = open(probe, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw RunFolderError.system(errno, "output folder \(url.path) is not writable") }
        let written = write(fd, "x", 1)
        let code = errno
        close(fd)
        unlink(probe)
        guard written == 1 else { throw RunFolderError.system(code, "output folder \(url.path) is not writable") }
    }

    /// True for the hidden temporary files of killed runs: `.NAME.partial-PID`
    /// (NetCDFFile.create) and `.rcas-write-probe-PID`.
    static func isStaleTemporary(_ name: String) -> Bool {
        guard name.hasPrefix("."), let dash = name.lastIndex(of: "-"),
              !name[name.index(after: dash)...].isEmpty, name[name.index(after: dash)...].allSatisfy(\.isNumber) else {
            return false
        }
        let stem = name[..<dash]
        return stem.hasSuffix(".partial") || stem == ".rcas-write-probe"
    }

    /// Removes the temporary files killed runs left (this run holds the
    /// lock, so no other run is writing them).
    private func removeStaleTemporaries() {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []
        let stale = names.filter(Self.isStaleTemporary).sorted()
        for name in stale { unlink(url.appendingPathComponent(name).path) }
        if !stale.isEmpty {
            notes.append("removed \(stale.count) temporary file(s) left by a killed run: \(stale.joined(separator: ", "))")
        }
    }

    private func checkContents(_ use: Use) throws(RunFolderError) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).filter { $0 != Self.lockName }.sorted()
        switch use {
        case .fresh:
            guard names.isEmpty else {
                let hint = names.contains(AssimilationRun.checkpointName)
                    ? "it holds a checkpoint: continue that run with --resume, or choose a new folder"
                    : names.contains(where: { $0.hasSuffix(".partial") })
                    ? "it holds a run stopped before its first checkpoint: delete the folder or choose a new one"
                    : "choose a new one"
                let listed = names.prefix(3).joined(separator: ", ") + (names.count > 3 ? ", ..." : "")
                throw RunFolderError(.unusable, "output folder \(url.path) is not empty (\(listed)); \(hint)")
            }
        case .resume:
            guard names.contains(AssimilationRun.checkpointName) else {
                throw RunFolderError(.refusedResume, "--resume: \(url.path) holds no \(AssimilationRun.checkpointName)")
            }
            if !names.contains("fluxes.nc.partial") && names.contains("fluxes.nc") {
                throw RunFolderError(.refusedResume, "--resume: the run in \(url.path) has finished (fluxes.nc is complete); "
                                     + "there is nothing to continue")
            }
        }
    }

    // MARK: release

    /// Gives the folder up: removes the lock file (while still holding the
    /// lock, so a run waiting on it retries on a new file) and, with
    /// `removingCreatedFolder`, the folder this run created, if it is empty.
    /// The system releases the lock of a process that dies without calling this.
    public func release(removingCreatedFolder: Bool = false) {
        if descriptor >= 0 {
            unlink(lockPath)
            close(descriptor)
            descriptor = -1
        }
        if removingCreatedFolder && created { rmdir(url.path) }
    }

    deinit { release() }
}

/// Why a run may not use its output folder.
public struct RunFolderError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// Another run holds the folder.
        case locked
        /// Not a folder, or not empty for a new run.
        case unusable
        /// `--resume` with nothing to resume.
        case refusedResume
        /// The system refused (permission, read-only, full disk).
        case system(Int32)
    }
    public let kind: Kind
    public let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    static func system(_ code: Int32, _ message: String) -> RunFolderError {
        let reason = switch code {
        case ENOSPC: "no space left on device"
        case EDQUOT: "disk quota exceeded"
        case EACCES, EPERM: "permission denied"
        case EROFS: "read-only file system"
        default: String(cString: strerror(code))
        }
        return RunFolderError(.system(code), "\(message): \(reason)")
    }

    public var description: String { message }
}
