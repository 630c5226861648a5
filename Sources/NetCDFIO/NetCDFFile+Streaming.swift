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

    /// Leaves define mode: data may be written from now on.
    public func endDefinitions() throws(NetCDFError) {
        try nc(nc_enddef(ncid), path, nil, "end definitions")
    }

    /// Writes everything buffered (data and the record count) to disk.
    public func sync() throws(NetCDFError) {
        try nc(nc_sync(ncid), path, nil, "sync")
    }

    /// Closes the file and renames it to `finalPath` (one atomic rename).
    public func finishStreaming(as finalPath: String) throws(NetCDFError) {
        try commit()
        if rename(path, finalPath) != 0 {
            throw NetCDFError(path: finalPath, object: nil, operation: "rename from \(path)",
                              message: String(cString: strerror(errno)))
        }
    }
}

extension NetCDFVariable {
    /// Writes rows `start..<start + rows.count` of a 2-D `char` variable
    /// (rows, width): each text NUL-padded to the width; a longer text is an error.
    public func writeCharacterRows(_ rows: [String], start: Int, width: Int) throws(NetCDFError) {
        var bytes = [CChar](repeating: 0, count: rows.count * width)
        for (r, text) in rows.enumerated() {
            let utf8 = Array(text.utf8)
            guard utf8.count <= width else {
                throw NetCDFError(path: path, object: name, operation: "write characters",
                                  message: "'\(text)' is longer than \(width) bytes")
            }
            for (b, byte) in utf8.enumerated() { bytes[r * width + b] = CChar(bitPattern: byte) }
        }
        guard !rows.isEmpty else { return }
        try nc(nc_put_vara_text(ncid, varid, [start, 0], [rows.count, width], bytes), path, name, "write characters")
    }
}
