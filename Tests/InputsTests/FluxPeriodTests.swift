@testable import Inputs
import ModelTime
import Testing

@Suite struct FluxPeriodTests {
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
