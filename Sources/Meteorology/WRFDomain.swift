import CFOutput
import ConfigFormat
import Foundation
import Geometry
import NetCDFIO

/// An RCAS domain made from a wrfout file (`rcas domain from-wrf`,
/// Docs/meteorology.md, "Domains from WRF"): WRF's own grid, so that
/// ``WRFMeteorology`` needs no horizontal interpolation.
///
/// - projection and spacing from the global attributes (``WRFGrid``), on
///   WRF's 6370 km sphere; the lower-left corner fitted to the mass points'
///   `XLAT`/`XLONG` of the first record, which the cell centres then match
///   (checked, within 1e-4°);
/// - layers: the WRF full levels `interfaceLevels` (default: all) as
///   interfaces, each at its domain-mean height above ground in the first
///   record ((PH + PHB)/g minus the ground's), rounded to 0.1 m, and their
///   eta values (`ZNW`) recorded as `wrf_eta_interfaces`;
/// - a land/sea mask from `LANDMASK` (1 land, 0 water), else `XLAND` (1
///   land, 2 water), else `LU_INDEX` with the `ISWATER` (and `ISLAKE`)
///   category of the global attributes; WRF's masks are 0 or 1 per cell.
public struct WRFDomain: Sendable {
    public let name: String
    /// The wrfout file it was made from.
    public let source: String
    public let wrf: WRFGrid
    public let grid: HorizontalGrid
    public let layers: VerticalLayers
    /// WRF full-level indices of the layer interfaces.
    public let interfaceLevels: [Int]
    /// Land fraction per cell (`j * nx + i`), when the file has a mask.
    public let landFraction: [Double]?
    /// Which variable the land fraction came from.
    public let landSource: String?
    /// Largest difference between the cell centres and `XLAT`/`XLONG` (degrees).
    public let coordinateDifference: Double

    /// Reads `path` (its first record). `interfaceLevels`: WRF full-level
    /// indices to keep as layer interfaces, 0 (the ground) first, increasing,
    /// at most the number of mass levels; nil keeps every level.
    public init(wrfout path: String, interfaceLevels: [Int]? = nil, name: String? = nil) throws {
        let file = try NetCDFFile.open(path)
        defer { file.close() }
        source = path
        wrf = try WRFGrid(file: file)
        let nk = wrf.levels
        let levels = interfaceLevels ?? Array(0...nk)
        guard levels.first == 0, levels.count >= 2, zip(levels, levels.dropFirst()).allSatisfy({ $0 < $1 }),
              levels.last! <= nk else {
            throw NetCDFError(path: path, object: "bottom_top_stag", operation: "make domain from WRF",
                              message: "layer interfaces \(levels) must be WRF full levels 0 (the ground), then increasing up to at most \(nk)")
        }
        self.interfaceLevels = levels
        self.name = name ?? "wrf-d\(String(format: "%02d", wrf.gridID ?? 1))"

        let times = try WRFTimes.read(file)
        guard let first = times.first else {
            throw NetCDFError(path: path, object: "Times", operation: "make domain from WRF", message: "the file has no records")
        }
        let reader = MetRecordReader(file: file, record: 0, time: first.text)
        let surface = ["south_north", "west_east"], lengths = [wrf.ny, wrf.nx]
        let latitude = try reader.read("XLAT", lengths: lengths, names: surface, quantity: .latitude, range: -90...90)
        let longitude = try reader.read("XLONG", lengths: lengths, names: surface, quantity: .longitude, range: -360...360)
        grid = wrf.horizontalGrid(latitudes: latitude, longitudes: longitude)
        let worst = WRFGrid.largestCoordinateDifference(grid.centers(), nx: grid.nx, latitudes: latitude, longitudes: longitude)
        guard worst.degrees <= WRFGrid.coordinateTolerance else {
            throw NetCDFError(path: path, object: "XLAT", operation: "make domain from WRF",
                              message: "the mass points are not a regular grid of the projection in the global attributes (MAP_PROJ \(wrf.mapProjection)): (i, j) = (\(worst.i), \(worst.j)) is \(worst.degrees)° from the fitted cell centre")
        }
        coordinateDifference = worst.degrees
        try Self.checkMapFactors(reader, grid: grid)

        let full = [nk + 1, wrf.ny, wrf.nx], fullNames = ["bottom_top_stag", "south_north", "west_east"]
        let geopotential = try reader.read("PH", lengths: full, names: fullNames, quantity: .geopotential, range: nil)
        let base = try reader.read("PHB", lengths: full, names: fullNames, quantity: .geopotential, range: nil)
        let cells = wrf.nx * wrf.ny
        var heights: [Double] = []
        for k in levels {
            var sum = 0.0
            for c in 0..<cells { sum += (geopotential[k * cells + c] + base[k * cells + c] - geopotential[c] - base[c]) / WRFConstants.gravity }
            heights.append((sum / Double(cells) * 10).rounded() / 10)
        }
        guard heights[0] == 0, zip(heights, heights.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw NetCDFError(path: path, object: "PH", operation: "make domain from WRF",
                              message: "mean heights of the chosen full levels do not increase: \(heights) m")
        }
        let eta = try WRFMeteorology.readFullLevelEta(file, levels: nk, time: first.text)
        layers = VerticalLayers(interfaceHeights: heights, wrfEtaInterfaces: levels.map { eta[$0] })
        (landFraction, landSource) = try Self.landFraction(reader, lengths: lengths, names: surface, file: file)
    }

    /// WRF's map factors, where the file has them, must be the projection's
    /// scale factors (relative 1e-4): on mass points (`MAPFAC_M`) those of
    /// the cell centres, on u and v points (`MAPFAC_U`, `MAPFAC_V`) those the
    /// transport's face lengths dy/m, dx/m are made with (``FaceGeometry``).
    /// A check that the projection was understood.
    static func checkMapFactors(_ reader: MetRecordReader, grid: HorizontalGrid) throws {
        let nx = grid.nx, ny = grid.ny
        let faces = FaceGeometry(grid: grid)
        let cases: [(name: String, lengths: [Int], names: [String], expected: (Int) -> Double)] = [
            ("MAPFAC_M", [ny, nx], ["south_north", "west_east"], { grid.mapScaleFactor($0 % nx, $0 / nx) }),
            ("MAPFAC_U", [ny, nx + 1], ["south_north", "west_east_stag"], { grid.dy / faces.xFaceLength[$0] }),
            ("MAPFAC_V", [ny + 1, nx], ["south_north_stag", "west_east"], { grid.dx / faces.yFaceLength[$0] }),
        ]
        for (name, lengths, names, expected) in cases where reader.has(name) {
            let factors = try reader.read(name, lengths: lengths, names: names, quantity: .dimensionless, range: 0.01...100)
            for (n, found) in factors.enumerated() where !(abs(found / expected(n) - 1) <= 1e-4) {
                throw reader.valueError(name, "map factor \(found) differs from the projection's \(expected(n))",
                                        index: n, lengths: lengths, dimensions: names)
            }
        }
    }

    /// The land fraction from LANDMASK, XLAND or LU_INDEX, and its source.
    static func landFraction(_ reader: MetRecordReader, lengths: [Int], names: [String], file: NetCDFFile) throws
        -> ([Double]?, String?) {
        func read(_ name: String) throws -> [Double] {
            try reader.read(name, lengths: lengths, names: names, quantity: .dimensionless, range: nil)
        }
        func refuse(_ name: String, _ n: Int, _ value: Double, _ expected: String) -> NetCDFError {
            reader.valueError(name, "value \(value) is not \(expected)", index: n, lengths: lengths, dimensions: names)
        }
        if reader.has("LANDMASK") {
            let mask = try read("LANDMASK")
            if let n = mask.firstIndex(where: { $0 != 0 && $0 != 1 }) { throw refuse("LANDMASK", n, mask[n], "0 (water) or 1 (land)") }
            return (mask, "LANDMASK")
        }
        if reader.has("XLAND") {
            let mask = try read("XLAND")
            if let n = mask.firstIndex(where: { $0 != 1 && $0 != 2 }) { throw refuse("XLAND", n, mask[n], "1 (land) or 2 (water)") }
            return (mask.map { 2 - $0 }, "XLAND")
        }
        if reader.has("LU_INDEX") {
            guard let water = try file.root.attribute("ISWATER")?.numbers?.first, water.isFinite else {
                throw NetCDFError(path: file.path, object: "ISWATER", operation: "make domain from WRF",
                                  message: "LU_INDEX needs the global attribute ISWATER (the water category) to give a land/sea mask")
            }
            let lake = try file.root.attribute("ISLAKE")?.numbers?.first
            let categories = try read("LU_INDEX")
            if let n = categories.firstIndex(where: { $0 != $0.rounded() || $0 < 0 }) {
                throw refuse("LU_INDEX", n, categories[n], "a land-use category")
            }
            return (categories.map { $0 == water || $0 == lake ? 0 : 1 },
                    "LU_INDEX (water: category \(water)\(lake.map { $0 > 0 ? ", lakes: \($0)" : "" } ?? ""))")
        }
        return (nil, nil)
    }

    /// The name of the mask file in the domain folder.
    public static let maskFileName = "land_sea_mask.nc"

    /// Writes `domain.yaml` (and `land_sea_mask.nc` when there is a mask)
    /// into `directory` (created if needed); refuses to replace an existing
    /// `domain.yaml`. Both files are written atomically, the mask first, so a
    /// `domain.yaml` never names a missing mask.
    public func write(to directory: String) throws {
        let folder = URL(fileURLWithPath: directory)
        let yamlPath = folder.appendingPathComponent(Domain.fileName).path
        guard !FileManager.default.fileExists(atPath: yamlPath) else {
            throw NetCDFError(path: yamlPath, object: nil, operation: "make domain from WRF",
                              message: "exists already; choose an empty output folder")
        }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw NetCDFError(path: directory, object: nil, operation: "make domain from WRF",
                              message: "cannot create the folder: \(error.localizedDescription)")
        }
        var masks: [(name: String, file: String)] = []
        if let landFraction, let landSource {
            let file = try NetCDFFile.create(folder.appendingPathComponent(Self.maskFileName).path)
            let root = file.root
            try CFGridWriter.writeGlobalAttributes(
                to: root, title: "Land fraction on the grid of domain \(name)",
                extra: [("domain", name), ("source", "WRF \(landSource) of \(source)"),
                        ("method", "WRF's binary land/sea mask of each grid cell: 1 land, 0 water")])
            try CFGridWriter.write(grid, to: root)
            let variable = try root.addVariable("land_fraction", type: .double, dimensions: ["y", "x"])
            try variable.setAttribute("standard_name", .text("land_area_fraction"))
            try variable.setAttribute("long_name", .text("fraction of the cell that is land"))
            try variable.setAttribute("units", .text("1"))
            try variable.setAttribute("valid_range", .doubles([0, 1]))
            try CFGridWriter.attachGrid(to: variable)
            try variable.write(landFraction)
            try file.commit()
            masks.append(("land_sea", Self.maskFileName))
        }
        let projectionNames = [1: "Lambert conformal", 2: "polar stereographic", 3: "Mercator"]
        let header = """
            # Made by 'rcas domain from-wrf' from \(source)
            # (MAP_PROJ \(wrf.mapProjection), \(projectionNames[wrf.mapProjection] ?? "?"), DX \(wrf.dx) m, \(wrf.nx) x \(wrf.ny) mass points,
            # \(wrf.levels) mass levels; layer interfaces at WRF full levels \(interfaceLevels.map(String.init).joined(separator: " "))).
            # Cell centres are WRF's mass points (XLAT/XLONG within \(String(format: "%.1e", coordinateDifference)) degrees);
            # interface heights are domain-mean heights above ground of those levels at \(source.split(separator: "/").last ?? "")'s first time.
            # Read WRF meteorology on it with  meteorology: {source: wrf, ...}  (Docs/meteorology.md).

            """
        let node = Domain.configNode(name: name, summary: "WRF grid of \(URL(fileURLWithPath: source).lastPathComponent)",
                                     grid: grid, layers: layers, masks: masks)
        do {
            try (header + node.yaml).write(toFile: yamlPath, atomically: true, encoding: .utf8)
        } catch {
            throw NetCDFError(path: yamlPath, object: nil, operation: "make domain from WRF",
                              message: "cannot write: \(error.localizedDescription)")
        }
    }
}
