import CNetCDF

/// The variable types RCAS reads and writes.
public enum NetCDFType: Sendable, Equatable, CustomStringConvertible {
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64, float, double, string, char

    var code: nc_type {
        switch self {
        case .int8: nc_type(NC_BYTE)
        case .uint8: nc_type(NC_UBYTE)
        case .int16: nc_type(NC_SHORT)
        case .uint16: nc_type(NC_USHORT)
        case .int32: nc_type(NC_INT)
        case .uint32: nc_type(NC_UINT)
        case .int64: nc_type(NC_INT64)
        case .uint64: nc_type(NC_UINT64)
        case .float: nc_type(NC_FLOAT)
        case .double: nc_type(NC_DOUBLE)
        case .string: nc_type(NC_STRING)
        case .char: nc_type(NC_CHAR)
        }
    }

    init?(code: nc_type) {
        switch Int32(code) {
        case NC_BYTE: self = .int8
        case NC_UBYTE: self = .uint8
        case NC_SHORT: self = .int16
        case NC_USHORT: self = .uint16
        case NC_INT: self = .int32
        case NC_UINT: self = .uint32
        case NC_INT64: self = .int64
        case NC_UINT64: self = .uint64
        case NC_FLOAT: self = .float
        case NC_DOUBLE: self = .double
        case NC_STRING: self = .string
        case NC_CHAR: self = .char
        default: return nil
        }
    }

    /// True for the integer types without a sign.
    public var isUnsigned: Bool { [.uint8, .uint16, .uint32, .uint64].contains(self) }

    /// True for every integer type.
    public var isInteger: Bool { ![.float, .double, .string, .char].contains(self) }

    public var description: String {
        switch self {
        case .int8: "byte"
        case .uint8: "ubyte"
        case .int16: "short"
        case .uint16: "ushort"
        case .int32: "int"
        case .uint32: "uint"
        case .int64: "int64"
        case .uint64: "uint64"
        case .float: "float"
        case .double: "double"
        case .string: "string"
        case .char: "char"
        }
    }
}

/// Numeric element types that can be read from and written to variables.
/// Reading converts from the stored type as NetCDF-C does (e.g. a `float`
/// variable read as `Double`); a value out of the target's range is an error.
public protocol NetCDFScalar: Sendable {
    static var netCDFType: NetCDFType { get }
    static var zero: Self { get }
    static func put(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>, _ count: UnsafePointer<Int>,
                    _ data: UnsafePointer<Self>) -> Int32
    static func get(_ ncid: Int32, _ varid: Int32, _ start: UnsafePointer<Int>, _ count: UnsafePointer<Int>,
                    _ data: UnsafeMutablePointer<Self>) -> Int32
}

extension Double: NetCDFScalar {
    public static var netCDFType: NetCDFType { .double }
    public static var zero: Double { 0 }
    public static func put(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafePointer<Double>) -> Int32 { nc_put_vara_double(n, v, s, c, d) }
    public static func get(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafeMutablePointer<Double>) -> Int32 { nc_get_vara_double(n, v, s, c, d) }
}
extension Float: NetCDFScalar {
    public static var netCDFType: NetCDFType { .float }
    public static var zero: Float { 0 }
    public static func put(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafePointer<Float>) -> Int32 { nc_put_vara_float(n, v, s, c, d) }
    public static func get(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafeMutablePointer<Float>) -> Int32 { nc_get_vara_float(n, v, s, c, d) }
}
extension Int32: NetCDFScalar {
    public static var netCDFType: NetCDFType { .int32 }
    public static var zero: Int32 { 0 }
    public static func put(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafePointer<Int32>) -> Int32 { nc_put_vara_int(n, v, s, c, d) }
    public static func get(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafeMutablePointer<Int32>) -> Int32 { nc_get_vara_int(n, v, s, c, d) }
}
extension Int64: NetCDFScalar {
    public static var netCDFType: NetCDFType { .int64 }
    public static var zero: Int64 { 0 }
    public static func put(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafePointer<Int64>) -> Int32 { nc_put_vara_longlong(n, v, s, c, d) }
    public static func get(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafeMutablePointer<Int64>) -> Int32 { nc_get_vara_longlong(n, v, s, c, d) }
}
extension Int8: NetCDFScalar {
    public static var netCDFType: NetCDFType { .int8 }
    public static var zero: Int8 { 0 }
    public static func put(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafePointer<Int8>) -> Int32 { nc_put_vara_schar(n, v, s, c, d) }
    public static func get(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafeMutablePointer<Int8>) -> Int32 { nc_get_vara_schar(n, v, s, c, d) }
}
extension UInt8: NetCDFScalar {
    public static var netCDFType: NetCDFType { .uint8 }
    public static var zero: UInt8 { 0 }
    public static func put(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafePointer<UInt8>) -> Int32 { nc_put_vara_uchar(n, v, s, c, d) }
    public static func get(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafeMutablePointer<UInt8>) -> Int32 { nc_get_vara_uchar(n, v, s, c, d) }
}

extension Int16: NetCDFScalar {
    public static var netCDFType: NetCDFType { .int16 }
    public static var zero: Int16 { 0 }
    public static func put(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafePointer<Int16>) -> Int32 { nc_put_vara_short(n, v, s, c, d) }
    public static func get(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafeMutablePointer<Int16>) -> Int32 { nc_get_vara_short(n, v, s, c, d) }
}
extension UInt16: NetCDFScalar {
    public static var netCDFType: NetCDFType { .uint16 }
    public static var zero: UInt16 { 0 }
    public static func put(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafePointer<UInt16>) -> Int32 { nc_put_vara_ushort(n, v, s, c, d) }
    public static func get(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafeMutablePointer<UInt16>) -> Int32 { nc_get_vara_ushort(n, v, s, c, d) }
}
extension UInt32: NetCDFScalar {
    public static var netCDFType: NetCDFType { .uint32 }
    public static var zero: UInt32 { 0 }
    public static func put(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafePointer<UInt32>) -> Int32 { nc_put_vara_uint(n, v, s, c, d) }
    public static func get(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafeMutablePointer<UInt32>) -> Int32 { nc_get_vara_uint(n, v, s, c, d) }
}
extension UInt64: NetCDFScalar {
    public static var netCDFType: NetCDFType { .uint64 }
    public static var zero: UInt64 { 0 }
    public static func put(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafePointer<UInt64>) -> Int32 { nc_put_vara_ulonglong(n, v, s, c, d) }
    public static func get(_ n: Int32, _ v: Int32, _ s: UnsafePointer<Int>, _ c: UnsafePointer<Int>,
                           _ d: UnsafeMutablePointer<UInt64>) -> Int32 { nc_get_vara_ulonglong(n, v, s, c, d) }
}

/// An attribute value.
public enum NetCDFAttribute: Sendable, Equatable {
    case text(String)
    case doubles([Double])
    case floats([Float])
    case int32s([Int32])
    case int64s([Int64])
    case int8s([Int8])
    case uint8s([UInt8])
    case int16s([Int16])
    case uint16s([UInt16])
    case uint32s([UInt32])
    case uint64s([UInt64])

    /// The value as numbers, when it is numeric.
    public var numbers: [Double]? {
        switch self {
        case .text: nil
        case .doubles(let v): v
        case .floats(let v): v.map(Double.init)
        case .int32s(let v): v.map(Double.init)
        case .int64s(let v): v.map(Double.init)
        case .int8s(let v): v.map(Double.init)
        case .uint8s(let v): v.map(Double.init)
        case .int16s(let v): v.map(Double.init)
        case .uint16s(let v): v.map(Double.init)
        case .uint32s(let v): v.map(Double.init)
        case .uint64s(let v): v.map(Double.init)
        }
    }

    /// The value as text, when it is text.
    public var text: String? {
        if case .text(let s) = self { return s }
        return nil
    }
}
