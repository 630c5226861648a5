import Foundation
import NetCDFIO

/// Reads one time record of meteorology variables from an open file and
/// checks every value before anything uses it: the `units` attribute must be
/// the quantity's unit or convert to it without ambiguity (``PhysicalQuantity``, NetCDFIO);
/// NaN, infinity, the variable's `_FillValue` or `missing_value` and the
/// NetCDF default fill (9.969209968386869e36, or anything as large) are
/// rejected, and so is a value outside the plausible range. Every error names
/// the file, the variable, the problem, the value, its index (i, j, k) and
/// the time. Shared by ``NetCDFMeteorology`` and ``WRFMeteorology``.
struct MetRecordReader {
    let file: NetCDFFile
    /// The record (index along the file's time dimension).
    let record: Int
    /// The time of that record, for messages.
    let time: String

    /// The NetCDF library's default fill for float and double variables.
    static let defaultFill = 9.969_209_968_386_869e36

    var path: String { file.path }

    /// Whether the file has variable `name`.
    func has(_ name: String) -> Bool { file.root.hasVariable(name) }

    /// The values of `name` at this record, in the canonical unit of
    /// `quantity`, row-major (last dimension fastest). The variable must have
    /// the time dimension first, then dimensions of `lengths`; with `names`
    /// the dimension names must match as well.
    ///
    /// With `window`, only those rows and columns of the last two dimensions
    /// are read and checked (a rank's part of the grid); the result keeps the
    /// whole record's layout with NaN elsewhere, and an error names the
    /// value's index in the whole record.
    func read(_ name: String, lengths: [Int], names: [String]? = nil, quantity: PhysicalQuantity,
              range: ClosedRange<Double>?, window: (rows: Range<Int>, columns: Range<Int>)? = nil) throws -> [Double] {
        let values = try readWindow(name, lengths: lengths, names: names, quantity: quantity, range: range, window: window)
        // A window over the whole record is the record itself.
        guard let window, window.rows.count * window.columns.count < lengths.suffix(2).reduce(1, *) else { return values }
        // Row by row into the whole record's layout.
        var record = [Double](repeating: .nan, count: lengths.reduce(1, *))
        let width = window.columns.count
        record.withUnsafeMutableBufferPointer { record in
            values.withUnsafeBufferPointer { values in
                for start in stride(from: 0, to: values.count, by: width) {
                    (record.baseAddress! + Self.recordIndex(start, window: window, lengths: lengths))
                        .update(from: values.baseAddress! + start, count: width)
                }
            }
        }
        return record
    }

    /// The values of `name` at this record as ``read(_:lengths:names:quantity:range:window:)``
    /// reads and checks them, but only the `window`'s (the whole record's
    /// without one), compactly: the leading dimensions, then the window's
    /// rows and columns, last index fastest. Errors name a value's index in
    /// the whole record.
    func readWindow(_ name: String, lengths: [Int], names: [String]? = nil, quantity: PhysicalQuantity,
                    range: ClosedRange<Double>?, window: (rows: Range<Int>, columns: Range<Int>)?) throws -> [Double] {
        guard has(name) else {
            throw NetCDFError(path: path, object: name, operation: "read meteorology",
                              message: "variable missing (needed: \(quantity.name) in \(quantity.canonicalUnit))")
        }
        let variable = try file.root.variable(name)
        let shape = try variable.shape(), dimensions = try variable.dimensionNames()
        let expectedNames = names.map { [dimensions.first ?? "time"] + $0 }
        guard shape.count == lengths.count + 1, Array(shape.dropFirst()) == lengths,
              expectedNames == nil || expectedNames == dimensions else {
            let wanted = (names ?? []).isEmpty ? "[time, \(lengths.map(String.init).joined(separator: ", "))]"
                : "(\(expectedNames!.joined(separator: ", "))) = [time, \(lengths.map(String.init).joined(separator: ", "))]"
            throw NetCDFError(path: path, object: name, operation: "read meteorology",
                              message: "shape \(shape) (\(dimensions.joined(separator: ", "))), expected \(wanted)")
        }
        guard record < shape[0] else {
            throw NetCDFError(path: path, object: name, operation: "read meteorology",
                              message: "has \(shape[0]) records, record \(record) is needed")
        }
        let conversion = try variable.unitConversion(to: quantity, operation: "read meteorology")
        let raw: [Double]
        if let window {
            let lead = Array(lengths.dropLast(2))
            raw = try variable.read(Double.self, start: [record] + lead.map { _ in 0 } + [window.rows.lowerBound, window.columns.lowerBound],
                                    count: [1] + lead + [window.rows.count, window.columns.count])
        } else {
            raw = try variable.read(Double.self, start: [record] + lengths.map { _ in 0 }, count: [1] + lengths)
        }
        let fills = try ["_FillValue", "missing_value"].flatMap { (attribute: String) throws(NetCDFError) -> [Double] in
            try variable.attribute(attribute)?.numbers ?? []
        }
        // One tight pass converts and tests every value (NaN fails every
        // comparison); the message is worked out only for the first bad one.
        let lower = range?.lowerBound ?? -.infinity, upper = range?.upperBound ?? .infinity
        let scale = conversion.scale, offset = conversion.offset
        var values = [Double](repeating: 0, count: raw.count)
        var firstBad = raw.count
        raw.withUnsafeBufferPointer { input in
            values.withUnsafeMutableBufferPointer { output in
                for n in 0..<input.count {
                    let converted = input[n] * scale + offset
                    output[n] = converted
                    if !(abs(input[n]) < 9.9e36 && converted >= lower && converted <= upper) { firstBad = n; break }
                }
            }
        }
        if !fills.isEmpty, let n = raw.prefix(firstBad).firstIndex(where: fills.contains) { firstBad = n }
        if firstBad < raw.count {
            let value = raw[firstBad], converted = value * scale + offset
            let problem = value.isNaN ? "NaN" : !value.isFinite ? "infinite value"
                : fills.contains(value) || abs(value) >= 9.9e36 ? "fill value \(value) (missing data)"
                : "value \(converted) \(quantity.canonicalUnit) outside the plausible range \(lower)...\(upper)"
            let index = window.map { Self.recordIndex(firstBad, window: $0, lengths: lengths) } ?? firstBad
            throw valueError(name, problem, index: index, lengths: lengths, dimensions: Array(dimensions.dropFirst()))
        }
        return values
    }

    /// The index in the whole record (`lengths`) of value `n` of the part
    /// read with `window` (rows and columns of the last two dimensions).
    static func recordIndex(_ n: Int, window: (rows: Range<Int>, columns: Range<Int>), lengths: [Int]) -> Int {
        let columns = window.columns.count, rows = window.rows.count
        let i = n % columns, j = (n / columns) % rows, outer = n / (columns * rows)
        return (outer * lengths[lengths.count - 2] + window.rows.lowerBound + j) * lengths[lengths.count - 1]
            + window.columns.lowerBound + i
    }

    /// An error about the value at flat index `n` of a record of `name`.
    func valueError(_ name: String, _ problem: String, index n: Int, lengths: [Int], dimensions: [String]) -> NetCDFError {
        NetCDFError(path: path, object: name, operation: "read meteorology",
                    message: "\(problem) at \(Self.position(n, lengths: lengths, dimensions: dimensions)), time \(time) (record \(record))")
    }

    /// "(i, j, k) = (7, 5, 2) [x_face, y, z]": the index of flat position `n`
    /// in a row-major array of `lengths`, innermost (i) first.
    static func position(_ n: Int, lengths: [Int], dimensions: [String]) -> String {
        var rest = n, index: [Int] = []
        for length in lengths.reversed() { index.append(rest % max(length, 1)); rest /= max(length, 1) }
        let letters = ["i", "j", "k", "l"].prefix(index.count)
        return "(\(letters.joined(separator: ", "))) = (\(index.map(String.init).joined(separator: ", "))) [\(dimensions.reversed().joined(separator: ", "))]"
    }
}
