@testable import Inputs
import ModelTime
import Testing

@Suite struct CFTimeUnitsTests {
    /// The forms real files use: CarbonTracker's, ObsPack's, ISO with T and Z, fractional seconds.
    @Test func theUnitsOfRealFilesParse() throws {
        let y2000 = Double(ModelHour(year: 2000, month: 1, day: 1).value)
        let cases: [(String, Double, Double)] = [
            ("days since 2000-01-01 00:00:00", 24, y2000),
            ("days since 2000-01-01 00:00:00 UTC", 24, y2000),
            ("Seconds since 1970-01-01 00:00:00 UTC", 1.0 / 3600, 0),
            ("hours since 2016-07-01T00:00:00Z", 1, Double(ModelHour(year: 2016, month: 7, day: 1).value)),
            ("days since 2000-1-1 00:00:0.0", 24, y2000),
            ("minutes since 2000-01-01 06:30", 1.0 / 60, y2000 + 6.5),
            ("days since 2000-01-01", 24, y2000),
        ]
        for (text, hoursPerUnit, reference) in cases {
            let units = try #require(CFTimeUnits(text), "\(text)")
            #expect(units.hoursPerUnit == hoursPerUnit && abs(units.referenceHours - reference) < 1e-9, "\(text)")
        }
        for text in ["days after 2000-01-01", "fortnights since 2000-01-01", "days since 2000-13-01", "days since yesterday", "days since 2000-01-01 25:00"] {
            #expect(CFTimeUnits(text) == nil, "\(text)")
        }
    }

    @Test func periodsAreCalendarPeriods() {
        let march15 = Double(ModelHour(year: 2016, month: 3, day: 15, hour: 12).value)
        let month = FluxTimeResolution.monthly.period(containing: march15)
        #expect(month.start == Double(ModelHour(year: 2016, month: 3, day: 1).value) && month.end == Double(ModelHour(year: 2016, month: 4, day: 1).value))
        let december = FluxTimeResolution.monthly.period(containing: Double(ModelHour(year: 2016, month: 12, day: 31, hour: 23).value))
        #expect(december.end == Double(ModelHour(year: 2017, month: 1, day: 1).value))
        let threeHours = FluxTimeResolution.threeHourly.period(containing: march15 + 4.5)   // 16:30
        #expect(threeHours.start == march15 + 3 && threeHours.end == march15 + 6)
        #expect(FluxTimeResolution.daily.period(containing: march15).start == march15 - 12)
    }
}
