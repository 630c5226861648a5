import Foundation
import NetCDFIO

/// One per-record (or per-record-and-level) variable of an observation file
/// in RCAS units, with the problem that makes each value unusable.
struct ObservationColumn {
    /// The variable's name in the file (a path into groups where it is in one).
    let variable: String
    /// Values in RCAS units; NaN where unusable.
    private(set) var values: [Double]
    /// Why each value is unusable (nil: usable).
    private(set) var problems: [String?]

    init(variable: String, values: [Double], problems: [String?]) {
        self.variable = variable
        self.values = values
        self.problems = problems
    }

    init(variable: String, physical: PhysicalValues, factor: Double = 1) {
        self.variable = variable
        values = physical.values.map { $0 * factor }
        problems = physical.invalid.map { $0.map(\.description) }
    }

    /// Marks every usable value that fails `test` with `problem`.
    mutating func require(_ problem: String, _ test: (Double) -> Bool) {
        for index in values.indices where problems[index] == nil && !test(values[index]) {
            problems[index] = problem
            values[index] = .nan
        }
    }

    /// The usable values.
    var usable: [Double] { values.indices.compactMap { problems[$0] == nil ? values[$0] : nil } }

    /// "variable: problem" of the first unusable value of record `row`
    /// (`width` values per record), or nil when all are usable.
    func problem(row: Int, width: Int = 1) -> String? {
        for index in (row * width)..<((row + 1) * width) {
            if let problem = problems[index] { return "\(variable): \(problem)" }
        }
        return nil
    }
}

/// Reads the variables of an observation file with shape, type, unit and
/// plausibility checks whose errors name the file and the variable.
struct ObservationVariables {
    let file: NetCDFFile

    /// Earliest and latest times accepted (1900-01-01 and 2200-01-01, s since
    /// 1970): a time outside is a fill value or garbage, not an observation.
    static let plausibleTimes = -2_208_988_800.0 ... 7_258_118_400.0

    func fail(_ variable: String, _ message: String) -> ObservationError {
        ObservationError(file: file.path, variable: variable, message: message)
    }

    /// The variable, required to exist with `shape`.
    func variable(_ name: String, shape expected: [Int]) throws -> NetCDFVariable {
        guard let variable = try optionalVariable(name, shape: expected) else {
            throw fail(name, "required variable is missing")
        }
        return variable
    }

    /// The variable with `shape`, or nil when the file does not have it.
    func optionalVariable(_ name: String, shape expected: [Int]) throws -> NetCDFVariable? {
        guard file.root.hasVariable(name) else { return nil }
        let variable = try file.root.variable(name)
        let shape = try variable.shape()
        guard shape == expected else { throw fail(name, "has shape \(shape), expected \(expected)") }
        return variable
    }

    /// Physical values (packing, fill, missing, valid range applied).
    func column(_ name: String, shape: [Int]) throws -> ObservationColumn {
        ObservationColumn(variable: name, physical: try variable(name, shape: shape).readPhysical())
    }

    /// A mole fraction converted to ppm through its `units`. When most usable
    /// values are outside `plausible` after the conversion the variable as a
    /// whole is wrong (typically ppm labelled mol/mol): an error naming the
    /// file and the variable. Single values outside are marked unusable.
    func moleFraction(_ name: String, shape: [Int], plausible: ClosedRange<Double>) throws -> ObservationColumn {
        let variable = try variable(name, shape: shape)
        let units = try variable.units()
        let factor = try variable.moleFractionToPPM()
        var column = ObservationColumn(variable: name, physical: try variable.readPhysical(), factor: factor)
        let usable = column.usable
        let outside = usable.filter { !plausible.contains($0) }.count
        if !usable.isEmpty, 2 * outside > usable.count {
            let median = usable.sorted()[usable.count / 2]
            throw fail(name, "values are not plausible: with units '\(units)' the median is \(median) ppm, expected "
                + "\(plausible.lowerBound)-\(plausible.upperBound) ppm (are the units right?)")
        }
        column.require("outside \(plausible.lowerBound)-\(plausible.upperBound) ppm") { plausible.contains($0) }
        return column
    }

    /// Times in seconds since 1970-01-01T00:00:00Z through the variable's CF
    /// units; times outside 1900-2200 are marked unusable.
    func times(_ name: String, shape: [Int]) throws -> ObservationColumn {
        let variable = try variable(name, shape: shape)
        let units = try variable.timeUnits()
        var column = ObservationColumn(variable: name, physical: try variable.readPhysical())
        column.require("outside the plausible times 1900-2200") { Self.plausibleTimes.contains(units.secondsSince1970($0)) }
        column.convert { units.secondsSince1970($0) }
        return column
    }

    /// Integer codes (flags, modes, surface types): a value that is not one
    /// of `known` (a fill, 1e20, -3e38, 0.5) is marked unusable.
    func codes(_ name: String, shape: [Int], known: Set<Int>) throws -> ObservationColumn {
        var column = try column(name, shape: shape)
        let sorted = known.sorted()
        let described = sorted.count <= 8 ? "\(sorted)" : "\(sorted.first ?? 0)...\(sorted.last ?? 0)"
        column.require("not a known code \(described)") { value in
            guard let code = Int(exactly: value) else { return false }
            return known.contains(code)
        }
        return column
    }

    /// Record identifiers stored as 64-bit (or narrower) integers, exactly;
    /// nil where the value is a fill or not representable as Int64.
    func identifiers(_ name: String, count: Int) throws -> [Int64?] {
        let variable = try variable(name, shape: [count])
        let validity = try variable.readPhysical()
        let type = try variable.type()
        guard type.isInteger else { throw fail(name, "is of type \(type), expected an integer type") }
        let raw: [Int64?] = type == .uint64
            ? try variable.read(UInt64.self).map { Int64(exactly: $0) }
            : try variable.read(Int64.self).map { $0 }
        return raw.enumerated().map { validity.isValid($0.offset) ? $0.element : nil }
    }

    /// One text value per record (string, one-character char or char rows).
    func text(_ name: String, records: Int) throws -> [String] {
        guard file.root.hasVariable(name) else { throw fail(name, "required variable is missing") }
        return try file.root.variable(name).readText(records: records)
    }
}

extension ObservationColumn {
    /// Applies `transform` to every usable value.
    mutating func convert(_ transform: (Double) -> Double) {
        for index in values.indices where problems[index] == nil { values[index] = transform(values[index]) }
    }
}
