import Foundation
import ModelTime

/// The averaging period of a flux file's time steps. Each time step holds
/// the mean flux over one calendar period (UTC): the month, the day, the
/// three hours starting at 00, 03, ..., 21 UTC, or the hour containing its
/// time stamp. Stamps may sit anywhere inside their period (CarbonTracker
/// stamps the middle, 01:30 for 00-03 UTC; monthly products often the 15th
/// or the 1st); a stamp at the end of its period (e.g. 03:00 for 00-03) would
/// be read as the next period, so such files need a `bounds` variable.
public enum FluxTimeResolution: String, Sendable, Equatable, CaseIterable {
    case monthly
    case daily
    case threeHourly = "3-hourly"
    case hourly

    /// The period (hours since 1970, start inclusive, end exclusive) holding
    /// the time `hours`.
    func period(containing hours: Double) -> (start: Double, end: Double) {
        let hour = ModelHour(Int(hours.rounded(.down)))
        switch self {
        case .hourly:
            return (hour.hours, hour.hours + 1)
        case .threeHourly:
            let start = (hours / 3).rounded(.down) * 3
            return (start, start + 3)
        case .daily:
            let c = hour.components
            let start = ModelHour(year: c.year, month: c.month, day: c.day).hours
            return (start, start + 24)
        case .monthly:
            let c = hour.components
            let start = ModelHour(year: c.year, month: c.month, day: 1)
            let end = c.month == 12 ? ModelHour(year: c.year + 1, month: 1, day: 1) : ModelHour(year: c.year, month: c.month + 1, day: 1)
            return (start.hours, end.hours)
        }
    }
}
