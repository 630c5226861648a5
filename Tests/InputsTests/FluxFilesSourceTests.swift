import Foundation
import Geometry
import Inputs
import ModelTime
import NetCDFIO
import Testing
import TestSupport

/// Writes a CF flux file: `variable` (time, lat, lon) as float, with the
/// given time axis and attributes; `value(t, lat, lon)`.
func writeFluxFile(_ path: String, latitudes: [Double], longitudes: [Double], timeUnits: String, times: [Double],
                   bounds: [Double]? = nil, variable: String, units: String?, positive: String? = nil,
                   fillValue: Float? = nil, value: (Int, Double, Double) -> Double) throws {
    let file = try NetCDFFile.create(path)
    let root = file.root
    try root.addDimension("time", length: nil)
    try root.addDimension("lat", length: latitudes.count)
    try root.addDimension("lon", length: longitudes.count)
    let time = try root.addVariable("time", type: .double, dimensions: ["time"])
    try time.setAttribute("units", .text(timeUnits))
    try time.write(times, start: [0], count: [times.count])
    if let bounds {
        try root.addDimension("nv", length: 2)
        try time.setAttribute("bounds", .text("time_bnds"))
        try root.addVariable("time_bnds", type: .double, dimensions: ["time", "nv"]).write(bounds, start: [0, 0], count: [times.count, 2])
    }
    let lat = try root.addVariable("lat", type: .double, dimensions: ["lat"])
    try lat.setAttribute("units", .text("degrees_north"))
    try lat.write(latitudes)
    let lon = try root.addVariable("lon", type: .double, dimensions: ["lon"])
    try lon.setAttribute("units", .text("degrees_east"))
    try lon.write(longitudes)
    let flux = try root.addVariable(variable, type: .float, dimensions: ["time", "lat", "lon"], deflateLevel: 1)
    if let units { try flux.setAttribute("units", .text(units)) }
    if let positive { try flux.setAttribute("positive", .text(positive)) }
    if let fillValue { try flux.setAttribute("_FillValue", .floats([fillValue])) }
    var values: [Float] = []
    for t in times.indices { for φ in latitudes { for λ in longitudes { values.append(Float(value(t, φ, λ))) } } }
    try flux.write(values, start: [0, 0, 0], count: [times.count, latitudes.count, longitudes.count])
    try file.commit()
}

/// `prior_flux: {source: files}`: any CF latitude/longitude flux file per component.
@Suite struct FluxFilesSourceTests {
    /// A 0.5° box over test-small, latitudes running north to south.
    let latitudes = (0..<120).map { 59.75 - 0.5 * Double($0) }
    let longitudes = (0..<240).map { 60.25 + 0.5 * Double($0) }

    func provider(_ components: [PriorFluxComponent: FluxFileSettings]) throws -> any PriorFluxProvider {
        try PriorFluxSettings(source: .files(components)).makeProvider(domain: loadDomain("test-small"))
    }

    /// Monthly kg C m⁻² s⁻¹ stamped mid-month: every hour of a month takes
    /// its month's value, converted to µmol CO2 m⁻² s⁻¹; latitudes stored north
    /// to south keep their place (the value grows with latitude).
    @Test func monthlyKilogramsOfCarbonBecomeHourlyMicromoles() throws {
        let folder = try TestEnvironment.temporaryDirectory("rcas-flux")
        let path = folder.appendingPathComponent("nee.nc").path
        try writeFluxFile(path, latitudes: latitudes, longitudes: longitudes, timeUnits: "days since 2016-01-01 00:00:00",
                          times: [14, 44.5], variable: "nee", units: "kg C m-2 s-1") { t, φ, _ in 1e-8 * Double(t + 1) * (1 + φ / 100) }
        let flux = try provider([.biosphere: FluxFileSettings(files: .list([path]), variable: "nee", timeResolution: .monthly)])
        let grid = try loadDomain("test-small").grid
        let centres = grid.centers()
        let perKilogram = 1e3 / 12.011e-6   // µmol of CO2 per kg of C
        for (hour, month) in [(ModelHour(year: 2016, month: 1, day: 1), 1.0), (ModelHour(year: 2016, month: 1, day: 31, hour: 23), 1),
                              (ModelHour(year: 2016, month: 2, day: 1), 2), (ModelHour(year: 2016, month: 2, day: 29, hour: 23), 2)] {
            let f = try flux.fluxes(at: hour)
            for c in [0, 77, grid.cellCount - 1] {
                let expected = 1e-8 * month * (1 + centres[c].latitude / 100) * perKilogram
                #expect(abs(f.bio[c] / expected - 1) < 2e-3, "hour \(hour), cell \(c): \(f.bio[c]) vs \(expected)")
            }
            #expect(f.ocn.allSatisfy { $0 == 0 } && f.fossil.allSatisfy { $0 == 0 } && f.fire.allSatisfy { $0 == 0 })
        }
        expectError(containing: ["biosphere", "2016-03-01T00:00:00Z", "not covered"]) {
            _ = try flux.fluxes(at: ModelHour(year: 2016, month: 3, day: 1))
        }
        #expect(flux.componentSources[.ocean] == "zero (not configured)")
        #expect(flux.componentSources[.biosphere]!.contains("nee [kg C m-2 s-1], monthly"))
    }

    /// Daily g C m⁻² day⁻¹ stamped at the end of each day: the `bounds`
    /// variable puts each value on its own day.
    @Test func boundsPlaceEndStampedDays() throws {
        let folder = try TestEnvironment.temporaryDirectory("rcas-flux")
        let path = folder.appendingPathComponent("fire.nc").path
        try writeFluxFile(path, latitudes: latitudes, longitudes: longitudes, timeUnits: "hours since 2016-07-01T00:00:00Z",
                          times: [24, 48], bounds: [0, 24, 24, 48], variable: "C_fire", units: "gC m-2 d-1") { t, _, _ in t == 0 ? 1.2011 : 2.4022 }
        let flux = try provider([.fire: FluxFileSettings(files: .list([path]), variable: "C_fire", timeResolution: .daily)])
        let perGramPerDay = 1 / 12.011e-6 / 86_400
        #expect(try flux.fluxes(at: ModelHour(year: 2016, month: 7, day: 1, hour: 23)).fire.allSatisfy { abs($0 / (1.2011 * perGramPerDay) - 1) < 1e-6 })
        #expect(try flux.fluxes(at: ModelHour(year: 2016, month: 7, day: 2)).fire.allSatisfy { abs($0 / (2.4022 * perGramPerDay) - 1) < 1e-6 })
    }

    /// An ocean flux counted positive downward: `positive: down` turns it
    /// around; a configuration saying up, against the file, is refused.
    @Test func downwardFluxesAreTurnedAround() throws {
        let folder = try TestEnvironment.temporaryDirectory("rcas-flux")
        let path = folder.appendingPathComponent("ocean.nc").path
        try writeFluxFile(path, latitudes: latitudes, longitudes: longitudes, timeUnits: "days since 2016-01-01", times: [0.5],
                          variable: "fgco2", units: "mol m-2 s-1", positive: "down") { _, _, _ in 2e-7 }
        let down = FluxFileSettings(files: .list([path]), variable: "fgco2", timeResolution: .daily, positiveUp: false)
        #expect(try provider([.ocean: down]).fluxes(at: ModelHour(year: 2016, month: 1, day: 1, hour: 5)).ocn.allSatisfy { abs($0 + 0.2) < 1e-7 })
        var up = down
        up.positiveUp = true
        expectError(containing: [path, "fgco2", "positive = down", "set 'positive: down'"]) { _ = try provider([.ocean: up]) }
    }

    /// Fill values over land: an error naming the value and its index, or
    /// zero flux with `missing_as_zero`.
    @Test func fillValuesFailOrCountAsZero() throws {
        let folder = try TestEnvironment.temporaryDirectory("rcas-flux")
        let path = folder.appendingPathComponent("ocean.nc").path
        try writeFluxFile(path, latitudes: latitudes, longitudes: longitudes, timeUnits: "days since 2016-01-01", times: [0.5],
                          variable: "fgco2", units: "mol m-2 s-1", fillValue: -9999) { _, _, λ in λ < 115 ? -9999 : -1e-7 }
        var settings = FluxFileSettings(files: .list([path]), variable: "fgco2", timeResolution: .daily)
        let hour = ModelHour(year: 2016, month: 1, day: 1)
        expectError(containing: [path, "fgco2", "value -9999.0 at [time 0, lat ", "the variable's _FillValue/missing_value"]) {
            _ = try provider([.ocean: settings]).fluxes(at: hour)
        }
        settings.missingAsZero = true
        let ocean = try provider([.ocean: settings]).fluxes(at: hour).ocn
        let grid = try loadDomain("test-small").grid
        for (c, centre) in grid.centers().enumerated() where abs(centre.longitude - 115) > 2 {
            #expect(abs(ocean[c] - (centre.longitude < 115 ? 0 : -0.1)) < 1e-7, "cell \(c) at \(centre)")
        }
    }

    /// A regional file that leaves part of the domain uncovered.
    @Test func aGridThatDoesNotCoverTheDomainIsRefused() throws {
        let folder = try TestEnvironment.temporaryDirectory("rcas-flux")
        let path = folder.appendingPathComponent("east-china.nc").path
        try writeFluxFile(path, latitudes: (0..<40).map { 20.25 + 0.5 * Double($0) }, longitudes: (0..<60).map { 100.25 + 0.5 * Double($0) },
                          timeUnits: "days since 2016-01-01", times: [0.5], variable: "nee", units: "umol m-2 s-1") { _, _, _ in 1 }
        expectError(containing: [path, "nee", "covers", "must cover the whole domain"]) {
            _ = try provider([.biosphere: FluxFileSettings(files: .list([path]), variable: "nee", timeResolution: .daily)])
        }
    }

    @Test func unknownOrAmbiguousUnitsNameTheFileAndVariable() throws {
        let folder = try TestEnvironment.temporaryDirectory("rcas-flux")
        for (name, units) in [("a.nc", "furlongs m-2 s-1"), ("b.nc", "kg m-2 s-1")] {
            let path = folder.appendingPathComponent(name).path
            try writeFluxFile(path, latitudes: latitudes, longitudes: longitudes, timeUnits: "days since 2016-01-01", times: [0.5],
                              variable: "flux", units: units) { _, _, _ in 1e-7 }
            expectError(containing: [path, "'flux'", "units '\(units)'"]) {
                _ = try provider([.fossil: FluxFileSettings(files: .list([path]), variable: "flux", timeResolution: .daily)])
            }
        }
        // The configuration's units replace the file's.
        let path = folder.appendingPathComponent("b.nc").path
        let fixed = try provider([.fossil: FluxFileSettings(files: .list([path]), variable: "flux", units: "kg CO2 m-2 s-1", timeResolution: .daily)])
        let micromoles = 1e-7 * 1e3 / 44.009 * 1e6
        #expect(try fixed.fluxes(at: ModelHour(year: 2016, month: 1, day: 1)).fossil.allSatisfy { abs($0 / micromoles - 1) < 1e-6 })
    }
}

@Suite struct FluxUnitsTests {
    @Test func unitsConvertToMicromolesPerSquareMetrePerSecond() throws {
        let cases: [(String, Double)] = [
            ("mol m-2 s-1", 1e6), ("mol/m2/s", 1e6), ("mol m^-2 s^-1", 1e6), ("umol m-2 s-1", 1), ("µmol m-2 s-1", 1),
            ("micromol m-2 s-1", 1), ("kg C m-2 s-1", 1e3 / 12.011e-6), ("kgC/m2/s", 1e3 / 12.011e-6),
            ("g C m-2 day-1", 1 / 12.011e-6 / 86_400), ("gC m-2 d-1", 1 / 12.011e-6 / 86_400),
            ("kg CO2 m-2 s-1", 1e3 / 44.009 * 1e6), ("kgCO2 m-2 s-1", 1e3 / 44.009 * 1e6),
            ("g CO2 m-2 yr-1", 1e6 / 44.009 / (365.2425 * 86_400)), ("mol CO2 m-2 s-1", 1e6), ("Tg C km-2 yr-1", 1e12 / 12.011e-6 / 1e6 / (365.2425 * 86_400)),
        ]
        for (text, factor) in cases {
            let units = try FluxUnits(text)
            #expect(abs(units.toMicromolesPerSquareMetrePerSecond / factor - 1) < 1e-12, "\(text)")
        }
    }

    @Test func ambiguousOrUnknownUnitsAreRefused() {
        for (text, problem) in [("kg m-2 s-1", "species"), ("g C m-2 month-1", "month"), ("mol m-2", "per-time"), ("mol s-1", "per-area"),
                                ("furlong m-2 s-1", "not a unit"), ("mol mol m-2 s-1", "once")] {
            do {
                _ = try FluxUnits(text)
                Issue.record("accepted '\(text)'")
            } catch {
                #expect(error.description.contains(problem), "\(text): \(error)")
            }
        }
    }
}
