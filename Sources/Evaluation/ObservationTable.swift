import Foundation
import ModelTime
import NetCDFIO

/// The rows of a run's `observations.nc` (Docs/evaluation.md; the run-directory
/// contract): one per observation, with the model's equivalents.
public struct ObservationTable: Sendable {
    /// `status` codes of the contract's `flag_values` 0...2.
    public enum Status: Int8, Sendable {
        case assimilated = 0, rejectedOmBGate = 1, validation = 2
    }

    /// The file read.
    public let path: String
    /// `rcas_run_kind` global attribute ("AN", "CTRL", "FC"), when present.
    public let runKind: String?
    /// Seconds since 1970-01-01T00:00Z.
    public let time: [Double]
    public let latitude: [Double]
    public let longitude: [Double]
    /// 0 = satellite XCO2, 1 = in-situ.
    public let kind: [Int8]
    /// 0 = assimilated candidate, 1 = independent validation.
    public let set: [Int8]
    public let status: [Status]
    /// In-situ site code, "" for satellite rows.
    public let site: [String]
    /// Observed value (ppm).
    public let value: [Double]
    /// The run's model equivalent (ppm): `analysis_mean` (for CTRL/FC files the
    /// contract makes it equal to the forward run's `background_mean`).
    public let model: [Double]
    /// The model equivalent before the analysis (`background_mean`).
    public let background: [Double]
    /// Hours since 1970 of the analysis each row entered (`analysis_hour`).
    public let analysisHour: [Double]

    /// Number of rows.
    public var count: Int { time.count }

    /// Memberwise construction (tests, and callers holding the rows in memory).
    public init(path: String, runKind: String?, time: [Double], latitude: [Double], longitude: [Double],
                kind: [Int8], set: [Int8], status: [Status], site: [String], value: [Double], model: [Double],
                background: [Double]? = nil, analysisHour: [Double]? = nil) {
        let n = time.count
        precondition([latitude.count, longitude.count, kind.count, set.count, status.count, site.count,
                      value.count, model.count].allSatisfy { $0 == n }, "all columns must have one entry per row")
        self.background = background ?? model
        self.analysisHour = analysisHour ?? time.map { ($0 / 3600).rounded(.up) }
        self.path = path
        self.runKind = runKind
        self.time = time
        self.latitude = latitude
        self.longitude = longitude
        self.kind = kind
        self.set = set
        self.status = status
        self.site = site
        self.value = value
        self.model = model
    }

    /// Reads `path`, checking that every required variable exists on the
    /// `obs` dimension and that flags are in range. NaN in `value` or
    /// `analysis_mean` is reported by ``checkFinite(rows:)`` only for rows a
    /// statistic uses.
    public static func read(_ path: String) throws -> ObservationTable {
        guard FileManager.default.fileExists(atPath: path) else {
            throw NetCDFError(path: path, object: nil, operation: "read observations", message: "file does not exist")
        }
        let file = try NetCDFFile.open(path)
        defer { file.close() }
        let root = file.root
        func column(_ name: String) throws -> NetCDFVariable {
            guard root.hasVariable(name) else {
                throw NetCDFError(path: path, object: name, operation: "read observations", message: "variable missing")
            }
            let variable = try root.variable(name)
            let dims = try variable.dimensionNames()
            guard dims == ["obs"] else {
                throw NetCDFError(path: path, object: name, operation: "read observations",
                                  message: "dimensions \(dims), expected (obs)")
            }
            return variable
        }
        func doubles(_ name: String) throws -> [Double] { try column(name).read(Double.self) }
        func flags(_ name: String, _ range: ClosedRange<Int8>) throws -> [Int8] {
            let values = try column(name).read(Int8.self)
            if let bad = values.firstIndex(where: { !range.contains($0) }) {
                throw NetCDFError(path: path, object: name, operation: "read observations",
                                  message: "row \(bad) has \(values[bad]), expected \(range.lowerBound)...\(range.upperBound)")
            }
            return values
        }

        // Calendar months come from `time`: a file in other units would be split wrongly.
        if let units = try column("time").attribute("units")?.text, !units.hasPrefix("seconds since 1970-01-01") {
            throw NetCDFError(path: path, object: "time", operation: "read observations",
                              message: "units '\(units)', expected 'seconds since 1970-01-01 00:00:00'")
        }
        let time = try doubles("time")
        if let bad = time.firstIndex(where: { !$0.isFinite }) {
            throw NetCDFError(path: path, object: "time", operation: "read observations", message: "row \(bad) is \(time[bad])")
        }
        let kind = try flags("kind", 0...1)
        let set = try flags("set", 0...1)
        let status = try flags("status", 0...2).map { Status(rawValue: $0)! }
        // Site codes as fixed-length characters (what RCAS writes) or strings.
        guard root.hasVariable("site") else {
            throw NetCDFError(path: path, object: "site", operation: "read observations", message: "variable missing")
        }
        let siteVariable = try root.variable("site")
        let site = try siteVariable.type() == .char ? try siteVariable.readCharacterRows() : try siteVariable.readStrings()
        guard site.count == time.count else {
            throw NetCDFError(path: path, object: "site", operation: "read observations",
                              message: "\(site.count) rows, expected \(time.count)")
        }
        let runKind = try root.attribute("rcas_run_kind")?.text
        return ObservationTable(path: path, runKind: runKind, time: time, latitude: try doubles("latitude"),
                                longitude: try doubles("longitude"), kind: kind, set: set, status: status, site: site,
                                value: try doubles("value"), model: try doubles("analysis_mean"),
                                background: try doubles("background_mean"), analysisHour: try doubles("analysis_hour"))
    }

    /// Throws naming the file, variable and row when `value` or the model
    /// value of one of `rows` is not finite.
    public func checkFinite(rows: [Int]) throws {
        for r in rows {
            if !value[r].isFinite {
                throw NetCDFError(path: path, object: "value", operation: "evaluate observations",
                                  message: "row \(r) is \(value[r])")
            }
            if !model[r].isFinite {
                throw NetCDFError(path: path, object: "analysis_mean", operation: "evaluate observations",
                                  message: "row \(r) is \(model[r])")
            }
        }
    }

    /// True when `other` has the same observations in the same order (time,
    /// position and value), so it can be compared row by row with this one.
    public func isRowAligned(with other: ObservationTable) -> Bool {
        time == other.time && latitude == other.latitude && longitude == other.longitude && value == other.value
    }

    /// Statistics of the rows of `subset` over the whole file (e.g. the
    /// validation RMSE of a twin experiment). `classifiedBy` selects the rows
    /// when this file's flags are not authoritative (a CTRL or FC file
    /// row-aligned with the AN file); it defaults to this table.
    public func statistics(_ subset: ObservationSubset, classifiedBy: ObservationTable? = nil) throws -> ObservationStatistics {
        let source = classifiedBy ?? self
        precondition(source.count == count, "classifying table must be row-aligned")
        let rows = subset.rows(of: source)
        try checkFinite(rows: rows)
        return ObservationStatistics.compute(model: rows.map { model[$0] }, observed: rows.map { value[$0] })
    }

    /// The calendar month (UTC) of row `r`.
    public func month(ofRow r: Int) -> CalendarMonth { CalendarMonth(secondsSince1970: time[r]) }
}

/// The groups of observations evaluated separately (Docs/evaluation.md).
public enum ObservationSubset: String, Sendable, CaseIterable {
    /// Satellite XCO2 rows that updated the state (`status` = assimilated).
    case assimilated
    /// Satellite XCO2 rows held out for validation (`set` = 1).
    case independent
    /// In-situ rows (they are evaluated per site).
    case insitu

    /// Rows of `table` in this subset.
    public func rows(of table: ObservationTable) -> [Int] {
        (0..<table.count).filter { r in
            switch self {
            case .assimilated: table.kind[r] == 0 && table.status[r] == .assimilated
            case .independent: table.kind[r] == 0 && table.set[r] == 1
            case .insitu: table.kind[r] == 1
            }
        }
    }
}

/// A UTC calendar month.
public struct CalendarMonth: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    /// 1...12.
    public let month: Int

    public init(year: Int, month: Int) {
        precondition((1...12).contains(month), "month must be 1...12")
        self.year = year
        self.month = month
    }

    /// The month holding the instant `seconds` after 1970-01-01T00:00Z.
    public init(secondsSince1970 seconds: Double) {
        let c = ModelHour(secondsSince1970: seconds).components
        self.init(year: c.year, month: c.month)
    }

    /// The month holding `hour`.
    public init(_ hour: ModelHour) {
        let c = hour.components
        self.init(year: c.year, month: c.month)
    }

    /// First hour of the month.
    public var start: ModelHour { ModelHour(year: year, month: month, day: 1) }
    /// First hour of the following month.
    public var next: CalendarMonth { month == 12 ? CalendarMonth(year: year + 1, month: 1) : CalendarMonth(year: year, month: month + 1) }
    /// Hours in the month.
    public var hours: Int { start.distance(to: next.start) }

    /// `YYYY-MM`.
    public var description: String { String(format: "%04d-%02d", year, month) }

    public static func < (a: CalendarMonth, b: CalendarMonth) -> Bool { (a.year, a.month) < (b.year, b.month) }
}

/// Hours in calendar year `year`.
public func hoursInYear(_ year: Int) -> Int {
    ModelHour(year: year, month: 1, day: 1).distance(to: ModelHour(year: year + 1, month: 1, day: 1))
}
