import Foundation
import ModelTime
import NetCDFIO

/// CF time-coordinate units, `<unit> since <date>[ <time>][ <zone>]`, e.g.
/// CarbonTracker's `days since 2000-01-01 00:00:00 UTC`: the word `since` in
/// any case, `T` or a space between date and time, optional fractional
/// seconds, and a zone of `UTC`, `GMT`, `Z` or a zero offset.
struct CFTimeUnits: Equatable {
    /// Hours per unit of the coordinate.
    let hoursPerUnit: Double
    /// The reference time in hours since 1970-01-01T00:00Z.
    let referenceHours: Double

    /// Parses `text`; nil when it is not CF time units this reader handles.
    init?(_ text: String) {
        let words = text.trimmingCharacters(in: .whitespaces).split(whereSeparator: { $0 == " " || $0 == "\t" })
            .map { String($0) }
        guard words.count >= 3, words[1].lowercased() == "since" else { return nil }
        switch words[0].lowercased() {
        case "second", "seconds", "sec", "secs", "s": hoursPerUnit = 1.0 / 3600
        case "minute", "minutes", "min", "mins": hoursPerUnit = 1.0 / 60
        case "hour", "hours", "hr", "hrs", "h": hoursPerUnit = 1
        case "day", "days", "d": hoursPerUnit = 24
        default: return nil
        }
        var rest = Array(words[2...])
        if let last = rest.last, ["utc", "gmt", "z", "+00:00", "+0:00", "+00", "+0", "+0000"].contains(last.lowercased()), rest.count > 1 {
            rest.removeLast()
        }
        var stamp = rest.joined(separator: " ")
        if stamp.hasSuffix("Z") || stamp.hasSuffix("z") { stamp.removeLast() }
        let parts = stamp.split(whereSeparator: { $0 == "T" || $0 == " " }).map { String($0) }
        guard (1...2).contains(parts.count) else { return nil }
        let date = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard date.count == 3, let year = Int(date[0]), let month = Int(date[1]), let day = Int(date[2]),
              (1...12).contains(month), (1...31).contains(day),
              let start = ModelHour(iso: String(format: "%04d-%02d-%02d", year, month, day)) else { return nil }
        var hours = Double(start.value)
        if parts.count == 2 {
            let clock = parts[1].split(separator: ":", omittingEmptySubsequences: false)
            guard (1...3).contains(clock.count), let h = Int(clock[0]), (0...23).contains(h) else { return nil }
            let m = clock.count > 1 ? Int(clock[1]) : 0
            let s = clock.count > 2 ? Double(clock[2]) : 0
            guard let m, let s, (0...59).contains(m), s >= 0, s < 61 else { return nil }
            hours += Double(h) + Double(m) / 60 + s / 3600
        }
        referenceHours = hours
    }

    /// Hours since 1970-01-01T00:00Z of a coordinate value.
    func hours(_ value: Double) -> Double { referenceHours + value * hoursPerUnit }

    /// Calendars in which these units count real (proleptic Gregorian) time.
    static let supportedCalendars: Set<String> = ["standard", "gregorian", "proleptic_gregorian"]
}

/// Reads a file's time coordinate as hours since 1970 (strictly increasing,
/// finite, with CF units and a Gregorian calendar), or throws naming the file
/// and variable.
func readTimeCoordinate(_ file: InputFile, name: String) throws -> [Double] {
    let variable = try file.variable(name)
    guard let unitsText = try variable.attribute("units")?.text else {
        throw InputFileError(path: file.path, variable: name, message: "time coordinate has no 'units' attribute")
    }
    guard let units = CFTimeUnits(unitsText) else {
        throw InputFileError(path: file.path, variable: name,
                             message: "units '\(unitsText)' are not CF time units '<seconds|minutes|hours|days> since YYYY-MM-DD[ hh:mm:ss][ UTC]'")
    }
    if let calendar = try variable.attribute("calendar")?.text,
       !CFTimeUnits.supportedCalendars.contains(calendar.lowercased()) {
        throw InputFileError(path: file.path, variable: name,
                             message: "calendar '\(calendar)' is not supported (only standard/gregorian/proleptic_gregorian)")
    }
    let shape = try variable.shape()
    guard shape.count == 1 else {
        throw InputFileError(path: file.path, variable: name, message: "time coordinate must have one dimension, found \(shape.count)")
    }
    let values = try variable.read(Double.self)
    var hours: [Double] = []
    hours.reserveCapacity(values.count)
    for (index, value) in values.enumerated() {
        guard value.isFinite, abs(value) < 1e15, !isNetCDFDefaultFill(value) else {
            throw InputFileError(path: file.path, variable: name, message: "value \(value) at index \(index) is not a valid time")
        }
        let h = units.hours(value)
        if let previous = hours.last, h <= previous {
            throw InputFileError(path: file.path, variable: name,
                                 message: "times must increase: index \(index) (\(value)) is not after index \(index - 1)")
        }
        hours.append(h)
    }
    return hours
}

/// A whole hour as hours since 1970.
extension ModelHour {
    var hours: Double { Double(value) }
}

/// An ISO text for a time in hours since 1970 (whole minutes).
func isoText(hours: Double) -> String {
    let whole = ModelHour(Int(hours.rounded(.down)))
    let minutes = Int(((hours - hours.rounded(.down)) * 60).rounded())
    guard minutes > 0 else { return whole.iso }
    var text = whole.iso
    text.removeLast(7)   // ":00:00Z"
    return text + String(format: ":%02d:00Z", minutes)
}
