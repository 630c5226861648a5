import ArgumentParser
import CFOutput
import Foundation
import Geometry
import NetCDFIO

struct DomainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "Inspect a model domain and write its grid file.",
        subcommands: [DomainInfo.self, DomainGrid.self])
}

struct DomainInfo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Summarise a domain: size, projection, corners, area, layers.")

    @Argument(help: "A domain folder (holding domain.yaml) or a domain.yaml file.")
    var domain: String

    func run() throws {
        let d = try loadDomain(domain)
        let g = d.grid
        print("Domain \(d.name): \(d.summary)")
        print("  projection  \(g.projection.projString)")
        print(String(format: "  grid        %d x %d columns (west-east x south-north), %.0f x %.0f km cells",
                     g.nx, g.ny, g.dx / 1000, g.dy / 1000))
        print(String(format: "  extent      %.0f km x %.0f km, origin (lower-left corner) x = %.0f km, y = %.0f km",
                     Double(g.nx) * g.dx / 1000, Double(g.ny) * g.dy / 1000, g.xOrigin / 1000, g.yOrigin / 1000))
        let names = ["lower-left", "lower-right", "upper-right", "upper-left"]
        print("  corner cell centres:")
        for (name, point) in zip(names, g.cornerCellCenters) { print("    \(name.padding(toLength: 12, withPad: " ", startingAt: 0)) \(point)") }
        let areas = g.cellAreas()
        print(String(format: "  total area  %.6e km2 (cells %.0f to %.0f km2)", areas.reduce(0, +) / 1e6,
                     areas.min()! / 1e6, areas.max()! / 1e6))
        let layers = d.layers
        let low = layers.interfaceHeights.dropFirst().filter { $0 <= 2000 }.count
        print(String(format: "  layers      %d to %.1f km, %d in the lowest 2 km", layers.count, layers.top / 1000, low))
        print("  interfaces  \(layers.interfaceHeights.map { String(format: "%.0f", $0) }.joined(separator: " ")) m")
        if !d.maskFiles.isEmpty {
            print("  masks       \(d.maskFiles.keys.sorted().joined(separator: ", "))")
        }
    }
}

struct DomainGrid: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grid", abstract: "Write the domain's CF-1.8 grid file (x, y, lat, lon, cell_area, crs).")

    @Argument(help: "A domain folder (holding domain.yaml) or a domain.yaml file.")
    var domain: String

    @Option(name: .shortAndLong, help: "The NetCDF file to write.")
    var output: String

    func run() throws {
        let d = try loadDomain(domain)
        let file = try NetCDFFile.create(output)
        try CFGridWriter.writeGlobalAttributes(to: file.root, title: "RCAS grid of domain \(d.name)",
                                               extra: [("domain", d.name)])
        try CFGridWriter.write(d.grid, to: file.root)
        try file.commit()
        print("wrote \(output): \(d.grid.nx) x \(d.grid.ny) cells of domain \(d.name)")
    }
}

/// Loads a domain, turning its errors into a clean command-line failure.
func loadDomain(_ path: String) throws -> Domain {
    do {
        return try Domain.load(path)
    } catch {
        throw CommandFailure("invalid domain: \(error)")
    }
}
