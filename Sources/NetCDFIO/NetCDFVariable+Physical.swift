import CNetCDF
import Foundation

/// Why a value read by ``NetCDFVariable/readPhysical(start:count:)`` is not data.
public enum InvalidValue: UInt8, Sendable, CustomStringConvertible {
    /// Equal to the variable's `_FillValue`, or to the library's default fill
    /// for its type when it has none.
    case fillValue
    /// Equal to one of the variable's `missing_value` values.
    case missingValue
    /// Outside `valid_min` / `valid_max` / `valid_range`.
    case outsideValidRange
    /// NaN or infinite.
    case notFinite

    public var description: String {
        switch self {
        case .fillValue: "fill value"
        case .missingValue: "missing value"
        case .outsideValidRange: "outside the valid range"
        case .notFinite: "not finite"
        }
    }
}

/// The values of a variable as CF readers see them: packing applied, with a
/// mark on every value that is not data. Invalid values hold NaN.
public struct PhysicalValues: Sendable {
    /// Unpacked values (`packed × scale_factor + add_offset`), NaN where invalid.
    public let values: [Double]
    /// Why each value is invalid; nil for data.
    public let invalid: [InvalidValue?]

    /// True when value `index` is data.
    public func isValid(_ index: Int) -> Bool { invalid[index] == nil }

    /// Number of values that are not data.
    public var invalidCount: Int { invalid.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }
}

/// The NetCDF library's default fill values (netcdf.h `NC_FILL_*`): a value
/// never written reads as these, so CF readers treat them as missing when a
/// variable sets no `_FillValue`.
public enum NetCDFDefaultFill {
    /// `NC_FILL_FLOAT` and `NC_FILL_DOUBLE`.
    public static let real = 9.9692099683868690e+36
    public static let byte: Int64 = -127
    public static let short: Int64 = -32767
    public static let int: Int64 = -2_147_483_647
    public static let int64: Int64 = -9_223_372_036_854_775_806
    public static let ubyte: UInt64 = 255
    public static let ushort: UInt64 = 65535
    public static let uint: UInt64 = 4_294_967_295
    public static let uint64: UInt64 = 18_446_744_073_709_551_614
}

extension NetCDFVariable {
    /// Reads the hyperslab `start`/`count` (by default the whole variable) as
    /// physical values, the way CF and the NetCDF User Guide define them:
    ///
    /// - validity is decided on the stored (packed) values, in the variable's
    ///   own type (an unsigned `_FillValue` stays unsigned; 64-bit integers
    ///   are compared exactly): `_FillValue` (or, without one, the library's
    ///   default fill for the type, except for the one-byte types, which hold
    ///   flags more often than data, as netCDF4-python does), every
    ///   `missing_value`, and `valid_min` / `valid_max` / `valid_range`
    ///   (compared with the packed values, as CF and netCDF4-python do);
    /// - unpacking: `packed × scale_factor + add_offset`, rounded to `float`
    ///   when those attributes are `float` (CF: the unpacked type is theirs);
    /// - NaN and infinity are invalid too.
    ///
    /// Text variables are an error.
    public func readPhysical(start: [Int]? = nil, count: [Int]? = nil) throws(NetCDFError) -> PhysicalValues {
        let type = try type()
        let packing = try Packing(variable: self)
        switch type {
        case .string, .char:
            throw NetCDFError(path: path, object: name, operation: "read numbers", message: "is text (\(type)), expected numbers")
        case .float:
            let raw = try read(Float.self, start: start, count: count)
            return try classify(raw, markers: markers(Float.self, defaultFill: Float(NetCDFDefaultFill.real)),
                                packing: packing, double: { Double($0) })
        case .double:
            let raw = try read(Double.self, start: start, count: count)
            return try classify(raw, markers: markers(Double.self, defaultFill: NetCDFDefaultFill.real),
                                packing: packing, double: { $0 })
        case .uint8, .uint16, .uint32, .uint64:
            let raw = try read(UInt64.self, start: start, count: count)
            let fill: UInt64? = switch type {
            case .uint16: NetCDFDefaultFill.ushort
            case .uint32: NetCDFDefaultFill.uint
            case .uint64: NetCDFDefaultFill.uint64
            default: nil
            }
            return try classify(raw, markers: markers(UInt64.self, defaultFill: fill),
                                packing: packing, double: { Double($0) })
        default:
            let raw = try read(Int64.self, start: start, count: count)
            let fill: Int64? = switch type {
            case .int16: NetCDFDefaultFill.short
            case .int32: NetCDFDefaultFill.int
            case .int64: NetCDFDefaultFill.int64
            default: nil
            }
            return try classify(raw, markers: markers(Int64.self, defaultFill: fill),
                                packing: packing, double: { Double($0) })
        }
    }

    private func classify<T: Comparable>(_ raw: [T], markers: Markers<T>, packing: Packing,
                                         double: (T) -> Double) -> PhysicalValues {
        var values = [Double](repeating: .nan, count: raw.count)
        var invalid = [InvalidValue?](repeating: nil, count: raw.count)
        for (index, stored) in raw.enumerated() {
            let storedDouble = double(stored)
            let reason: InvalidValue?
            if !storedDouble.isFinite {
                reason = .notFinite
            } else if let fill = markers.fill, stored == fill {
                reason = .fillValue
            } else if markers.missing.contains(stored) {
                reason = .missingValue
            } else if let low = markers.validMin, stored < low {
                reason = .outsideValidRange
            } else if let high = markers.validMax, stored > high {
                reason = .outsideValidRange
            } else {
                let unpacked = packing.unpack(storedDouble)
                reason = unpacked.isFinite ? nil : .notFinite
                if reason == nil { values[index] = unpacked }
            }
            invalid[index] = reason
        }
        return PhysicalValues(values: values, invalid: invalid)
    }

    /// `_FillValue`, `missing_value` and the valid range, read in the stored
    /// (packed) type, as CF requires them to be.
    private func markers<T: RawAttributeElement>(_: T.Type, defaultFill: T?) throws(NetCDFError) -> Markers<T> {
        var result = Markers<T>()
        result.fill = try rawAttribute("_FillValue", as: T.self)?.first ?? defaultFill
        result.missing = try rawAttribute("missing_value", as: T.self) ?? []
        let range = try rawAttribute("valid_range", as: T.self)
        if let range, range.count != 2 {
            throw NetCDFError(path: path, object: "\(name):valid_range", operation: "read attribute",
                              message: "has \(range.count) values, expected 2")
        }
        result.validMin = try rawAttribute("valid_min", as: T.self)?.first ?? range?.first
        result.validMax = try rawAttribute("valid_max", as: T.self)?.first ?? range?.last
        return result
    }

    /// The stored type of an attribute of this variable, or nil when absent.
    func attributeType(_ attributeName: String) throws(NetCDFError) -> NetCDFType? {
        var code: nc_type = 0
        var length = 0
        let status = withNetCDFLock { nc_inq_att(ncid, varid, attributeName, &code, &length) }
        if status == NC_ENOTATT { return nil }
        try nc(status, path, "\(name):\(attributeName)", "read attribute")
        return NetCDFType(code: code)
    }

    /// A numeric attribute converted by the library to `T` (the variable's own
    /// type), so comparisons with stored values are exact.
    private func rawAttribute<T: RawAttributeElement>(_ attributeName: String, as _: T.Type) throws(NetCDFError) -> [T]? {
        var code: nc_type = 0
        var length = 0
        let status = withNetCDFLock { nc_inq_att(ncid, varid, attributeName, &code, &length) }
        if status == NC_ENOTATT { return nil }
        try nc(status, path, "\(name):\(attributeName)", "read attribute")
        guard code != nc_type(NC_CHAR), code != nc_type(NC_STRING) else {
            throw NetCDFError(path: path, object: "\(name):\(attributeName)", operation: "read attribute",
                              message: "is text, expected a number")
        }
        guard length > 0 else { return [] }
        var values = [T](repeating: T.zero, count: length)
        let converted = withNetCDFLock {
            values.withUnsafeMutableBufferPointer { T.getAttribute(ncid, varid, attributeName, $0.baseAddress!) }
        }
        guard converted == NC_ERANGE else {
            try nc(converted, path, "\(name):\(attributeName)", "read attribute as the variable's type")
            return values
        }
        // A marker the stored type cannot hold (e.g. -999999 on an unsigned
        // variable) can never equal a stored value: keep only the ones it can.
        var numbers = [Double](repeating: 0, count: length)
        try nc(nc_get_att_double(ncid, varid, attributeName, &numbers), path, "\(name):\(attributeName)", "read attribute")
        return numbers.compactMap(T.exactly)
    }
}

/// Fill, missing and valid-range markers of one variable in its stored type.
private struct Markers<T> {
    var fill: T?
    var missing: [T] = []
    var validMin: T?
    var validMax: T?
}

/// CF packing of a variable: `scale_factor` and `add_offset`.
private struct Packing {
    var scale = 1.0
    var offset = 0.0
    var isPacked = false
    /// The type of the packing attributes (the unpacked type, per CF).
    var unpackedType: NetCDFType?

    init(variable: NetCDFVariable) throws(NetCDFError) {
        for attributeName in ["scale_factor", "add_offset"] {
            guard let attribute = try variable.attribute(attributeName) else { continue }
            guard let numbers = attribute.numbers, numbers.count == 1, let number = numbers.first, number.isFinite else {
                throw NetCDFError(path: variable.path, object: "\(variable.name):\(attributeName)", operation: "read packing",
                                  message: "must be one finite number")
            }
            if attributeName == "scale_factor" { scale = number } else { offset = number }
            isPacked = true
            unpackedType = try variable.attributeType(attributeName)
        }
    }

    func unpack(_ stored: Double) -> Double {
        guard isPacked else { return stored }
        let value = stored * scale + offset
        return unpackedType == .float ? Double(Float(value)) : value
    }
}

/// Element types in which attributes can be read with the library's conversion.
protocol RawAttributeElement: Comparable {
    static var zero: Self { get }
    static func exactly(_ value: Double) -> Self?
    static func getAttribute(_ ncid: Int32, _ varid: Int32, _ name: String, _ data: UnsafeMutablePointer<Self>) -> Int32
}

extension Float: RawAttributeElement {
    static func exactly(_ value: Double) -> Float? { Float(exactly: value) }
    static func getAttribute(_ n: Int32, _ v: Int32, _ a: String, _ d: UnsafeMutablePointer<Float>) -> Int32 {
        nc_get_att_float(n, v, a, d)
    }
}
extension Double: RawAttributeElement {
    static func exactly(_ value: Double) -> Double? { Double(exactly: value) }
    static func getAttribute(_ n: Int32, _ v: Int32, _ a: String, _ d: UnsafeMutablePointer<Double>) -> Int32 {
        nc_get_att_double(n, v, a, d)
    }
}
extension Int64: RawAttributeElement {
    static func exactly(_ value: Double) -> Int64? { Int64(exactly: value) }
    static func getAttribute(_ n: Int32, _ v: Int32, _ a: String, _ d: UnsafeMutablePointer<Int64>) -> Int32 {
        nc_get_att_longlong(n, v, a, d)
    }
}
extension UInt64: RawAttributeElement {
    static func exactly(_ value: Double) -> UInt64? { UInt64(exactly: value) }
    static func getAttribute(_ n: Int32, _ v: Int32, _ a: String, _ d: UnsafeMutablePointer<UInt64>) -> Int32 {
        nc_get_att_ulonglong(n, v, a, d)
    }
}
