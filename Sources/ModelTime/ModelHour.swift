import Foundation

/// A whole UTC hour, counted from 1970-01-01T00:00Z. RCAS cycles hour by hour,
/// so every time in the system (meteorology, fluxes, observations, outputs) is
/// keyed by one of these. CF time units: ``cfUnits``.
public struct ModelHour: Sendable, Hashable, Comparable, CustomStringConvertible, Strideable {
    /// Hours since 1970-01-01T00:00Z.
    public let value: Int

    public init(_ value: Int) { self.value = value }

    /// The hour starting at the given UTC calendar time.
    public init(year: Int, month: Int, day: Int, hour: Int = 0) {
        value = Self.daysFromCivil(year, month, day) * 24 + hour
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM-DDTHH`, `YYYY-MM-DDTHH:MM[:SS][Z]` or the
    /// same with a space; minutes and seconds must be zero.
    public init?(iso text: String) {
        let cleaned = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "Z", with: "")
            .replacingOccurrences(of: " ", with: "T")
        let parts = cleaned.split(separator: "T", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let date = parts[0].split(separator: "-")
        guard date.count == 3, let y = Int(date[0]), let m = Int(date[1]), let d = Int(date[2]),
              (1...12).contains(m), (1...Self.daysInMonth(y, m)).contains(d) else { return nil }
        var h = 0
        if parts.count == 2 {
            let clock = parts[1].split(separator: ":")
            guard let first = clock.first, let hh = Int(first), (0...23).contains(hh),
                  clock.dropFirst().allSatisfy({ Int($0) == 0 }) else { return nil }
            h = hh
        }
        self.init(year: y, month: m, day: d, hour: h)
    }

    /// The hour holding `secondsSince1970` (floor). For times RCAS made or
    /// has already checked; a time read from a file goes through
    /// ``init(checkedSecondsSince1970:)``.
    public init(secondsSince1970 seconds: Double) {
        guard let hour = ModelHour(checkedSecondsSince1970: seconds) else {
            preconditionFailure("time \(seconds) s since 1970 is not a time between years 1 and 9999")
        }
        self = hour
    }

    /// The hour holding `secondsSince1970` (floor), or nil when the value is
    /// not finite or outside years 1-9999 (a fill value such as 9.97e36 or
    /// 1e30 read as a time): never traps, whatever the input.
    public init?(checkedSecondsSince1970 seconds: Double) {
        guard seconds.isFinite, seconds >= Self.earliestSeconds, seconds < Self.latestSeconds else { return nil }
        value = Int((seconds / 3600).rounded(.down))
    }

    /// 0001-01-01T00:00Z and 10000-01-01T00:00Z in seconds since 1970.
    static let earliestSeconds = Double(daysFromCivil(1, 1, 1)) * 86400
    static let latestSeconds = Double(daysFromCivil(10000, 1, 1)) * 86400

    /// Seconds since 1970-01-01T00:00Z at the start of this hour.
    public var secondsSince1970: Double { Double(value) * 3600 }

    /// UTC calendar fields.
    public var components: (year: Int, month: Int, day: Int, hour: Int) {
        let days = value >= 0 ? value / 24 : -((-value + 23) / 24)
        let (y, m, d) = Self.civilFromDays(days)
        return (y, m, d, value - days * 24)
    }

    /// Hour of the UTC day, 0...23.
    public var hourOfDay: Int { components.hour }

    /// Day of the year, 1...366.
    public var dayOfYear: Int {
        let c = components
        return Self.daysFromCivil(c.year, c.month, c.day) - Self.daysFromCivil(c.year, 1, 1) + 1
    }

    /// Fractional years since 2000-01-01 (for trends such as CO2 growth).
    public var yearsSince2000: Double {
        Double(value - ModelHour(year: 2000, month: 1, day: 1).value) / (24 * 365.2425)
    }

    /// ISO 8601, e.g. `2016-01-01T00:00:00Z`.
    public var iso: String {
        let c = components
        return String(format: "%04d-%02d-%02dT%02d:00:00Z", c.year, c.month, c.day, c.hour)
    }

    public var description: String { iso }

    /// CF units for a time coordinate holding ``value``.
    public static let cfUnits = "hours since 1970-01-01 00:00:00"

    public static func < (a: ModelHour, b: ModelHour) -> Bool { a.value < b.value }
    public func distance(to other: ModelHour) -> Int { other.value - value }
    public func advanced(by n: Int) -> ModelHour { ModelHour(value + n) }

    // Howard Hinnant's civil-calendar algorithms (proleptic Gregorian).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        let next = month == 12 ? daysFromCivil(year + 1, 1, 1) : daysFromCivil(year, month + 1, 1)
        return next - daysFromCivil(year, month, 1)
    }
}
