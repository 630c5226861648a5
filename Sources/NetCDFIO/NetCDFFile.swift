import CNetCDF
import CSystem
import Foundation

/// An open NetCDF-4 file.
///
/// Files made with ``create(_:)`` are written under a temporary name in the
/// same directory and appear under their real name only when ``commit()``
/// succeeds (one `rename`), so a crash or an error never leaves a file that
/// looks complete. A created file that is closed or released without a commit
/// is deleted. A file may instead keep the one it replaces as a spare, and a
/// spare may be rewritten in place (``rewrite(_:as:)``): the two then swap
/// names on commit.
public final class NetCDFFile {
    /// The file's name as the user knows it (the final name for created files).
    public let path: String
    let workingPath: String
    let ncid: Int32
    private let creating: Bool
    /// Where the file `path` held goes on commit (created and rewritten files).
    private let spare: String?
    private var open = true
    /// The key of a shared read-only handle (see ``SharedReadHandles``).
    private var sharedKey: String?

    init(path: String, workingPath: String, ncid: Int32, creating: Bool, spare: String? = nil) {
        self.path = path
        self.workingPath = workingPath
        self.ncid = ncid
        self.creating = creating
        self.spare = spare
    }

    /// Opens an existing file for reading, or for appending if `writable`.
    /// Anything but a regular file (a FIFO, on which the library would wait
    /// forever, a device, a folder) is refused before the library sees it;
    /// a missing or unreadable file is named as such.
    public static func open(_ path: String, writable: Bool = false) throws(NetCDFError) -> NetCDFFile {
        var status = stat()
        guard stat(path, &status) == 0 else {
            let code = errno
            throw NetCDFError(path: path, object: nil, operation: "open",
                              message: systemCause(code) ?? String(cString: strerror(code)), systemError: code)
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            let kind: String = switch status.st_mode & S_IFMT {
            case S_IFDIR: "a folder"
            case S_IFIFO: "a FIFO (named pipe)"
            case S_IFCHR, S_IFBLK: "a device"
            case S_IFSOCK: "a socket"
            default: "not a regular file"
            }
            throw NetCDFError(path: path, object: nil, operation: "open",
                              message: "is \(kind), not a regular NetCDF file")
        }
        guard access(path, writable ? R_OK | W_OK : R_OK) == 0 else {
            let code = errno
            throw NetCDFError(path: path, object: nil, operation: "open",
                              message: systemCause(code) ?? String(cString: strerror(code)), systemError: code)
        }
        guard !writable else {
            var id: Int32 = 0
            try nc(nc_open(path, NC_WRITE, &id), path, nil, "open")
            return NetCDFFile(path: path, workingPath: path, ncid: id, creating: false)
        }
        let key = "\(status.st_dev):\(status.st_ino)"
        let id = try SharedReadHandles.open(key: key, path: path)
        let file = NetCDFFile(path: path, workingPath: path, ncid: id, creating: false)
        file.sharedKey = key
        return file
    }

    /// Starts a new NetCDF-4 file that will replace `path` on ``commit()``;
    /// with `spare`, the file `path` held then takes that name (the spare a
    /// later ``rewrite(_:as:)`` reuses).
    public static func create(_ path: String, keepingPreviousAs spare: String? = nil) throws(NetCDFError) -> NetCDFFile {
        let temporary = try temporaryPath(for: path, operation: "create")
        var id: Int32 = 0
        try nc(nc_create(temporary, NC_NETCDF4 | NC_CLOBBER, &id), path, nil, "create")
        return NetCDFFile(path: path, workingPath: temporary, ncid: id, creating: true, spare: spare)
    }

    /// Reopens `spare`, an earlier complete file of the structure about to be
    /// written, to be written over in place and then take the name `path`.
    /// Writing into a file's existing pages and blocks is several times
    /// faster than filling a new file (Docs/performance.md, "checkpoint").
    /// The spare first moves to a temporary name, so a crash while it is
    /// rewritten leaves nothing under either name that looks complete; on
    /// ``commit()`` it and `path` exchange names in one atomic step, and the
    /// file `path` held becomes the spare. Nothing of the old contents is
    /// meant to survive: the caller writes every value again.
    public static func rewrite(_ spare: String, as path: String) throws(NetCDFError) -> NetCDFFile {
        let temporary = try temporaryPath(for: path, operation: "rewrite")
        guard rename(spare, temporary) == 0 else {
            let code = errno
            throw NetCDFError(path: spare, object: nil, operation: "rename to a temporary name for rewriting",
                              message: systemCause(code) ?? String(cString: strerror(code)), systemError: code)
        }
        var id: Int32 = 0
        do {
            try nc(nc_open(temporary, NC_WRITE, &id), path, nil, "open for rewriting")
        } catch {
            unlink(temporary)
            throw error
        }
        return NetCDFFile(path: path, workingPath: temporary, ncid: id, creating: true, spare: spare)
    }

    /// The hidden name a file for `path` is written under (`.NAME.partial-PID`).
    private static func temporaryPath(for path: String, operation: String) throws(NetCDFError) -> String {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: directory) else {
            throw NetCDFError(path: path, object: nil, operation: operation,
                              message: "directory \(directory) does not exist")
        }
        return url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
            .path
    }

    /// The root group.
    public var root: NetCDFGroup { NetCDFGroup(file: self, ncid: ncid, name: "/") }

    /// Flushes and closes the file; a created or rewritten file then takes
    /// its final name atomically (replacing any older file of that name, or
    /// exchanging names with it when the file keeps a spare).
    public func commit() throws(NetCDFError) {
        guard open else {
            throw NetCDFError(path: path, object: nil, operation: "commit", message: "file is already closed")
        }
        open = false
        if let sharedKey {
            SharedReadHandles.release(key: sharedKey)
            return
        }
        do {
            try nc(nc_close(ncid), path, nil, "close")
        } catch {
            if creating { unlink(workingPath) }
            throw error
        }
        guard creating else { return }
        // With a spare, the file `path` held moves aside rather than away.
        if let spare, rcas_exchange_names(workingPath, path) == 0 {
            if rename(workingPath, spare) != 0 { unlink(workingPath) }
            return
        }
        if rename(workingPath, path) != 0 {
            let code = errno
            unlink(workingPath)
            throw NetCDFError(path: path, object: nil, operation: "rename from temporary file",
                              message: systemCause(code) ?? String(cString: strerror(code)), systemError: code)
        }
    }

    /// Closes without committing: a created file is deleted, an opened one is
    /// left as it is on disk.
    public func close() {
        guard open else { return }
        open = false
        if let sharedKey {
            SharedReadHandles.release(key: sharedKey)
            return
        }
        withNetCDFLock { _ = nc_close(ncid) }
        if creating { unlink(workingPath) }
    }

    deinit { close() }
}

/// Read-only opens of one file in one process share a single library handle.
/// Two NetCDF-4 handles of the same file share one HDF5 file underneath, and
/// closing one can break the other ("HDF error"); ranks running as threads
/// of one process (the in-process communicator) read the same inputs at once.
enum SharedReadHandles {
    nonisolated(unsafe) private static var handles: [String: (ncid: Int32, users: Int)] = [:]

    /// The handle of the file `key` (device and inode), opened if needed.
    static func open(key: String, path: String) throws(NetCDFError) -> Int32 {
        let outcome = withNetCDFLock { () -> Result<Int32, NetCDFError> in
            if let entry = handles[key] {
                handles[key] = (entry.ncid, entry.users + 1)
                return .success(entry.ncid)
            }
            var id: Int32 = 0
            do throws(NetCDFError) {
                try nc(nc_open(path, NC_NOWRITE, &id), path, nil, "open")
            } catch {
                return .failure(error)
            }
            handles[key] = (id, 1)
            return .success(id)
        }
        return try outcome.get()
    }

    /// One user less; the handle closes with its last user.
    static func release(key: String) {
        withNetCDFLock {
            guard let entry = handles[key] else { return }
            if entry.users > 1 {
                handles[key] = (entry.ncid, entry.users - 1)
            } else {
                handles[key] = nil
                _ = nc_close(entry.ncid)
            }
        }
    }
}

/// A group of a NetCDF-4 file (the root group included): dimensions,
/// variables, attributes and subgroups.
public struct NetCDFGroup {
    let file: NetCDFFile
    let ncid: Int32
    /// The group's own name ("/" for the root).
    public let name: String

    var path: String { file.path }

    // MARK: dimensions

    /// Defines a dimension; `length` nil makes it unlimited.
    @discardableResult
    public func addDimension(_ dimensionName: String, length: Int?) throws(NetCDFError) -> Int {
        var id: Int32 = 0
        try nc(nc_def_dim(ncid, dimensionName, length ?? 0, &id), path, dimensionName, "define dimension")
        return length ?? 0
    }

    /// The current length of a dimension visible from this group.
    public func dimensionLength(_ dimensionName: String) throws(NetCDFError) -> Int {
        var id: Int32 = 0
        try nc(nc_inq_dimid(ncid, dimensionName, &id), path, dimensionName, "find dimension")
        var length = 0
        try nc(nc_inq_dimlen(ncid, id, &length), path, dimensionName, "read dimension length")
        return length
    }

    /// Names of the dimensions defined in this group.
    public func dimensionNames() throws(NetCDFError) -> [String] {
        var count: Int32 = 0
        try nc(nc_inq_dimids(ncid, &count, nil, 0), path, nil, "list dimensions")
        var ids = [Int32](repeating: 0, count: Int(count))
        try nc(nc_inq_dimids(ncid, &count, &ids, 0), path, nil, "list dimensions")
        var names: [String] = []
        for id in ids { names.append(try dimensionName(id)) }
        return names
    }

    func dimensionName(_ id: Int32) throws(NetCDFError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
        try nc(nc_inq_dimname(ncid, id, &buffer), path, nil, "read dimension name")
        return decodeName(buffer)
    }

    // MARK: groups

    /// Defines a subgroup.
    public func addGroup(_ groupName: String) throws(NetCDFError) -> NetCDFGroup {
        var id: Int32 = 0
        try nc(nc_def_grp(ncid, groupName, &id), path, groupName, "define group")
        return NetCDFGroup(file: file, ncid: id, name: groupName)
    }

    /// A direct subgroup by name.
    public func group(_ groupName: String) throws(NetCDFError) -> NetCDFGroup {
        var id: Int32 = 0
        try nc(nc_inq_grp_ncid(ncid, groupName, &id), path, groupName, "open group")
        return NetCDFGroup(file: file, ncid: id, name: groupName)
    }

    /// Names of the direct subgroups.
    public func groupNames() throws(NetCDFError) -> [String] {
        var count: Int32 = 0
        try nc(nc_inq_grps(ncid, &count, nil), path, nil, "list groups")
        var ids = [Int32](repeating: 0, count: Int(count))
        try nc(nc_inq_grps(ncid, &count, &ids), path, nil, "list groups")
        return try ids.map { (id: Int32) throws(NetCDFError) -> String in
            var buffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
            try nc(nc_inq_grpname(id, &buffer), path, nil, "read group name")
            return decodeName(buffer)
        }
    }

    // MARK: variables

    /// Defines a variable over named dimensions (outermost first). A positive
    /// `deflateLevel` (1-9) compresses it. `prefilled` false: the library
    /// does not write fill values first (for a variable that will be written
    /// whole, where prefilling a large one costs as much as writing it).
    @discardableResult
    public func addVariable(_ variableName: String, type: NetCDFType, dimensions: [String],
                            deflateLevel: Int = 0, prefilled: Bool = true) throws(NetCDFError) -> NetCDFVariable {
        var dimensionIDs: [Int32] = []
        for dimension in dimensions {
            var id: Int32 = 0
            try nc(nc_inq_dimid(ncid, dimension, &id), path, variableName, "find dimension '\(dimension)'")
            dimensionIDs.append(id)
        }
        var id: Int32 = 0
        try nc(nc_def_var(ncid, variableName, type.code, Int32(dimensionIDs.count), dimensionIDs, &id),
               path, variableName, "define variable")
        if deflateLevel > 0 {
            try nc(nc_def_var_deflate(ncid, id, 1, 1, Int32(deflateLevel)), path, variableName, "set compression")
        }
        if !prefilled {
            try nc(nc_def_var_fill(ncid, id, 1, nil), path, variableName, "set no-fill mode")
        }
        return NetCDFVariable(group: self, varid: id, name: variableName)
    }

    /// A variable by name; a path such as `Retrieval/surface_type` looks in
    /// subgroups.
    public func variable(_ variablePath: String) throws(NetCDFError) -> NetCDFVariable {
        let parts = variablePath.split(separator: "/").map(String.init)
        var owner = self
        for part in parts.dropLast() {
            do {
                owner = try owner.group(part)
            } catch {
                throw NetCDFError(path: path, object: variablePath, operation: "open variable",
                                  status: error.status, message: "group '\(part)' not found")
            }
        }
        var id: Int32 = 0
        let status = withNetCDFLock { nc_inq_varid(owner.ncid, parts.last ?? variablePath, &id) }
        if status == NC_ENOTVAR {
            throw NetCDFError(path: path, object: variablePath, operation: "open variable", status: status,
                              message: "variable not found")
        }
        try nc(status, path, variablePath, "open variable")
        return NetCDFVariable(group: owner, varid: id, name: variablePath)
    }

    /// True when the variable (or path into subgroups) exists.
    public func hasVariable(_ variablePath: String) -> Bool {
        (try? variable(variablePath)) != nil
    }

    /// Names of the variables of this group.
    public func variableNames() throws(NetCDFError) -> [String] {
        var count: Int32 = 0
        try nc(nc_inq_varids(ncid, &count, nil), path, nil, "list variables")
        var ids = [Int32](repeating: 0, count: Int(count))
        try nc(nc_inq_varids(ncid, &count, &ids), path, nil, "list variables")
        return try ids.map { (id: Int32) throws(NetCDFError) -> String in
            var buffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
            try nc(nc_inq_varname(ncid, id, &buffer), path, nil, "read variable name")
            return decodeName(buffer)
        }
    }

    // MARK: attributes

    /// Sets a group (global, for the root) attribute.
    public func setAttribute(_ attributeName: String, _ value: NetCDFAttribute) throws(NetCDFError) {
        try putAttribute(ncid: ncid, varid: NC_GLOBAL, name: attributeName, value: value, path: path)
    }

    /// A group attribute, or nil when absent.
    public func attribute(_ attributeName: String) throws(NetCDFError) -> NetCDFAttribute? {
        try getAttribute(ncid: ncid, varid: NC_GLOBAL, name: attributeName, path: path)
    }

    /// Names of the group's attributes.
    public func attributeNames() throws(NetCDFError) -> [String] {
        try listAttributes(ncid: ncid, varid: NC_GLOBAL, path: path)
    }
}
