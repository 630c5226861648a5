import ArgumentParser
import CFOutput
import Foundation
import Geometry
import Meteorology
import NetCDFIO

struct DomainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "Inspect a model domain, write its grid file, or make one from WRF output.",
        subcommands: [DomainInfo.self, DomainGrid.self, DomainFromWRF.self])
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

struct DomainFromWRF: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "from-wrf",
        abstract: "Write a domain folder whose grid and layers are those of a WRF run (Docs/meteorology.md).",
        discussion: """
            The grid is WRF's own (MAP_PROJ 1 Lambert conformal, 2 polar stereographic, 3 Mercator; \
            6370 km sphere): cell centres are the mass points XLAT/XLONG, so 'meteorology: {source: wrf}' \
            reads the wrfout files without horizontal interpolation. Layers are WRF's full levels \
            (all, or those given with --interfaces) at their domain-mean heights in the file's first time. \
            A land/sea mask is written from LANDMASK, XLAND or LU_INDEX when the file has one.
            """)

    @Argument(help: "A wrfout file of the WRF domain (its first time is used).")
    var wrfout: String

    @Option(name: .shortAndLong, help: "The domain folder to write (domain.yaml, land_sea_mask.nc); must not hold a domain.yaml.")
    var output: String

    @Option(help: "Domain name (default wrf-d01 for GRID_ID 1).")
    var name: String?

    @Option(help: "WRF full levels that become layer interfaces, comma-separated, 0 first (default: every level).")
    var interfaces: String?

    func run() throws {
        var levels: [Int]?
        if let interfaces {
            let parts = interfaces.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            let numbers = parts.compactMap { Int($0) }
            guard numbers.count == parts.count, !numbers.isEmpty else {
                throw CommandFailure("--interfaces '\(interfaces)' is not a comma-separated list of level numbers")
            }
            levels = numbers
        }
        let domain = try WRFDomain(wrfout: wrfout, interfaceLevels: levels, name: name)
        try domain.write(to: output)
        let loaded = try loadDomain(output)
        let g = loaded.grid
        print("wrote \(output): domain \(loaded.name), \(g.nx) x \(g.ny) cells of \(g.dx / 1000) x \(g.dy / 1000) km, \(loaded.layers.count) layers to \(String(format: "%.0f", loaded.layers.top)) m")
        print("  projection  \(g.projection.projString)")
        print(String(format: "  cell centres match XLAT/XLONG within %.1e degrees", domain.coordinateDifference))
        print("  land/sea    \(domain.landSource.map { "land_sea_mask.nc from \($0)" } ?? "none (the file has no LANDMASK, XLAND or LU_INDEX)")")
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
