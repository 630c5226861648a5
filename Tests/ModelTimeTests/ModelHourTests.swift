import ModelTime
import Testing

@Suite struct ModelHourTests {
    @Test func calendarRoundTripsOverLeapYears() {
        #expect(ModelHour(year: 1970, month: 1, day: 1).value == 0)
        #expect(ModelHour(year: 2016, month: 1, day: 1).value == 403_224)
        let h = ModelHour(year: 2016, month: 2, day: 29, hour: 23)
        #expect(h.components == (2016, 2, 29, 23))
        #expect(h.advanced(by: 1).components == (2016, 3, 1, 0))
        #expect(ModelHour(year: 2016, month: 12, day: 31).dayOfYear == 366)
        #expect(ModelHour(year: 2015, month: 12, day: 25).iso == "2015-12-25T00:00:00Z")
        #expect(ModelHour(year: 1969, month: 12, day: 31, hour: 23).value == -1)
        #expect(ModelHour(-1).components == (1969, 12, 31, 23))
    }

    @Test func parsesISOAndRejectsNonsense() {
        #expect(ModelHour(iso: "2016-07-01T06:00:00Z") == ModelHour(year: 2016, month: 7, day: 1, hour: 6))
        #expect(ModelHour(iso: "2016-07-01 06") == ModelHour(year: 2016, month: 7, day: 1, hour: 6))
        #expect(ModelHour(iso: "2016-07-01") == ModelHour(year: 2016, month: 7, day: 1))
        #expect(ModelHour(iso: "2015-02-29") == nil)
        #expect(ModelHour(iso: "2016-07-01T06:30") == nil)
        #expect(ModelHour(iso: "2016-13-01") == nil)
        #expect(ModelHour(iso: "yesterday") == nil)
    }

    @Test func secondsConvertByFloor() {
        #expect(ModelHour(secondsSince1970: 3599.9).value == 0)
        #expect(ModelHour(secondsSince1970: -0.5).value == -1)
        #expect(ModelHour(7).secondsSince1970 == 25_200)
        #expect(abs(ModelHour(year: 2001, month: 1, day: 1).yearsSince2000 - 366 / 365.2425) < 1e-12)
    }
}

@Suite struct CheckedModelHourTests {
    @Test func fillValuesAndNonFiniteTimesGiveNoHourInsteadOfATrap() {
        for bad in [1e30, 9.969209968386869e36, -3e38, Double.nan, Double.infinity, -Double.infinity, 1e20, -1e15] {
            #expect(ModelHour(checkedSecondsSince1970: bad) == nil, "\(bad)")
        }
        #expect(ModelHour(checkedSecondsSince1970: 3599.9)?.value == 0)
        #expect(ModelHour(checkedSecondsSince1970: -0.5)?.value == -1)
        #expect(ModelHour(checkedSecondsSince1970: 1_467_334_800) == ModelHour(year: 2016, month: 7, day: 1, hour: 1))
        #expect(ModelHour(-25).components == (1969, 12, 30, 23))
    }
}
