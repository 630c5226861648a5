import NetCDFIO
import Testing

@Suite struct CFUnitsTests {
    @Test func timeUnitsOfEveryCommonSpellingMapToSecondsSince1970() throws {
        let day2000 = 946_684_800.0
        let cases: [(String, Double, Double)] = [
            ("Seconds since 1970-01-01 00:00:00 UTC", 1, 0),          // ObsPack
            ("seconds since 1970-01-01 00:00:00", 1, 0),              // Lite files
            ("seconds since 1970-01-01T00:00:00Z", 1, 0),
            ("SECONDS SINCE 1970-01-01T00:00:00", 1, 0),
            ("seconds since 1970-1-1 0:00:00 0:00", 1, 0),            // ARM style
            ("seconds since 1970-01-01 00:00:00 +00:00", 1, 0),
            ("seconds since 1970-01-01 00:00:00Z", 1, 0),
            ("days since 2000-1-1", 86400, day2000),                    // CF example
            ("days since 2000-01-01 12:00", 86400, day2000 + 43200),
            ("hours since 1970-01-01 00:00:00", 3600, 0),
            ("hours since 2016-01-01", 3600, 1_451_606_400),
            ("minutes since 2016-07-01 06:30:15.5", 60, 1_467_354_615.5),
            ("s since 2000-01-01 08:00:00 +08:00", 1, day2000),        // local time east of UTC
            ("sec since 2000-01-01 00:00:00 -0130", 1, day2000 + 5400),
            ("days since 1900-01-01 00:00:00 GMT", 86400, -2_208_988_800),
            ("d since 2016-02-29", 86400, 1_456_704_000),
            ("seconds since 2000-01-01T08:00:00+08:00", 1, day2000),
            ("seconds since 1970-01-01 00:00:00.0", 1, 0),
        ]
        for (text, scale, epoch) in cases {
            let units = try CFTimeUnits(parsing: text)
            #expect(units.secondsPerUnit == scale && units.epochSecondsSince1970 == epoch, "\(text): \(units)")
        }
        #expect(try CFTimeUnits(parsing: "days since 2000-1-1").secondsSince1970(1.5) == day2000 + 129_600)
        #expect(try CFTimeUnits(parsing: "hours since 1970-01-01", calendar: "proleptic_gregorian").epochSecondsSince1970 == 0)
        #expect(try CFTimeUnits(parsing: "hours since 1970-01-01", calendar: "Gregorian").epochSecondsSince1970 == 0)
    }

    @Test func timeUnitsThatCannotBeReadAreErrors() {
        for text in ["months since 2000-01-01", "years since 2000-01-01", "seconds after 1970-01-01", "seconds since",
                     "seconds since 2001-02-29", "seconds since 2000-13-01", "seconds since yesterday",
                     "seconds since 1970-01-01 25:00:00", "seconds since 1970-01-01 00:00:00 Mars", "ppm", ""] {
            #expect(throws: CFUnitsError.self, "\(text)") { try CFTimeUnits(parsing: text) }
        }
        for calendar in ["noleap", "360_day", "julian", "all_leap"] {
            #expect(throws: CFUnitsError.self) { try CFTimeUnits(parsing: "days since 2000-01-01", calendar: calendar) }
        }
        #expect(throws: CFUnitsError.self) { try CFTimeUnits(parsing: "days since 1000-01-01", calendar: "proleptic_gregorian") }
    }

    @Test func moleFractionUnitsConvertToPPM() throws {
        for text in ["ppm", "PPM", "ppmv", "1e-6", "umol mol-1", "µmol/mol", "μmol mol-1", "micromol mol-1",
                     "micromol/mol", "umol mol^-1", " umol  mol-1 "] {
            #expect(try CFUnits.moleFractionToPPM(text) == 1, "\(text)")
        }
        for text in ["mol mol-1", "mol/mol", "1", "mol mol^-1", "MOL MOL-1"] {
            #expect(try CFUnits.moleFractionToPPM(text) == 1e6, "\(text)")
        }
        #expect(try CFUnits.moleFractionToPPM("ppb") == 1e-3)
        #expect(try CFUnits.moleFractionToPPM("nmol/mol") == 1e-3)
        for text in ["", "%", "kg kg-1", "mol m-2", "furlongs", "ppt"] {
            #expect(throws: CFUnitsError.self, "\(text)") { try CFUnits.moleFractionToPPM(text) }
        }
    }

    @Test func pressureUnitsConvertToPascal() throws {
        #expect(try CFUnits.pressureToPascal("hPa") == 100)
        #expect(try CFUnits.pressureToPascal("mbar") == 100)
        #expect(try CFUnits.pressureToPascal("Pa") == 1)
        #expect(try CFUnits.pressureToPascal("kPa") == 1000)
        #expect(throws: CFUnitsError.self) { try CFUnits.pressureToPascal("atm") }
    }
}
