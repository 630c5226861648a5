import Foundation
import Geometry
import NetCDFIO

/// The fraction of each grid cell that is land, read from a domain's
/// `land_sea_mask.nc` (made by `Domains/tools/make_land_sea_mask.py` from the
/// GLOBE-derived `global-land-mask` data set; Docs/synthetic-world.md).
public struct LandSeaMask: Sendable {
    /// Land fraction in [0, 1], `j * nx + i`.
    public let landFraction: [Double]
    public let nx: Int
    public let ny: Int
    /// The data set the mask was derived from (the file's `source` attribute).
    public let source: String

    /// The name of the mask in `domain.yaml`'s `masks:` table.
    public static let maskName = "land_sea"

    /// Reads the mask named `land_sea` in the domain's `masks:` table.
    public init(domain: Domain) throws {
        guard let path = domain.maskFiles[Self.maskName] else {
            throw NetCDFError(path: domain.directory.appendingPathComponent(Domain.fileName).path,
                                      object: "masks.\(Self.maskName)",
                                      operation: "read land/sea mask", message: "domain \(domain.name) has no land_sea mask file")
        }
        try self.init(file: path, grid: domain.grid)
    }

    /// Reads `land_fraction(y, x)` from `file`, checking its shape, its values
    /// and, when the file has them, that its `lat`/`lon` are the grid's cell
    /// centres (so a mask made for another grid is refused).
    public init(file: String, grid: HorizontalGrid) throws {
        let nc = try NetCDFFile.open(file)
        defer { nc.close() }
        let root = nc.root
        guard root.hasVariable("land_fraction") else {
            throw NetCDFError(path: file, object: "land_fraction", operation: "read land/sea mask", message: "variable missing")
        }
        let variable = try root.variable("land_fraction")
        let shape = try variable.shape()
        guard shape == [grid.ny, grid.nx] else {
            throw NetCDFError(path: file, object: "land_fraction",
                                      operation: "read land/sea mask", message: "shape \(shape), expected (y, x) = [\(grid.ny), \(grid.nx)]")
        }
        let values = try variable.read(Double.self)
        if let bad = values.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw NetCDFError(path: file, object: "land_fraction",
                                      operation: "read land/sea mask", message: "value \(values[bad]) at (y, x) = (\(bad / grid.nx), \(bad % grid.nx)) is not a fraction in [0, 1]")
        }
        if root.hasVariable("lat") && root.hasVariable("lon") {
            let lat = try root.variable("lat").read(Double.self), lon = try root.variable("lon").read(Double.self)
            let centres = grid.centers()
            guard lat.count == centres.count, lon.count == centres.count else {
                throw NetCDFError(path: file, object: "lat", operation: "read land/sea mask", message: "lat/lon do not have the grid's \(centres.count) cells")
            }
            for (n, centre) in centres.enumerated() {
                let dLon = abs(remainder(lon[n] - centre.longitude, 360))
                guard abs(lat[n] - centre.latitude) < 1e-4, dLon < 1e-4 else {
                    throw NetCDFError(path: file, object: "lat",
                                              operation: "read land/sea mask", message: "cell (y, x) = (\(n / grid.nx), \(n % grid.nx)) is at \(lat[n]), \(lon[n]) in the file but \(centre) on the grid: the mask was made for another grid")
                }
            }
        }
        landFraction = values
        nx = grid.nx
        ny = grid.ny
        source = try root.attribute("source")?.text ?? "unknown"
    }

    /// True when more than half of cell (i, j) is land.
    public func isLand(_ i: Int, _ j: Int) -> Bool { landFraction[j * nx + i] > 0.5 }
}
