import CNetCDF
import Foundation

/// A variable of a NetCDF group: its metadata, attributes and data.
public struct NetCDFVariable {
    let group: NetCDFGroup
    let varid: Int32
    /// The name it was opened by (a path into subgroups where that was used).
    public let name: String

    var ncid: Int32 { group.ncid }
    var path: String { group.path }

    /// The stored type.
    public func type() throws(NetCDFError) -> NetCDFType {
        var code: nc_type = 0
        try nc(nc_inq_vartype(ncid, varid, &code), path, name, "read type")
        guard let type = NetCDFType(code: code) else {
            throw NetCDFError(path: path, object: name, operation: "read type",
                              message: "unsupported NetCDF type code \(code)")
        }
        return type
    }

    /// Dimension names, outermost first.
    public func dimensionNames() throws(NetCDFError) -> [String] {
        try dimensionIDs().map { (id: Int32) throws(NetCDFError) -> String in try group.dimensionName(id) }
    }

    /// Current dimension lengths, outermost first.
    public func shape() throws(NetCDFError) -> [Int] {
        try dimensionIDs().map { (id: Int32) throws(NetCDFError) -> Int in
            var length = 0
            try nc(nc_inq_dimlen(ncid, id, &length), path, name, "read dimension length")
            return length
        }
    }

    private func dimensionIDs() throws(NetCDFError) -> [Int32] {
        var rank: Int32 = 0
        try nc(nc_inq_varndims(ncid, varid, &rank), path, name, "read rank")
        var ids = [Int32](repeating: 0, count: Int(rank))
        try nc(nc_inq_vardimid(ncid, varid, &ids), path, name, "read dimensions")
        return ids
    }

    /// Start and count of a hyperslab, defaulting to the whole variable.
    private func region(_ start: [Int]?, _ count: [Int]?) throws(NetCDFError) -> ([Int], [Int]) {
        let shape = try shape()
        let s = start ?? [Int](repeating: 0, count: shape.count)
        let c = count ?? zip(shape, s).map { $0 - $1 }
        guard s.count == shape.count, c.count == shape.count else {
            throw NetCDFError(path: path, object: name, operation: "select hyperslab",
                              message: "variable has \(shape.count) dimensions, start/count have \(s.count)/\(c.count)")
        }
        return (s, c)
    }

    /// Writes `values` (row-major, last dimension fastest) into the hyperslab
    /// `start`/`count`, by default the whole variable.
    public func write<T: NetCDFScalar>(_ values: [T], start: [Int]? = nil, count: [Int]? = nil) throws(NetCDFError) {
        try write(values[...], start: start, count: count)
    }

    /// Writes a contiguous part of an array into the hyperslab `start`/`count`, without copying it.
    public func write<T: NetCDFScalar>(_ values: ArraySlice<T>, start: [Int]? = nil, count: [Int]? = nil) throws(NetCDFError) {
        let (s, c) = try region(start, count)
        let expected = c.reduce(1, *)
        guard values.count == expected else {
            throw NetCDFError(path: path, object: name, operation: "write",
                              message: "\(values.count) values given for a hyperslab of \(expected) (\(c))")
        }
        try nc(values.withUnsafeBufferPointer { T.put(ncid, varid, s, c, $0.baseAddress ?? UnsafePointer(bitPattern: 8)!) },
               path, name, "write \(T.self) hyperslab start \(s) count \(c)")
    }

    /// Reads the hyperslab `start`/`count` (by default the whole variable),
    /// converting to `T`.
    public func read<T: NetCDFScalar>(_: T.Type = Double.self, start: [Int]? = nil,
                                      count: [Int]? = nil) throws(NetCDFError) -> [T] {
        let (s, c) = try region(start, count)
        let n = c.reduce(1, *)
        guard n > 0 else { return [] }
        // The library fills the array's storage directly: filling it with
        // zeros first cost as much as the read (generic code, element by element).
        do {
            return try [T](unsafeUninitializedCapacity: n) { buffer, initialized in
                try nc(T.get(ncid, varid, s, c, buffer.baseAddress!), path, name, "read as \(T.self) start \(s) count \(c)")
                initialized = n
            }
        } catch {
            throw error as! NetCDFError
        }
    }

    /// Writes a `string` variable's hyperslab.
    public func writeStrings(_ values: [String], start: [Int]? = nil, count: [Int]? = nil) throws(NetCDFError) {
        let (s, c) = try region(start, count)
        guard values.count == c.reduce(1, *) else {
            throw NetCDFError(path: path, object: name, operation: "write strings",
                              message: "\(values.count) strings given for a hyperslab of \(c.reduce(1, *))")
        }
        var pointers: [UnsafePointer<CChar>?] = values.map { UnsafePointer(strdup($0)) }
        defer { for p in pointers { free(UnsafeMutablePointer(mutating: p)) } }
        try nc(nc_put_vara_string(ncid, varid, s, c, &pointers), path, name, "write strings")
    }

    /// Reads a `string` variable's hyperslab.
    public func readStrings(start: [Int]? = nil, count: [Int]? = nil) throws(NetCDFError) -> [String] {
        let (s, c) = try region(start, count)
        let n = c.reduce(1, *)
        guard n > 0 else { return [] }
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
        try nc(nc_get_vara_string(ncid, varid, s, c, &pointers), path, name, "read strings")
        defer { withNetCDFLock { _ = nc_free_string(n, &pointers) } }
        return pointers.map { $0.map { String(cString: $0) } ?? "" }
    }

    /// Reads a 2-D `char` variable as one string per row (trailing NULs and
    /// blanks removed), as older files store identifiers.
    public func readCharacterRows() throws(NetCDFError) -> [String] {
        let shape = try shape()
        guard shape.count == 2 else {
            throw NetCDFError(path: path, object: name, operation: "read character rows",
                              message: "expected 2 dimensions (rows, characters), found \(shape.count)")
        }
        var bytes = [CChar](repeating: 0, count: shape[0] * shape[1])
        if !bytes.isEmpty {
            try nc(nc_get_vara_text(ncid, varid, [0, 0], shape, &bytes), path, name, "read characters")
        }
        return (0..<shape[0]).map { row in
            let slice = bytes[(row * shape[1])..<((row + 1) * shape[1])].map { UInt8(bitPattern: $0) }
            let text = String(decoding: slice.prefix { $0 != 0 }, as: UTF8.self)
            return text.trimmingTrailingBlanks()
        }
    }

    // MARK: attributes

    /// Sets an attribute of this variable.
    public func setAttribute(_ attributeName: String, _ value: NetCDFAttribute) throws(NetCDFError) {
        try putAttribute(ncid: ncid, varid: varid, name: attributeName, value: value, path: path, owner: name)
    }

    /// An attribute of this variable, or nil when absent.
    public func attribute(_ attributeName: String) throws(NetCDFError) -> NetCDFAttribute? {
        try getAttribute(ncid: ncid, varid: varid, name: attributeName, path: path, owner: name)
    }

    /// Names of this variable's attributes.
    public func attributeNames() throws(NetCDFError) -> [String] {
        try listAttributes(ncid: ncid, varid: varid, path: path, owner: name)
    }
}

extension String {
    func trimmingTrailingBlanks() -> String {
        var result = self
        while let last = result.last, last == " " { result.removeLast() }
        return result
    }
}

// MARK: attribute plumbing shared by groups and variables

func putAttribute(ncid: Int32, varid: Int32, name: String, value: NetCDFAttribute, path: String,
                  owner: String? = nil) throws(NetCDFError) {
    let object = owner.map { "\($0):\(name)" } ?? name
    try nc(putAttributeStatus(ncid, varid, name, value), path, object, "write attribute")
}

private func putAttributeStatus(_ ncid: Int32, _ varid: Int32, _ name: String, _ value: NetCDFAttribute) -> Int32 {
    switch value {
    case .text(let text):
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { nc_put_att_text(ncid, varid, name, buffer.count, $0.baseAddress) }
        }
    case .doubles(let v): return nc_put_att_double(ncid, varid, name, nc_type(NC_DOUBLE), v.count, v)
    case .floats(let v): return nc_put_att_float(ncid, varid, name, nc_type(NC_FLOAT), v.count, v)
    case .int32s(let v): return nc_put_att_int(ncid, varid, name, nc_type(NC_INT), v.count, v)
    case .int64s(let v): return nc_put_att_longlong(ncid, varid, name, nc_type(NC_INT64), v.count, v)
    case .int8s(let v): return nc_put_att_schar(ncid, varid, name, nc_type(NC_BYTE), v.count, v)
    case .uint8s(let v): return nc_put_att_uchar(ncid, varid, name, nc_type(NC_UBYTE), v.count, v)
    case .int16s(let v): return nc_put_att_short(ncid, varid, name, nc_type(NC_SHORT), v.count, v)
    case .uint16s(let v): return nc_put_att_ushort(ncid, varid, name, nc_type(NC_USHORT), v.count, v)
    case .uint32s(let v): return nc_put_att_uint(ncid, varid, name, nc_type(NC_UINT), v.count, v)
    case .uint64s(let v): return nc_put_att_ulonglong(ncid, varid, name, nc_type(NC_UINT64), v.count, v)
    }
}

func getAttribute(ncid: Int32, varid: Int32, name: String, path: String,
                  owner: String? = nil) throws(NetCDFError) -> NetCDFAttribute? {
    let object = owner.map { "\($0):\(name)" } ?? name
    var type: nc_type = 0
    var length = 0
    let status = withNetCDFLock { nc_inq_att(ncid, varid, name, &type, &length) }
    if status == NC_ENOTATT { return nil }
    try nc(status, path, object, "read attribute")
    switch Int32(type) {
    case NC_CHAR:
        var bytes = [CChar](repeating: 0, count: length + 1)
        try nc(nc_get_att_text(ncid, varid, name, &bytes), path, object, "read attribute")
        return .text(String(decoding: bytes.prefix(length).map { UInt8(bitPattern: $0) }.prefix { $0 != 0 },
                            as: UTF8.self))
    case NC_STRING:
        var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: length)
        try nc(nc_get_att_string(ncid, varid, name, &pointers), path, object, "read attribute")
        defer { withNetCDFLock { _ = nc_free_string(length, &pointers) } }
        return .text(pointers.compactMap { $0.map { String(cString: $0) } }.joined(separator: "\n"))
    case NC_FLOAT: return .floats(try values(Float(0), nc_get_att_float))
    case NC_INT: return .int32s(try values(Int32(0), nc_get_att_int))
    case NC_INT64: return .int64s(try values(Int64(0), nc_get_att_longlong))
    case NC_BYTE: return .int8s(try values(Int8(0), nc_get_att_schar))
    case NC_UBYTE: return .uint8s(try values(UInt8(0), nc_get_att_uchar))
    case NC_SHORT: return .int16s(try values(Int16(0), nc_get_att_short))
    case NC_USHORT: return .uint16s(try values(UInt16(0), nc_get_att_ushort))
    case NC_UINT: return .uint32s(try values(UInt32(0), nc_get_att_uint))
    case NC_UINT64: return .uint64s(try values(UInt64(0), nc_get_att_ulonglong))
    default: return .doubles(try values(Double(0), nc_get_att_double))
    }

    /// The attribute's values read by `get`, the NetCDF-C reader for `T`.
    func values<T>(_ zero: T, _ get: (Int32, Int32, UnsafePointer<CChar>, UnsafeMutablePointer<T>) -> Int32) throws(NetCDFError) -> [T] {
        var v = [T](repeating: zero, count: length)
        guard length > 0 else { return v }
        try nc(v.withUnsafeMutableBufferPointer { get(ncid, varid, name, $0.baseAddress!) }, path, object, "read attribute")
        return v
    }
}

func listAttributes(ncid: Int32, varid: Int32, path: String, owner: String? = nil) throws(NetCDFError) -> [String] {
    var count: Int32 = 0
    if varid == NC_GLOBAL {
        try nc(nc_inq_natts(ncid, &count), path, owner, "count attributes")
    } else {
        try nc(nc_inq_varnatts(ncid, varid, &count), path, owner, "count attributes")
    }
    return try (0..<count).map { (index: Int32) throws(NetCDFError) -> String in
        var buffer = [CChar](repeating: 0, count: Int(NC_MAX_NAME) + 1)
        try nc(nc_inq_attname(ncid, varid, index, &buffer), path, owner, "read attribute name")
        return decodeName(buffer)
    }
}
