import Foundation
import Geometry
import NetCDFIO

/// The regions `rcas evaluate` reports for a run: the domain, land and ocean,
/// the Kou2023 China regions (boxes, then the same on land only) and
/// ecological areas, the provinces, then the user's masks.
enum RunRegions {
    static func regions(fluxes: FluxFile, options: EvaluationOptions, runDirectory: URL,
                        notes: inout [String]) throws -> [Region] {
        let centres = zip(fluxes.latitude, fluxes.longitude).map { GeoPoint(latitude: $0, longitude: $1) }
        var regions = RegionSet.seed000(centres: centres).regions
        let domain = try resolveDomain(fluxes: fluxes, options: options, runDirectory: runDirectory)
        let grid = (fluxes.latitude, fluxes.longitude)

        let landPath = options.landSeaMaskPath ?? domain?.maskFiles["land_sea"]
        if landPath == nil {
            notes.append(domain.map { "domain \($0.name) has no land_sea mask: land and ocean budgets omitted" }
                         ?? "no land_sea mask found (give --land-sea-mask FILE or --domain DIR): land and ocean budgets omitted")
        }
        if let path = landPath {
            let land = try MaskReader.read(path: path, variable: "land_fraction", ny: fluxes.ny, nx: fluxes.nx, centres: grid)
            regions = RegionSet.seed000WithLandOnlyBoxes(centres: centres, landFraction: land)
            regions.insert(contentsOf: RegionSet.landSea(landFraction: land), at: 1)
        }

        if let path = options.provinceMasksPath ?? domain?.maskFiles[ProvinceMasks.maskName] {
            let provinces = try ProvinceMasks.read(path: path, ny: fluxes.ny, nx: fluxes.nx, centres: grid)
            try append(provinces.regions, to: &regions, from: path)
            let outside = provinces.names.indices.filter { provinces.fractionInsideDomain[$0] < 0.999 }
            if !outside.isEmpty {
                notes.append("provinces partly outside the domain (their budgets cover only the part inside): "
                             + outside.map { String(format: "%@ %.0f %%", provinces.names[$0], 100 * provinces.fractionInsideDomain[$0]) }
                                .joined(separator: ", "))
            }
        } else {
            notes.append("no province masks (give --province-masks FILE or a domain with a provinces mask): provincial budgets omitted")
        }

        for mask in options.regionMasks {
            let weights = try MaskReader.read(path: mask.file, variable: mask.variable, ny: fluxes.ny, nx: fluxes.nx, centres: grid)
            try append([Region(name: mask.variable, kind: .mask, weights: weights)], to: &regions, from: mask.file)
        }
        return regions
    }

    /// Appends `new`, refusing a name that is already taken.
    static func append(_ new: [Region], to regions: inout [Region], from path: String) throws {
        for region in new {
            guard !regions.contains(where: { $0.name == region.name }) else {
                throw NetCDFError(path: path, object: region.name, operation: "read region mask",
                                  message: "a region called \(region.name) already exists")
            }
            regions.append(region)
        }
    }

    /// The domain given in the options, else the one named by the `domain`
    /// attribute of `fluxes.nc` (as a path, inside the run directory, or
    /// under Domains/), checked to be the fluxes' grid; nil when none is found.
    static func resolveDomain(fluxes: FluxFile, options: EvaluationOptions, runDirectory: URL) throws -> Domain? {
        var domainPath = options.domainPath
        if domainPath == nil, options.landSeaMaskPath == nil || options.provinceMasksPath == nil, let name = fluxes.domainAttribute {
            let candidates = [name, runDirectory.appendingPathComponent(name).path, "Domains/\(name)"]
            domainPath = candidates.first { FileManager.default.fileExists(atPath: $0) }
        }
        guard let domainPath else { return nil }
        let domain = try Domain.load(domainPath)
        guard domain.grid.nx == fluxes.nx, domain.grid.ny == fluxes.ny else {
            throw NetCDFError(path: fluxes.path, object: "x", operation: "match domain",
                              message: "fluxes are \(fluxes.nx) x \(fluxes.ny) cells, domain \(domain.name) is \(domain.grid.nx) x \(domain.grid.ny)")
        }
        return domain
    }
}
