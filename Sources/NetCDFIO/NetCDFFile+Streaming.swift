import CNetCDF
import Foundation

/// Files that grow record by record over a long run and must survive a kill
/// at any moment: written in the classic 64-bit-offset format, whose fixed
/// header and record layout stay readable when a process dies mid-write (an
/// HDF5-based NetCDF-4 file left open may not be), under a working name that
/// ``finishStreaming(as:)`` renames to the final one.
extension NetCDFFile {
    /// Creates (replacing) a streamed file at `path`. Define every dimension,
    /// variable and attribute first, then call ``endDefinitions()`` before
    /// writing data. Classic files hold no groups, strings, 64-bit or unsigned
    /// integers and no compression.
    public static func createStreaming(_ path: String) throws(NetCDFError) -> NetCDFFile {
        var id: Int32 = 0
        try nc(nc_create(path, NC_64BIT_OFFSET | NC_CLOBBER, &id), path, nil, "create")
        var old: Int32 = 0
        try nc(nc_set_fill(id, NC_NOFILL, &old), path, nil, "set no-fill mode")
        return NetCDFFile(path: path, workingPath: path, ncid: id, creating: false)
    }

    /// Reopens a streamed file to append records (a resumed run).
    public static func openStreaming(_ path: String) throws(NetCDFError) -> NetCDFFile {
        let file = try open(path, writable: true)
        var old: Int32 = 0
        try nc(nc_set_fill(file.ncid, NC_NOFILL, &old), path, nil, "set no-fill mode")
        return file
    }

    /// Leaves define mode: data may be written from now on. The header keeps
    /// ``headerReserve`` bytes free, so attributes added later with
    /// ``redefine()`` rewrite the header in place instead of moving every
    /// record already written.
    public func endDefinitions() throws(NetCDFError) {
        try nc(nc__enddef(ncid, Self.headerReserve, 4, 0, 4), path, nil, "end definitions")
    }

    /// Free bytes kept after the header of a streamed file (64 KiB: a few
    /// resolved configurations).
    public static let headerReserve = 65_536

    /// Re-enters define mode on a streamed file (to add or change attributes);
    /// call ``endDefinitions()`` again before writing data.
    public func redefine() throws(NetCDFError) {
        try nc(nc_redef(ncid), path, nil, "re-enter define mode")
    }

    /// Writes everything buffered (data and the record count) to disk.
    public func sync() throws(NetCDFError) {
        try nc(nc_sync(ncid), path, nil, "sync")
    }

    /// Closes the file and renames it to `finalPath` (one atomic rename).
    public func finishStreaming(as finalPath: String) throws(NetCDFError) {
        try commit()
        if rename(path, finalPath) != 0 {
            let code = errno
            throw NetCDFError(path: finalPath, object: nil, operation: "rename from \(path)",
                              message: systemCause(code) ?? String(cString: strerror(code)), systemError: code)
        }
    }
}
