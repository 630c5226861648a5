import ArgumentParser
import Foundation
import Geometry
import ModelTime
import SyntheticWorld

struct WorldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "world", abstract: "The built-in synthetic world: prior fluxes, background, land/sea mask (Docs/synthetic-world.md).",
        subcommands: [WorldBudget.self])
}

struct WorldBudget: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "budget",
        abstract: "Annual totals (Pg C/yr) of the synthetic prior flux components over the domain and the seed-000 region boxes.")

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
        // Boxes of seed 000 Fig. 3 (SCIENCE.md §8); they include some land outside China.
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
