import CFOutput
import Foundation
import Geometry
import ModelTime
import NetCDFIO
import TestSupport

/// Writers of small run-directory files following the run-directory contract.
enum Fixture {
    static let domainPath = TestEnvironment.packageRoot.appendingPathComponent("Domains/test-small").path
    static let domain: Domain = try! Domain.load(domainPath)
    static var grid: HorizontalGrid { domain.grid }

    /// Writes `fluxes.nc` with records `periods` (hours since 1970) and the
    /// given fields (time, y, x); `field(t)` returns record t. Every
    /// component in `components` gets all six mean/spread fields from `value`.
    static func writeFluxes(_ path: String, grid: HorizontalGrid = Fixture.grid, periods: [(Double, Double)],
                            components: [String] = ["bio", "ocn"],
                            value: (String, Int) -> [Double], extra: [String] = [], omit: String? = nil,
                            domain: String? = "test-small") throws {
        let file = try NetCDFFile.create(path)
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "test fluxes",
                                               extra: domain.map { [("domain", $0)] } ?? [])
        try CFGridWriter.write(grid, to: root)
        try root.addDimension("time", length: nil)
        try root.addDimension("nv", length: 2)
        let time = try root.addVariable("time", type: .double, dimensions: ["time"])
        try time.setAttribute("units", .text(ModelHour.cfUnits))
        try time.setAttribute("bounds", .text("time_bnds"))
        try time.write(periods.map(\.0), start: [0], count: [periods.count])
        let bounds = try root.addVariable("time_bnds", type: .double, dimensions: ["time", "nv"])
        try bounds.write(periods.flatMap { [$0.0, $0.1] }, start: [0, 0], count: [periods.count, 2])
        var names: [String] = []
        for c in components {
            for e in ["prior", "forecast", "analysis"] { names += ["\(c)_\(e)_mean", "\(c)_\(e)_spread"] }
        }
        for name in names + extra where name != omit {
            let variable = try root.addVariable(name, type: .float, dimensions: ["time", "y", "x"])
            try variable.setAttribute("units", .text("umol m-2 s-1"))
            for t in periods.indices {
                try variable.write(value(name, t).map { Float($0) }, start: [t, 0, 0], count: [1, grid.ny, grid.nx])
            }
        }
        try file.commit()
    }

    /// One row of `observations.nc`.
    struct Row {
        var time: Double
        var kind: Int8 = 0
        var set: Int8 = 0
        var status: Int8 = 0
        var site = ""
        var value: Double
        var model: Double
        var latitude = 35.0
        var longitude = 116.0
    }

    /// Writes `observations.nc` with `rows`; `omit` leaves a variable out; `characterSites`
    /// stores `site` as a fixed-length char array (obs, site_strlen) instead of strings.
    static func writeObservations(_ path: String, rows: [Row], runKind: String, omit: String? = nil,
                                  timeUnits: String = "seconds since 1970-01-01 00:00:00",
                                  characterSites: Bool = false, analysisSpread: [Double]? = nil) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        let file = try NetCDFFile.create(path)
        let root = file.root
        try root.setAttribute("rcas_run_kind", .text(runKind))
        try root.addDimension("obs", length: nil)
        let n = rows.count
        func doubles(_ name: String, _ values: [Double]) throws {
            guard name != omit else { return }
            try root.addVariable(name, type: .double, dimensions: ["obs"]).write(values, start: [0], count: [n])
        }
        func bytes(_ name: String, _ values: [Int8]) throws {
            guard name != omit else { return }
            try root.addVariable(name, type: .int8, dimensions: ["obs"]).write(values, start: [0], count: [n])
        }
        try doubles("time", rows.map(\.time))
        try root.variable("time").setAttribute("units", .text(timeUnits))
        try doubles("analysis_hour", rows.map { ($0.time / 3600).rounded(.down) })
        try doubles("latitude", rows.map(\.latitude))
        try doubles("longitude", rows.map(\.longitude))
        try bytes("kind", rows.map(\.kind))
        try bytes("set", rows.map(\.set))
        try bytes("status", rows.map(\.status))
        if omit != "site", characterSites {
            try root.addDimension("site_strlen", length: 8)
            try root.addVariable("site", type: .char, dimensions: ["obs", "site_strlen"])
                .writeCharacterRows(rows.map(\.site), start: 0, width: 8)
        } else if omit != "site" {
            try root.addVariable("site", type: .string, dimensions: ["obs"]).writeStrings(rows.map(\.site), start: [0], count: [n])
        }
        try root.addVariable("instrument", type: .string, dimensions: ["obs"])
            .writeStrings(rows.map { $0.kind == 0 ? "oco2" : "insitu" }, start: [0], count: [n])
        try doubles("value", rows.map(\.value))
        try doubles("error", rows.map { _ in 1 })
        try doubles("background_mean", rows.map(\.model))
        try doubles("background_spread", rows.map { _ in 0 })
        try doubles("analysis_mean", rows.map(\.model))
        try doubles("analysis_spread", analysisSpread ?? rows.map { _ in 0 })
        try file.commit()
    }

    /// Seconds since 1970 of a UTC calendar hour.
    static func seconds(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0) -> Double {
        ModelHour(year: year, month: month, day: day, hour: hour).secondsSince1970
    }

    /// Hours since 1970 of a UTC calendar hour.
    static func hours(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0) -> Double {
        Double(ModelHour(year: year, month: month, day: day, hour: hour).value)
    }
}
