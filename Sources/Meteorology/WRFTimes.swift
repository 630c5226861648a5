import Foundation
import ModelTime
import NetCDFIO

/// The valid times of a wrfout file's records: the `Times(Time, DateStrLen)`
/// character variable, one `YYYY-MM-DD_hh:mm:ss` string (UTC) per record.
enum WRFTimes {
    /// One record's time: the whole hour it is at, or nil for a record
    /// between whole hours (sub-hourly output, which RCAS does not use).
    struct Record: Sendable {
        let text: String
        let hour: ModelHour?
    }

    /// The times of every record of `file`.
    static func read(_ file: NetCDFFile) throws -> [Record] {
        guard file.root.hasVariable("Times") else {
            throw NetCDFError(path: file.path, object: "Times", operation: "read WRF times",
                              message: "variable missing (wrfout files hold Times(Time, DateStrLen))")
        }
        let rows = try file.root.variable("Times").readCharacterRows()
        return try rows.enumerated().map { record, text in
            guard let record = parse(text) else {
                throw NetCDFError(path: file.path, object: "Times", operation: "read WRF times",
                                  message: "record \(record): '\(text)' is not a time like 2016-07-01_00:00:00")
            }
            return record
        }
    }

    /// Parses `YYYY-MM-DD_hh:mm:ss` (also with `T` or a space between date and time).
    static func parse(_ text: String) -> Record? {
        let parts = text.split(whereSeparator: { $0 == "_" || $0 == "T" || $0 == " " })
        guard parts.count == 2 else { return nil }
        let clock = parts[1].split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second),
              let day = ModelHour(iso: String(parts[0])) else { return nil }
        return Record(text: text, hour: minute == 0 && second == 0 ? day.advanced(by: hour) : nil)
    }
}
