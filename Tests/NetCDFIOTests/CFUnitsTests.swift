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
            ("days since 2000-01-01 00:00:00 UTC", 86400, day2000),    // CarbonTracker
            ("days since 2000-01-01 00:00:00.0 UTC", 86400, day2000),
            ("days since 2000-1-1 00:00:0.0", 86400, day2000),
            ("minutes since 2000-01-01 06:30", 60, day2000 + 23_400),
            ("seconds since 2016-01-01T06:00:00Z", 1, 1_451_628_000),  // RCAS met files
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

    @Test func moleFractionUnitsConvertToMolePerMole() throws {
        func perMole(_ text: String) -> Double? { PhysicalQuantity.moleFraction.conversion(from: text)?.scale }
        for text in ["ppm", "PPM", "ppmv", "1e-6", "umol mol-1", "µmol/mol", "μmol mol-1", "micromol mol-1",
                     "micromol/mol", "umol mol^-1", " umol  mol-1 ", "umol mol⁻¹"] {
            #expect(perMole(text) == 1e-6, "\(text)")
        }
        for text in ["mol mol-1", "mol/mol", "1", "mol mol^-1", "MOL MOL-1", "mol mol-1 dry air"] {
            #expect(perMole(text) == 1, "\(text)")
        }
        #expect(perMole("ppb") == 1e-9)
        #expect(perMole("nmol/mol") == 1e-9)
        for text in ["", "%", "kg kg-1", "mol m-2", "furlongs", "ppt", "mol/(mol"] {
            #expect(perMole(text) == nil, "\(text)")
        }
    }

    @Test func unitsConvertOnlyWhereUnambiguous() {
        func convert(_ quantity: PhysicalQuantity, _ units: String?, _ value: Double) -> Double? {
            // Rounded to 12 significant digits, so exact expectations are safe.
            quantity.conversion(from: units).map { Double(String(format: "%.12g", $0(value)))! }
        }
        #expect(convert(.speed, "m s-1", 3) == 3)
        #expect(convert(.speed, "m/s", 3) == 3)
        #expect(convert(.speed, "m s**-1", 3) == 3)
        #expect(convert(.speed, "M.S^-1", 3) == 3)
        #expect(convert(.speed, "km/h", 36) == 10)
        #expect(convert(.speed, "km h-1", 36) == 10)
        #expect(convert(.speed, "knots", 1) == 0.514444444444)
        #expect(convert(.speed, "m", 3) == nil)
        #expect(convert(.speed, nil, 3) == nil)
        #expect(convert(.pressure, "hPa", 1013.25) == 101_325)
        #expect(convert(.pressure, "mb", 1000) == 100_000)
        #expect(convert(.pressure, "mbar", 1000) == 100_000)
        #expect(convert(.pressure, "kPa", 100) == 100_000)
        #expect(convert(.pressure, "Pa", 5) == 5)
        #expect(convert(.pressure, "atm", 1) == nil)
        #expect(convert(.temperature, "K", 280) == 280)
        #expect(convert(.temperature, "degC", 10) == 283.15)
        #expect(convert(.temperatureDifference, "degC", 10) == nil)
        #expect(convert(.massMixingRatio, "g/kg", 12) == 0.012)
        #expect(convert(.massMixingRatio, "kg kg-1", 0.012) == 0.012)
        #expect(convert(.massMixingRatio, "mol mol-1", 0.012) == nil)
        #expect(convert(.moleFraction, "kg kg-1", 0.01) == nil)
        #expect(convert(.moleFraction, "ppm", 20_000) == 0.02)
        #expect(convert(.moleFraction, "1", 0.02) == 0.02)
        #expect(convert(.diffusivity, "m2/s", 4) == 4)
        #expect(convert(.diffusivity, "m2 s-1", 4) == 4)
        #expect(convert(.length, "km", 1.5) == 1500)
        #expect(convert(.length, "gpm", 1.5) == nil)
        #expect(convert(.geopotentialHeight, "gpm", 1.5) == 1.5)
        #expect(convert(.geopotential, "m2 s-2", 9.81) == 9.81)
        #expect(convert(.heatFlux, "W m-2", 100) == 100)
        #expect(convert(.heatFlux, "W/m2", 100) == 100)
        #expect(convert(.heatFlux, "W m⁻²", 100) == 100)
        #expect(convert(.dimensionless, nil, 1) == 1)
        #expect(convert(.dimensionless, "", 1) == 1)
        #expect(convert(.latitude, "degrees_north", 30) == 30)
        #expect(convert(.longitude, "degrees_north", 30) == nil)
    }

    /// The one tokenizer: UDUNITS' reading of '/', powers in every spelling,
    /// parentheses, numbers and compounds kept whole.
    @Test func unitTextsSplitIntoFactors() throws {
        func text(_ units: String, compounds: [String] = []) throws -> String {
            try CFUnits.factors(of: units, compounds: compounds).map { "\($0.symbol)^\($0.exponent)" }.joined(separator: " ")
        }
        #expect(try text("kg C m-2 s-1") == "kg^1 C^1 m^-2 s^-1")
        #expect(try text("g C/m2/day") == "g^1 C^1 m^-2 day^-1")
        #expect(try text("mol/(m2 s)") == "mol^1 m^-2 s^-1")
        #expect(try text("mol m^-2 s**-1") == "mol^1 m^-2 s^-1")
        #expect(try text("µmol per m2 per s") == "umol^1 m^-2 s^-1")
        #expect(try text("kg.m-2.s-1") == "kg^1 m^-2 s^-1")
        #expect(try text("gCO2 m-2 s-1", compounds: ["CO2"]) == "gCO2^1 m^-2 s^-1")
        #expect(try text("1.0e-6") == "1.0e-6^1")
        #expect(try text("10-6") == "10-6^1")
        #expect(try text("Mg") == "Mg^1")
        for bad in ["mol/", "mol//m2", "mol/(m2 s", "mol m2)"] {
            #expect(throws: CFUnitsError.self, "\(bad)") { try CFUnits.factors(of: bad) }
        }
    }
}
