import Foundation

/// A `units` (or `calendar`) text RCAS does not understand.
public struct CFUnitsError: Error, CustomStringConvertible, Sendable {
    /// The text as found.
    public let units: String
    /// What is wrong with it.
    public let message: String

    public var description: String { "units '\(units)': \(message)" }
}

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

/// Units of quantities RCAS converts: mole fractions and pressures.
public enum CFUnits {
    /// The factor that turns a mole fraction in `units` into ppm (µmol mol⁻¹):
    /// 1 for `ppm`, `ppmv`, `1e-6`, `umol mol-1`, `µmol/mol`,
    /// `micromol mol-1`; 10⁶ for `mol mol-1`, `mol/mol`, `1`; 10⁻³ for `ppb`,
    /// `nmol mol-1`, `1e-9`. Case, blanks, `^`, `µ`/`μ` and `/x` versus `x-1`
    /// do not matter; anything else is an error.
    public static func moleFractionToPPM(_ units: String) throws(CFUnitsError) -> Double {
        let key = normalized(units)
        switch key {
        case "ppm", "ppmv", "1e-6", "1.0e-6", "10-6", "umol mol-1", "micromol mol-1", "umole mole-1": return 1
        case "mol mol-1", "mole mole-1", "1", "mol mol-1 dry air": return 1e6
        case "ppb", "ppbv", "1e-9", "1.0e-9", "10-9", "nmol mol-1", "nanomol mol-1": return 1e-3
        default:
            throw CFUnitsError(units: units, message: "not a mole fraction unit RCAS knows (ppm, umol mol-1, mol mol-1, 1, ppb)")
        }
    }

    /// The factor that turns a pressure in `units` into Pa.
    public static func pressureToPascal(_ units: String) throws(CFUnitsError) -> Double {
        switch normalized(units) {
        case "pa", "pascal", "pascals": return 1
        case "hpa", "mb", "mbar", "millibar", "millibars", "hectopascal", "hectopascals": return 100
        case "kpa", "kilopascal", "kilopascals": return 1000
        default:
            throw CFUnitsError(units: units, message: "not a pressure unit RCAS knows (Pa, hPa, mb, mbar, kPa)")
        }
    }

    /// Lower case, one blank between words, `µ`/`μ`/`micro` as `u`,
    /// `a/b` as `a b-1`, `^` and `⁻¹` spelt plainly.
    static func normalized(_ units: String) -> String {
        var text = units.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        for (from, to) in [("µ", "u"), ("μ", "u"), ("micromol", "umol"), ("micromole", "umol"), ("⁻¹", "-1"),
                           ("^", ""), ("**", ""), ("×", "x")] {
            text = text.replacingOccurrences(of: from, with: to)
        }
        if let slash = text.firstIndex(of: "/") {
            let denominator = text[text.index(after: slash)...].trimmingCharacters(in: .whitespaces)
            text = text[..<slash].trimmingCharacters(in: .whitespaces) + " " + denominator + "-1"
        }
        return text.split(separator: " ").joined(separator: " ")
    }
}

extension NetCDFVariable {
    /// The variable's `units` attribute, trimmed; an error naming the
    /// variable when it has none.
    public func units() throws(NetCDFError) -> String {
        guard let text = try attribute("units")?.text else {
            throw NetCDFError(path: path, object: name, operation: "read units", message: "has no 'units' attribute")
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// The variable's CF time units (with its `calendar`); an error naming
    /// the file and the variable when they are missing or not understood.
    public func timeUnits() throws(NetCDFError) -> CFTimeUnits {
        let text = try units()
        let calendar = try attribute("calendar")?.text
        do { return try CFTimeUnits(parsing: text, calendar: calendar) } catch {
            throw NetCDFError(path: path, object: name, operation: "read time units", message: error.description)
        }
    }

    /// The factor from the variable's mole-fraction units to ppm.
    public func moleFractionToPPM() throws(NetCDFError) -> Double {
        let text = try units()
        do { return try CFUnits.moleFractionToPPM(text) } catch {
            throw NetCDFError(path: path, object: name, operation: "read units", message: error.description)
        }
    }

    /// The factor from the variable's pressure units to Pa.
    public func pressureToPascal() throws(NetCDFError) -> Double {
        let text = try units()
        do { return try CFUnits.pressureToPascal(text) } catch {
            throw NetCDFError(path: path, object: name, operation: "read units", message: error.description)
        }
    }
}
