import Foundation
import NetCDFIO

/// An input file opened for reading; it keeps its path for error messages.
final class InputFile {
    let path: String
    private let file: NetCDFFile

    /// Opens `path` (a missing or unreadable file fails naming it).
    init(_ path: String) throws {
        self.path = path
        file = try NetCDFFile.open(path)
    }

    deinit { file.close() }

    var root: NetCDFGroup { file.root }

    func hasVariable(_ name: String) -> Bool { root.hasVariable(name) }

    /// The variable `name`, or an error naming the file and the variable.
    func variable(_ name: String) throws -> NetCDFVariable {
        guard root.hasVariable(name) else {
            throw InputFileError(path: path, variable: name, message: "variable not found")
        }
        return try root.variable(name)
    }
}

/// The input file read last, kept open for the next read: a series of
/// files is read period by period, several periods a file, and opening a
/// NetCDF-4 file costs more than reading one period of it. Not locked: its
/// owner reads under its own lock.
final class LastInputFile: @unchecked Sendable {
    private var last: InputFile?

    /// `path` opened, or the file already open when it is the last one read.
    func open(_ path: String) throws -> InputFile {
        if let last, last.path == path { return last }
        last = nil
        let file = try InputFile(path)
        last = file
        return file
    }
}

/// The NetCDF library's default fill value for float and double variables
/// (NC_FILL_FLOAT and NC_FILL_DOUBLE, both 9.969209968386869e36 as doubles).
let netCDFDefaultFill = 9.969209968386869e36

/// True for the NetCDF default fill value (float or double).
func isNetCDFDefaultFill(_ value: Double) -> Bool {
    abs(value / netCDFDefaultFill - 1) < 1e-6
}

/// A float or double data variable of an input file, read as Doubles and
/// checked value by value: NaN, infinity, the variable's `_FillValue` or
/// `missing_value`, and the NetCDF default fill are reported, never used.
/// Packed variables (`scale_factor`, `add_offset`) and integer types are
/// refused: these readers take unpacked floating-point data only.
struct DataVariable {
    let file: InputFile
    let name: String
    let variable: NetCDFVariable
    let dimensions: [String]
    let shape: [Int]
    /// The declared fill and missing values.
    let fillValues: [Double]

    init(_ file: InputFile, _ name: String) throws {
        self.file = file
        self.name = name
        variable = try file.variable(name)
        let type = try variable.type()
        guard type == .float || type == .double else {
            throw InputFileError(path: file.path, variable: name, message: "has type \(type); expected float or double")
        }
        for packing in ["scale_factor", "add_offset"] where try variable.attribute(packing) != nil {
            throw InputFileError(path: file.path, variable: name,
                                 message: "is packed ('\(packing)'); unpack it first (e.g. `ncpdq -U`), packed data are not supported here")
        }
        dimensions = try variable.dimensionNames()
        shape = try variable.shape()
        var fills: [Double] = []
        for attribute in ["_FillValue", "missing_value"] {
            if let values = try variable.attribute(attribute)?.numbers { fills += values }
        }
        fillValues = fills
    }

    /// Why `value` is not data, or nil when it is.
    func problem(with value: Double) -> ValueProblem? {
        if value.isNaN { return .notANumber }
        if value.isInfinite { return .infinite }
        if isNetCDFDefaultFill(value) { return .defaultFill }
        if fillValues.contains(value) { return .declaredFill }
        return nil
    }

    /// The hyperslab `start`/`count` as Doubles (not yet checked).
    func read(start: [Int], count: [Int]) throws -> [Double] {
        try variable.read(Double.self, start: start, count: count)
    }

    /// The file index of element `offset` of a hyperslab read at `start`
    /// with `count`, as "[time 3, latitude 120, longitude 290]".
    func indexText(offset: Int, start: [Int], count: [Int]) -> String {
        var remainder = offset
        var indices = [Int](repeating: 0, count: count.count)
        for axis in stride(from: count.count - 1, through: 0, by: -1) {
            indices[axis] = start[axis] + remainder % max(count[axis], 1)
            remainder /= max(count[axis], 1)
        }
        return "[" + zip(dimensions, indices).map { "\($0) \($1)" }.joined(separator: ", ") + "]"
    }

    /// An error about the value at `offset` of a hyperslab.
    func badValue(_ value: Double, offset: Int, start: [Int], count: [Int], _ problem: ValueProblem) -> InputFileError {
        badValue(value, offset: offset, start: start, count: count, problem.description)
    }

    /// An error about the value at `offset` of a hyperslab.
    func badValue(_ value: Double, offset: Int, start: [Int], count: [Int], _ reason: String) -> InputFileError {
        InputFileError(path: file.path, variable: name,
                       message: "value \(value) at \(indexText(offset: offset, start: start, count: count)) is \(reason)")
    }
}

/// Why a stored value is not data.
enum ValueProblem: CustomStringConvertible {
    case notANumber, infinite, defaultFill, declaredFill

    /// NaN and fill values mark missing data (as opposed to a corrupt infinity).
    var isMissing: Bool { self != .infinite }

    var description: String {
        switch self {
        case .notANumber: "NaN"
        case .infinite: "infinite"
        case .defaultFill: "the NetCDF default fill value"
        case .declaredFill: "the variable's _FillValue/missing_value"
        }
    }
}
