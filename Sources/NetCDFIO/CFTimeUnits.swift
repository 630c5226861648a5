import Foundation

/// CF time units, `<unit> since <date>[(T| )<time>][ <zone>]`, as one
/// affine map to seconds since 1970-01-01T00:00:00Z:
/// `seconds = epochSecondsSince1970 + value × secondsPerUnit`.
///
/// Accepted (case-insensitive, as UDUNITS does): units `seconds`/`second`/
/// `secs`/`sec`/`s`, `minutes`/`minute`/`mins`/`min`, `hours`/`hour`/`hrs`/
/// `hr`/`h`, `days`/`day`/`d`; dates `YYYY-M-D` (one or two digits for month
/// and day, CF's `days since 2000-1-1`); an optional time `h[:m[:s[.f]]]`
/// after `T` or a blank (a `Z` or `±hh:mm` may follow it directly); an optional zone
/// `UTC`, `GMT`, `Z`, `±hh[:mm]`, `±hhmm` or an unsigned `hh:mm`, as ObsPack's
/// `Seconds since 1970-01-01 00:00:00 UTC` or `seconds since
/// 1970-1-1 0:00:00 0:00`. Months and years are refused (their length varies).
///
/// Calendars: none, `standard` or `gregorian` (the mixed Julian/Gregorian
/// calendar CF defines, which is Foundation's) and `proleptic_gregorian`
/// for epochs after the 1582 reform, where the two agree; any other calendar
/// (`noleap`, `360_day`, ...) is refused rather than misread.
public struct CFTimeUnits: Sendable, Equatable {
    /// Seconds in one unit of the variable.
    public let secondsPerUnit: Double
    /// The reference time, in seconds since 1970-01-01T00:00:00Z.
    public let epochSecondsSince1970: Double

    public init(secondsPerUnit: Double, epochSecondsSince1970: Double) {
        self.secondsPerUnit = secondsPerUnit
        self.epochSecondsSince1970 = epochSecondsSince1970
    }

    /// Parses `units` (and the variable's `calendar` attribute, if it has one).
    public init(parsing units: String, calendar: String? = nil) throws(CFUnitsError) {
        func fail(_ message: String) -> CFUnitsError { CFUnitsError(units: units, message: message) }
        let words = units.trimmingCharacters(in: .whitespaces).split(separator: " ", omittingEmptySubsequences: true)
            .map { String($0) }
        guard words.count >= 3, words[1].lowercased() == "since" else {
            throw fail("expected '<unit> since <date>'")
        }
        guard let scale = Self.secondsPer[words[0].lowercased()] else {
            throw fail("unknown time unit '\(words[0])' (expected seconds, minutes, hours or days)")
        }
        var rest = Array(words.dropFirst(2))
        // "1970-01-01T00:00:00Z": split the date from the time.
        if let t = rest[0].firstIndex(where: { $0 == "T" || $0 == "t" }) {
            let date = String(rest[0][..<t]), time = String(rest[0][rest[0].index(after: t)...])
            rest = [date, time] + rest.dropFirst()
        }
        guard let date = Self.parseDate(rest[0]) else { throw fail("cannot read the date '\(rest[0])'") }
        var seconds = 0.0
        var zoneWords = Array(rest.dropFirst())
        if let clock = zoneWords.first, clock.contains(":") || clock.allSatisfy(\.isNumber) || clock.hasSuffix("Z") || clock.hasSuffix("z"),
           !clock.hasPrefix("+"), !clock.hasPrefix("-") {
            var text = clock
            if text.hasSuffix("Z") || text.hasSuffix("z") {
                text.removeLast()
                zoneWords[0] = "Z"
            } else if let sign = text.dropFirst().firstIndex(where: { $0 == "+" || $0 == "-" }) {
                // "00:00:00+08:00": the zone written against the time.
                zoneWords[0] = String(text[sign...])
                text = String(text[..<sign])
            } else {
                zoneWords.removeFirst()
            }
            guard let value = Self.parseClock(text) else { throw fail("cannot read the time of day '\(clock)'") }
            seconds = value
        }
        guard zoneWords.count <= 1 else { throw fail("unexpected text after the reference time") }
        let offset: Double
        if let zone = zoneWords.first {
            guard let value = Self.parseZone(zone) else { throw fail("unknown time zone '\(zone)'") }
            offset = value
        } else {
            offset = 0
        }
        let kind = (calendar ?? "standard").trimmingCharacters(in: .whitespaces).lowercased()
        guard ["standard", "gregorian", "proleptic_gregorian", ""].contains(kind) else {
            throw CFUnitsError(units: calendar ?? "", message: "calendar '\(calendar ?? "")' is not supported (standard, gregorian or proleptic_gregorian)")
        }
        var components = DateComponents()
        (components.year, components.month, components.day) = (date.year, date.month, date.day)
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = TimeZone(identifier: "UTC")!
        // A day past the end of its month (2001-02-29) rolls over: refuse it.
        guard let midnight = gregorian.date(from: components),
              case let back = gregorian.dateComponents([.year, .month, .day], from: midnight),
              back.year == date.year, back.month == date.month, back.day == date.day else {
            throw fail("'\(rest[0])' is not a calendar date")
        }
        if kind == "proleptic_gregorian", date.year < 1583 {
            throw fail("a proleptic Gregorian epoch before 1583 is not supported")
        }
        secondsPerUnit = scale
        epochSecondsSince1970 = midnight.timeIntervalSince1970 + seconds - offset
    }

    /// Seconds since 1970-01-01T00:00:00Z of a value in these units.
    public func secondsSince1970(_ value: Double) -> Double { epochSecondsSince1970 + value * secondsPerUnit }

    private static let secondsPer: [String: Double] = {
        var table: [String: Double] = [:]
        for name in ["seconds", "second", "secs", "sec", "s"] { table[name] = 1 }
        for name in ["minutes", "minute", "mins", "min"] { table[name] = 60 }
        for name in ["hours", "hour", "hrs", "hr", "h"] { table[name] = 3600 }
        for name in ["days", "day", "d"] { table[name] = 86400 }
        return table
    }()

    private static func parseDate(_ text: String) -> (year: Int, month: Int, day: Int)? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[1].count <= 2, parts[2].count <= 2, (1...12).contains(m), (1...31).contains(d) else { return nil }
        return (y, m, d)
    }

    /// Seconds into the day of `h[:m[:s[.f]]]`.
    private static func parseClock(_ text: String) -> Double? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), let h = Int(parts[0]), (0...23).contains(h) else { return nil }
        let m = parts.count > 1 ? Int(parts[1]) : 0
        let s = parts.count > 2 ? Double(parts[2]) : 0
        guard let m, let s, (0...59).contains(m), s >= 0, s < 61 else { return nil }
        return Double(h * 3600 + m * 60) + s
    }

    /// Offset of a zone from UTC in seconds (local = UTC + offset).
    private static func parseZone(_ text: String) -> Double? {
        switch text.uppercased() {
        case "UTC", "GMT", "Z": return 0
        default: break
        }
        var body = Substring(text)
        var sign = 1.0
        if body.first == "+" || body.first == "-" {
            sign = body.first == "-" ? -1 : 1
            body = body.dropFirst()
        }
        let hours: Int?, minutes: Int?
        if body.contains(":") {
            let parts = body.split(separator: ":")
            guard parts.count == 2 else { return nil }
            (hours, minutes) = (Int(parts[0]), Int(parts[1]))
        } else if body.count == 4 {
            (hours, minutes) = (Int(body.prefix(2)), Int(body.suffix(2)))
        } else {
            (hours, minutes) = (Int(body), 0)
        }
        guard let hours, let minutes, (0...14).contains(hours), (0...59).contains(minutes) else { return nil }
        return sign * Double(hours * 3600 + minutes * 60)
    }
}
