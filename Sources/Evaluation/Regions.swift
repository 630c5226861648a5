import Foundation
import Geometry
import NetCDFIO

/// A region of the model grid as a weight per cell in [0, 1]: 1 for a cell
/// wholly in it, a fraction for part of a cell (e.g. the land fraction).
public struct Region: Sendable, Equatable {
    /// What defined the region.
    public enum Kind: String, Sendable {
        case domain, land, ocean
        /// A China region of Kou2023 Fig. 3.
        case chinaRegion = "china_region"
        /// A China region of Kou2023 Fig. 3 restricted to land (box × land fraction).
        case chinaRegionLand = "china_region_land"
        /// A provincial-level division of China (land fraction of the province per cell).
        case province
        /// An ecological area of Kou2023 Fig. 3.
        case ecologicalArea = "ecological_area"
        /// A mask file given by the user.
        case mask
    }

    public let name: String
    public let kind: Kind
    /// Weight of each cell, flat index `j * nx + i`.
    public let weights: [Double]

    public init(name: String, kind: Kind, weights: [Double]) {
        precondition(weights.allSatisfy { $0 >= 0 && $0 <= 1 }, "region \(name): weights must be in [0, 1]")
        self.name = name
        self.kind = kind
        self.weights = weights
    }

    /// Cells with a non-zero weight, with their weights: the sums over a
    /// region visit only these.
    public var support: [(cell: Int, weight: Double)] {
        weights.indices.compactMap { weights[$0] > 0 ? ($0, weights[$0]) : nil }
    }

    /// Number of cells with a non-zero weight.
    public var cellCount: Int { weights.count(where: { $0 > 0 }) }

    /// Σ weight × cell area (m²).
    public func area(cellAreas: [Double]) -> Double {
        precondition(cellAreas.count == weights.count, "one area per cell")
        return zip(weights, cellAreas).reduce(0) { $0 + $1.0 * $1.1 }
    }
}

/// The regions a budget is reported for.
public struct RegionSet: Sendable {
    public var regions: [Region]

    public init(_ regions: [Region]) { self.regions = regions }

    /// The four China regions of Kou2023 Fig. 3 (SCIENCE.md section 8).
    public static let chinaRegionBoxes: [LatLonBox] = [
        LatLonBox(name: "west_china", south: 28, north: 48, west: 85, east: 104),
        LatLonBox(name: "north_china", south: 37, north: 52, west: 105, east: 135),
        LatLonBox(name: "central_china", south: 30, north: 36, west: 105, east: 120),
        LatLonBox(name: "south_china", south: 18, north: 29, west: 105, east: 123),
    ]

    /// The six ecological areas of Kou2023 Fig. 3 (SCIENCE.md section 8).
    public static let ecologicalAreaBoxes: [LatLonBox] = [
        LatLonBox(name: "daxinganling", south: 50, north: 53, west: 121, east: 127),
        LatLonBox(name: "loess_plateau", south: 35, north: 40, west: 105, east: 112),
        LatLonBox(name: "qinling", south: 32, north: 34, west: 104, east: 115),
        LatLonBox(name: "guangxi_rocky_desert", south: 22, north: 25, west: 106, east: 111),
        LatLonBox(name: "mount_wuyi", south: 26.5, north: 28.0, west: 117.5, east: 119.0),
        LatLonBox(name: "xishuangbanna", south: 21.0, north: 22.6, west: 100.0, east: 102.0),
    ]

    /// The whole domain, then the China regions and ecological areas of seed
    /// 000 Fig. 3; a cell belongs to a box when its centre does (box edges
    /// included). Boxes that hold no cell centre are kept, with zero area, so
    /// every report has the same rows.
    public static func seed000(centres: [GeoPoint]) -> RegionSet {
        var regions = [Region(name: "domain", kind: .domain, weights: [Double](repeating: 1, count: centres.count))]
        for box in chinaRegionBoxes {
            regions.append(Region(name: box.name, kind: .chinaRegion, weights: centres.map { box.contains($0) ? 1 : 0 }))
        }
        for box in ecologicalAreaBoxes {
            regions.append(Region(name: box.name, kind: .ecologicalArea, weights: centres.map { box.contains($0) ? 1 : 0 }))
        }
        return RegionSet(regions)
    }

    /// The Kou2023 regions with the land-only boxes (``chinaRegionsOnLand``)
    /// right after the boxes: boxes, land-only boxes, ecological areas.
    public static func seed000WithLandOnlyBoxes(centres: [GeoPoint], landFraction: [Double]) -> [Region] {
        var regions = seed000(centres: centres).regions
        let lastBox = regions.lastIndex { $0.kind == .chinaRegion } ?? regions.count - 1
        regions.insert(contentsOf: chinaRegionsOnLand(centres: centres, landFraction: landFraction), at: lastBox + 1)
        return regions
    }

    /// ``seed000(centres:)`` for the cell centres of `grid`.
    public static func seed000(grid: HorizontalGrid) -> RegionSet { seed000(centres: grid.centers()) }

    /// Land and ocean regions weighted by the land fraction f and 1 − f.
    public static func landSea(landFraction: [Double]) -> [Region] {
        [Region(name: "land", kind: .land, weights: landFraction),
         Region(name: "ocean", kind: .ocean, weights: landFraction.map { 1 - $0 })]
    }

    /// The China regions of Kou2023 Fig. 3 on land only: each box's weight
    /// times the land fraction f, named `<region>_land` (Kou2023's boxes
    /// take every cell centre, sea included).
    public static func chinaRegionsOnLand(centres: [GeoPoint], landFraction: [Double]) -> [Region] {
        precondition(centres.count == landFraction.count, "one land fraction per cell")
        return chinaRegionBoxes.map { box in
            Region(name: "\(box.name)_land", kind: .chinaRegionLand,
                   weights: centres.indices.map { box.contains(centres[$0]) ? landFraction[$0] : 0 })
        }
    }
}

/// Reads a field on the grid that weights cells in [0, 1] (a land fraction
/// or a 0/1 region mask).
public enum MaskReader {
    /// Reads `variable(y, x)` from `path`, checking its shape against `ny` x `nx`,
    /// that every value is a finite fraction in [0, 1], and, when `centres` is
    /// given and the file has `lat`/`lon`, that the file is on the same grid.
    public static func read(path: String, variable: String, ny: Int, nx: Int,
                            centres: (latitude: [Double], longitude: [Double])? = nil) throws -> [Double] {
        let file = try open(path)
        defer { file.close() }
        let values = try fractions(file.root, path: path, variable: variable, shape: [ny, nx])
        if let centres { try checkGrid(file.root, path: path, ny: ny, nx: nx, centres: centres) }
        return values
    }

    /// Opens `path`, or throws naming it when it does not exist.
    static func open(_ path: String) throws -> NetCDFFile {
        guard FileManager.default.fileExists(atPath: path) else {
            throw NetCDFError(path: path, object: nil, operation: "read mask", message: "file does not exist")
        }
        return try NetCDFFile.open(path)
    }

    /// All values of `variable`, checked for `shape` and to be fractions in [0, 1].
    static func fractions(_ root: NetCDFGroup, path: String, variable: String, shape expected: [Int]) throws -> [Double] {
        guard root.hasVariable(variable) else {
            throw NetCDFError(path: path, object: variable, operation: "read mask", message: "variable missing")
        }
        let field = try root.variable(variable)
        let shape = try field.shape()
        guard shape == expected else {
            throw NetCDFError(path: path, object: variable, operation: "read mask",
                              message: "shape \(shape), expected \(expected)")
        }
        let values = try field.read(Double.self)
        let plane = expected.suffix(2).reduce(1, *), nx = expected.last ?? 1
        if let bad = values.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            let cell = bad % plane
            throw NetCDFError(path: path, object: variable, operation: "read mask",
                              message: "value \(values[bad]) at \(expected.count > 2 ? "index \(bad / plane), " : "")(y, x) = (\(cell / nx), \(cell % nx)) is not in [0, 1]")
        }
        return values
    }

    /// Throws when the file's `lat`/`lon` (if it has them) are not the cell
    /// centres of the fluxes' grid.
    static func checkGrid(_ root: NetCDFGroup, path: String, ny: Int, nx: Int,
                          centres: (latitude: [Double], longitude: [Double])) throws {
        guard root.hasVariable("lat"), root.hasVariable("lon") else { return }
        let lat = try root.variable("lat").read(Double.self), lon = try root.variable("lon").read(Double.self)
        guard lat.count == nx * ny, lon.count == nx * ny else {
            throw NetCDFError(path: path, object: "lat", operation: "read mask", message: "lat/lon do not have \(nx * ny) cells")
        }
        for n in 0..<(nx * ny) where abs(lat[n] - centres.latitude[n]) > 1e-4
            || abs(remainder(lon[n] - centres.longitude[n], 360)) > 1e-4 {
            throw NetCDFError(path: path, object: "lat", operation: "read mask",
                              message: "cell (y, x) = (\(n / nx), \(n % nx)) is at \(lat[n]), \(lon[n]) but at \(centres.latitude[n]), \(centres.longitude[n]) in the fluxes: the mask is for another grid")
        }
    }
}
