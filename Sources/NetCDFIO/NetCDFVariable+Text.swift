import CNetCDF

extension NetCDFVariable {
    /// One text value per record of a variable whose first dimension counts
    /// `records`, whatever way the file stores text: `string` [records];
    /// `char` [records] (one character each, as single-character flags such
    /// as a gain "H"/"M" are stored); `char` [records, width] (fixed-width
    /// rows, trailing NULs and blanks removed); or, for one record, a scalar
    /// `char` or a `char` [width] string.
    public func readText(records: Int) throws(NetCDFError) -> [String] {
        let shape = try shape()
        let type = try type()
        func mismatch() -> NetCDFError {
            NetCDFError(path: path, object: name, operation: "read text",
                        message: "\(type) variable of shape \(shape) does not hold \(records) text value(s)")
        }
        switch type {
        case .string:
            guard shape.reduce(1, *) == records, shape.first.map({ $0 == records }) ?? (records == 1) else { throw mismatch() }
            return try readStrings()
        case .char:
            if shape.count == 2, shape[0] == records { return try readCharacterRows() }
            if shape.count == 1, shape[0] == records {
                return try readCharacterBytes().map { byte in byte == 0 ? "" : String(decoding: [byte], as: UTF8.self) }
            }
            if records == 1, shape.count <= 1 {
                let bytes = try readCharacterBytes()
                return [String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self).trimmingTrailingBlanks()]
            }
            throw mismatch()
        default:
            throw NetCDFError(path: path, object: name, operation: "read text",
                              message: "is of type \(type), expected text (string or char)")
        }
    }

    /// Writes one text per row of a 2-D `char` variable [rows, width] from row `start`,
    /// padded with NULs; a text longer than `width` bytes is an error.
    public func writeCharacterRows(_ rows: [String], start: Int = 0, width: Int) throws(NetCDFError) {
        var bytes = [CChar](repeating: 0, count: rows.count * width)
        for (index, text) in rows.enumerated() {
            let utf8 = Array(text.utf8)
            guard utf8.count <= width else {
                throw NetCDFError(path: path, object: name, operation: "write characters",
                                  message: "'\(text)' has \(utf8.count) bytes, the rows hold \(width)")
            }
            for (offset, byte) in utf8.enumerated() { bytes[index * width + offset] = CChar(bitPattern: byte) }
        }
        guard !bytes.isEmpty else { return }
        try nc(nc_put_vara_text(ncid, varid, [start, 0], [rows.count, width], bytes), path, name, "write characters")
    }

    /// Every byte of a `char` variable.
    private func readCharacterBytes() throws(NetCDFError) -> [UInt8] {
        let shape = try shape()
        var bytes = [CChar](repeating: 0, count: shape.reduce(1, *))
        guard !bytes.isEmpty else { return [] }
        try nc(nc_get_vara_text(ncid, varid, [Int](repeating: 0, count: shape.count), shape, &bytes), path, name, "read characters")
        return bytes.map { UInt8(bitPattern: $0) }
    }
}
