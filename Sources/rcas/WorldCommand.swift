import ArgumentParser
import CFOutput
import Foundation
import Geometry
import ModelTime
import NetCDFIO
import SyntheticWorld

struct WorldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "world", abstract: "The built-in synthetic world: prior fluxes, background, land/sea mask (Docs/synthetic-world.md).",
        subcommands: [WorldBudget.self, WorldWrite.self])
}

struct WorldBudget: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Annual totals (Pg C/yr) of the synthetic prior flux components over the domain and the Kou et al. 2023 region boxes.")

    @Option(help: "A domain folder (holding domain.yaml, with a land_sea mask).")
    var domain: String

    @Option(help: "Calendar year.")
    var year: Int = 2016

    @Option(help: "Sum every N-th hour of the year (1 = every hour; N coprime with 24 samples all hours of the day).")
    var strideHours: Int = 1

    func validate() throws {
        guard strideHours >= 1 else { throw ValidationError("--stride-hours must be at least 1") }
    }

    func run() throws {
        let d = try loadDomain(domain)
        let flux = try SyntheticPriorFlux(domain: d)
        // Boxes of Kou2023 Fig. 3 (SCIENCE.md §8); they include some land outside China.
        let boxes = [LatLonBox(name: "west China box 28-48N 85-104E", south: 28, north: 48, west: 85, east: 104),
                     LatLonBox(name: "north China box 37-52N 105-135E", south: 37, north: 52, west: 105, east: 135),
                     LatLonBox(name: "central China box 30-36N 105-120E", south: 30, north: 36, west: 105, east: 120),
                     LatLonBox(name: "south China box 18-29N 105-123E", south: 18, north: 29, west: 105, east: 123)]
        let all = [Bool](repeating: true, count: d.grid.cellCount)
        let land = flux.landFraction.map { $0 > 0 }
        let started = Date()
        let budgets = flux.annualBudgets(year: year, strideHours: strideHours,
                                         regions: [all, land] + boxes.map { d.grid.mask($0) })
        let seconds = Date().timeIntervalSince(started)
        print("Synthetic prior flux, \(year), domain \(d.name), every \(strideHours) h (Pg C/yr; + = source)")
        print("region                                    bio      ocn   fossil     fire    total")
        for (name, b) in zip(["whole domain", "cells with land"] + boxes.map(\.name), budgets) {
            print(name.padding(toLength: 36, withPad: " ", startingAt: 0)
                  + String(format: " %8.3f %8.3f %8.3f %8.3f %8.3f", b.bio, b.ocn, b.fossil, b.fire, b.total))
        }
        print("fossil sources outside the grid (not emitted): "
              + (flux.skippedFossilSources.isEmpty ? "none" : flux.skippedFossilSources.map(\.name).joined(separator: ", ")))
        print(String(format: "computed in %.1f s", seconds))
    }
}

struct WorldWrite: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write",
        abstract: "Write the synthetic world for some hours to a CF NetCDF file, to look at it.",
        discussion: """
            Variables: land_fraction(y, x); bio, ocn, fossil, fire(time, y, x) in umol m-2 s-1 \
            (each for the hour starting at time); co2_background(time, z, y, x) in ppm at the top of the hour.
            """)

    @OptionGroup var period: HourlyFileOptions

    func run() throws {
        let d = try loadDomain(period.domain)
        let hours = period.hours, output = period.output
        let flux = try SyntheticPriorFlux(domain: d)
        let background = SyntheticBackground(domain: d)
        let grid = d.grid, nz = d.layers.count
        let file = try NetCDFFile.create(output)
        let root = file.root
        try CFGridWriter.writeGlobalAttributes(to: root, title: "RCAS synthetic world on domain \(d.name)",
                                               extra: [("domain", d.name), ("land_sea_source", try LandSeaMask(domain: d).source)])
        try CFGridWriter.write(grid, to: root)
        let time = try CFGridWriter.addTimeCoordinate(to: root)
        try root.addDimension("z", length: nz)
        let z = try root.addVariable("z", type: .double, dimensions: ["z"])
        try z.setAttribute("long_name", .text("height of the layer middle above ground"))
        try z.setAttribute("units", .text("m"))
        try z.write((0..<nz).map(d.layers.midHeight))
        let land = try root.addVariable("land_fraction", type: .double, dimensions: ["y", "x"])
        try land.setAttribute("units", .text("1"))
        try CFGridWriter.attachGrid(to: land)
        try land.write(flux.landFraction)
        let names = [("bio", "net biosphere exchange"), ("ocn", "air-sea flux"), ("fossil", "fossil fuel emission"),
                     ("fire", "biomass burning emission")]
        var variables: [NetCDFVariable] = []
        for (name, longName) in names {
            let variable = try root.addVariable(name, type: .double, dimensions: ["time", "y", "x"], deflateLevel: 1)
            try variable.setAttribute("long_name", .text("\(longName), upward, mean of the hour starting at time"))
            try variable.setAttribute("units", .text("umol m-2 s-1"))
            try CFGridWriter.attachGrid(to: variable)
            variables.append(variable)
        }
        let co2 = try root.addVariable("co2_background", type: .double, dimensions: ["time", "z", "y", "x"], deflateLevel: 1)
        try co2.setAttribute("long_name", .text("synthetic background CO2 dry mole fraction"))
        try co2.setAttribute("units", .text("ppm"))
        try CFGridWriter.attachGrid(to: co2)

        let first = period.first
        for record in 0..<hours {
            let hour = first.advanced(by: record)
            try time.write([Double(hour.value)], start: [record], count: [1])
            let c = flux.components(at: hour)
            for (variable, values) in zip(variables, [c.bio, c.ocn, c.fossil, c.fire]) {
                try variable.write(values, start: [record, 0, 0], count: [1, grid.ny, grid.nx])
            }
            try co2.write(background.field(at: hour), start: [record, 0, 0, 0], count: [1, nz, grid.ny, grid.nx])
        }
        try file.commit()
        print("wrote \(output): \(hours) hours of the synthetic world from \(first) on domain \(d.name)")
    }
}
