import Foundation

/// One cell of a report table.
public enum ReportValue: Sendable, Hashable {
    case int(Int)
    case number(Double)
    case text(String)
    case bool(Bool)
    /// Undefined (e.g. a correlation of fewer than two pairs); JSON `null`, empty in CSV.
    case missing

    /// `.number(x)` for a finite `x`, otherwise `.missing`.
    public static func optional(_ x: Double?) -> ReportValue {
        guard let x, x.isFinite else { return .missing }
        return .number(x)
    }

    var json: String {
        switch self {
        case .int(let v): String(v)
        case .number(let v): v.description
        case .text(let v): jsonString(v)
        case .bool(let v): v ? "true" : "false"
        case .missing: "null"
        }
    }

    var csv: String {
        switch self {
        case .int(let v): String(v)
        case .number(let v): v.description
        case .text(let v): v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
            ? "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : v
        case .bool(let v): v ? "true" : "false"
        case .missing: ""
        }
    }

    /// Fixed-precision text for the terminal table.
    var display: String {
        switch self {
        case .number(let v): String(format: "%.5g", v)
        case .missing: "-"
        default: csv
        }
    }
}

/// A named table of rows with fixed columns: written as one CSV file, one
/// JSON array of objects, and a terminal table.
public struct ReportTable: Sendable {
    public let name: String
    public let columns: [String]
    public private(set) var rows: [[ReportValue]] = []

    public init(name: String, columns: [String]) {
        self.name = name
        self.columns = columns
    }

    public mutating func append(_ row: [ReportValue]) {
        precondition(row.count == columns.count, "table \(name): \(row.count) values for \(columns.count) columns")
        rows.append(row)
    }

    /// The value of `column` in row `r`.
    public func value(_ column: String, row r: Int) -> ReportValue? {
        columns.firstIndex(of: column).map { rows[r][$0] }
    }

    /// CSV with a header line.
    public var csv: String {
        ([columns.joined(separator: ",")] + rows.map { $0.map(\.csv).joined(separator: ",") })
            .joined(separator: "\n") + "\n"
    }

    /// A JSON array with one object per row, keys in column order.
    public var json: String {
        "[" + rows.map { row in
            "{" + zip(columns, row).map { "\(jsonString($0)): \($1.json)" }.joined(separator: ", ") + "}"
        }.joined(separator: ",\n  ") + "]"
    }

    /// Aligned columns for reading on a terminal; `filter` selects rows.
    public func text(where filter: ([ReportValue]) -> Bool = { _ in true }) -> String {
        let shown = rows.filter(filter).map { $0.map(\.display) }
        let widths = columns.indices.map { c in shown.reduce(columns[c].count) { max($0, $1[c].count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { $1.padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        return ([line(columns)] + shown.map(line)).joined(separator: "\n")
    }
}

/// `s` as a JSON string literal.
public func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
        }
    }
    return out + "\""
}
