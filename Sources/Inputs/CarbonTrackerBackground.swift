import Foundation
import Geometry
import ModelTime
import NetCDFIO

/// Initial and lateral-boundary CO2 from CarbonTracker's 3-hourly 3-D mole
/// fraction files (CT2019B, CT2022, CT-NRT: `co2` on model layers, `gph` at
/// the layer boundaries, global 3° x 2° or 1° x 1°).
///
/// Vertical: by height above the ground. RCAS's layers are fixed heights
/// above the ground, so each CarbonTracker column is put on the same footing:
/// a layer's value sits at its mid-height above CarbonTracker's own surface,
/// z = (gph_k + gph_k+1)/2 − gph_0, and is interpolated linearly in z to the
/// domain's layer mid-heights (constant below the lowest and above the
/// highest mid-height). Pressure would need the domain's surface pressure,
/// which the background does not know. Horizontal: bilinear in latitude and
/// longitude between the four surrounding columns (each first interpolated
/// in the vertical). Time: linear between the files' time stamps (the middle
/// of each 3-hour mean); within half a step before the first or after the
/// last stamp, the nearest stamp is used. So a field linear in latitude,
/// longitude, height above ground and time is reproduced exactly.
///
/// The ghost cells of the lateral boundary are evaluated at their own
/// centres, one cell outside the domain (the projection extends there);
/// where a ghost centre falls outside the files' grid (a regional product),
/// it takes the nearest edge cell's value.
public final class CarbonTrackerBackground: BackgroundProvider, @unchecked Sendable {
    public let sourceDescription: String
    private let nx: Int, ny: Int, nz: Int
    private let files: [String]
    private let source: LatLonGrid
    private let levelCount: Int
    /// Per file: factors giving ppm and metres.
    private let co2Scales: [Double]
    private let gphScales: [Double]
    /// Time stamps (hours since 1970), sorted, with their file and index.
    private let stamps: [(hours: Double, file: Int, index: Int)]
    /// The regular distance between stamps (the smallest one).
    private let spacing: Double
    /// The domain's layer mid-heights (m above the ground).
    private let heights: [Double]
    /// The columns (row * columns + column) any stencil uses, and per target
    /// (cells j * nx + i, then the west, east, south and north ghost cells)
    /// its entries (index into `usedColumns`, weight).
    private let usedColumns: [Int]
    private let targets: [[(column: Int, weight: Double)]]
    private let rows: ClosedRange<Int>, columns: ClosedRange<Int>
    private let lock = NSLock()
    /// The file of the stamp read last, kept open for the next stamp.
    private let opened = LastInputFile()
    /// The edge cell next to each ghost target, in target order after the
    /// cells: west (0, j), east (nx - 1, j), south (i, 0), north (i, ny - 1).
    private let ghostEdges: [(i: Int, j: Int)]
    /// Stamps read: the used columns' profiles at the domain's mid-heights,
    /// column * nz + k, ppm.
    private var cache: [Int: [Double]] = [:]

    /// Mole fractions must lie in this range (ppm).
    public static let plausibleRange = 250.0...1000.0

    /// Indexes `files` (one or more days, in any order) for `domain`.
    public init(files: [String], domain: Domain) throws {
        guard !files.isEmpty else { throw InputCoverageError(input: "background", message: "no files") }
        let grid = domain.grid
        nx = grid.nx
        ny = grid.ny
        nz = domain.layers.count
        heights = (0..<nz).map(domain.layers.midHeight)
        self.files = files
        var grids: LatLonGrid?
        var levels: Int?
        var co2Scales: [Double] = [], gphScales: [Double] = []
        var stamps: [(hours: Double, file: Int, index: Int)] = []
        for (fileIndex, path) in files.enumerated() {
            let file = try InputFile(path)
            let co2 = try DataVariable(file, "co2"), gph = try DataVariable(file, "gph")
            guard co2.dimensions.count == 4, gph.dimensions.count == 4 else {
                throw InputFileError(path: path, variable: co2.dimensions.count == 4 ? "gph" : "co2",
                                     message: "must have dimensions (time, level or boundary, latitude, longitude)")
            }
            let grid = try LatLonCoordinates.grid(of: co2)
            guard gph.dimensions[0] == co2.dimensions[0], gph.dimensions[2...] == co2.dimensions[2...],
                  gph.shape[1] == co2.shape[1] + 1 else {
                throw InputFileError(path: path, variable: "gph", message: "dimensions (\(gph.dimensions.joined(separator: ", "))) "
                                     + "must be co2's with one more level boundary than co2 has levels (\(co2.shape[1]))")
            }
            if let first = grids, first != grid {
                throw InputFileError(path: path, variable: "co2", message: "latitude/longitude grid differs from the one in \(files[0])")
            }
            if let levels, levels != co2.shape[1] {
                throw InputFileError(path: path, variable: "co2", message: "has \(co2.shape[1]) levels, \(files[0]) has \(levels)")
            }
            grids = grid
            levels = co2.shape[1]
            co2Scales.append(try Self.unitFactor(co2, .moleFraction) * 1e6)
            gphScales.append(try Self.unitFactor(gph, .geopotentialHeight))
            let times = try readTimeCoordinate(file, name: co2.dimensions[0])
            guard times.count == co2.shape[0] else {
                throw InputFileError(path: path, variable: co2.dimensions[0], message: "has \(times.count) values for \(co2.shape[0]) time steps")
            }
            stamps += times.enumerated().map { ($0.element, fileIndex, $0.offset) }
        }
        stamps.sort { $0.hours < $1.hours }
        for (a, b) in zip(stamps, stamps.dropFirst()) where b.hours - a.hours < 1.0 / 60 {
            throw InputFileError(path: files[b.file], variable: "time", message: "time step \(b.index) (\(isoText(hours: b.hours))) "
                                 + "repeats time step \(a.index) of \(files[a.file])")
        }
        self.stamps = stamps
        spacing = zip(stamps, stamps.dropFirst()).map { $1.hours - $0.hours }.min() ?? 0
        self.co2Scales = co2Scales
        self.gphScales = gphScales
        let source = grids!
        self.source = source
        levelCount = levels!
        let nx = grid.nx, ny = grid.ny
        ghostEdges = (0..<ny).map { (0, $0) } + (0..<ny).map { (nx - 1, $0) } + (0..<nx).map { ($0, 0) } + (0..<nx).map { ($0, ny - 1) }

        // Target points: cell centres, then the ghost-cell centres.
        var points: [(GeoPoint, fallback: (Int, Int))] = []
        for j in 0..<ny { for i in 0..<nx { points.append((grid.center(i, j), (i, j))) } }
        func ghost(_ i: Int, _ j: Int, edge: (Int, Int)) -> (GeoPoint, fallback: (Int, Int)) {
            (grid.projection.inverse(x: grid.xOrigin + (Double(i) + 0.5) * grid.dx, y: grid.yOrigin + (Double(j) + 0.5) * grid.dy), edge)
        }
        for j in 0..<ny { points.append(ghost(-1, j, edge: (0, j))) }
        for j in 0..<ny { points.append(ghost(nx, j, edge: (nx - 1, j))) }
        for i in 0..<nx { points.append(ghost(i, -1, edge: (i, 0))) }
        for i in 0..<nx { points.append(ghost(i, ny, edge: (i, ny - 1))) }
        var stencils: [BilinearStencil] = []
        var atEdge = 0
        for (index, (point, edge)) in points.enumerated() {
            if let stencil = BilinearStencil(at: point, on: source) {
                stencils.append(stencil)
            } else if index >= nx * ny {
                stencils.append(stencils[edge.1 * nx + edge.0])
                atEdge += 1
            } else {
                throw InputFileError(path: files[0], variable: "co2", message: "the latitude/longitude grid does not cover "
                                     + "domain cell (\(edge.0), \(edge.1)) at \(point); it must cover the whole domain")
            }
        }
        let used = Array(Set(stencils.flatMap { $0.entries.map { $0.row * source.columnCount + $0.column } })).sorted()
        let position = Dictionary(uniqueKeysWithValues: used.enumerated().map { ($0.element, $0.offset) })
        usedColumns = used
        targets = stencils.map { stencil in stencil.entries.map { (position[$0.row * source.columnCount + $0.column]!, $0.weight) } }
        let usedRows = used.map { $0 / source.columnCount }, usedColumnIndices = used.map { $0 % source.columnCount }
        rows = usedRows.min()!...usedRows.max()!
        columns = usedColumnIndices.min()!...usedColumnIndices.max()!
        let ghostNote = atEdge == 0 ? "" : "; \(atEdge) ghost cells outside the grid take the edge cells' values"
        sourceDescription = "CarbonTracker mole fractions, \(files.count) file(s) from \(files[0]), \(source.rowCount) x "
            + "\(source.columnCount) lat/lon, \(levelCount) levels\(ghostNote)"
    }

    /// The factor to the canonical unit of `quantity` from the variable's
    /// `units` (NetCDFIO's ``PhysicalQuantity`` table), or an error naming
    /// the file and variable.
    private static func unitFactor(_ variable: DataVariable, _ quantity: PhysicalQuantity) throws -> Double {
        do { return try variable.variable.unitConversion(to: quantity, operation: "read background").scale } catch {
            throw InputFileError(path: variable.file.path, variable: variable.name, message: error.message)
        }
    }

    public func initialField(at time: ModelHour) throws -> [Double] {
        let values = try field(at: time, targets: 0..<(nx * ny))
        var result = [Double](repeating: 0, count: nx * ny * nz)
        for c in 0..<(nx * ny) { for k in 0..<nz { result[k * nx * ny + c] = values[c * nz + k] } }
        return result
    }

    /// Each of `hours` lies between two time steps or within half a step of one.
    public func checkCoverage(_ hours: ClosedRange<ModelHour>) throws {
        for hour in hours { _ = try bracket(hour.hours) }
    }

    public func boundary(at time: ModelHour) throws -> BoundaryValues { try ring(at: time, region: nil) }

    /// Only the ghost cells next to `region`'s edge cells are interpolated;
    /// the others are NaN.
    public func boundary(at time: ModelHour, region: CellRegion) throws -> BoundaryValues { try ring(at: time, region: region) }

    private func ring(at time: ModelHour, region: CellRegion?) throws -> BoundaryValues {
        let base = nx * ny
        let wanted = ghostEdges.indices.filter { region?.contains(i: ghostEdges[$0].i, j: ghostEdges[$0].j) ?? true }.map { base + $0 }
        let values = try field(at: time, targets: wanted)
        func side(_ first: Int, _ length: Int) -> [Double] {
            (0..<nz).flatMap { k in (0..<length).map { values[(first + $0) * nz + k] } }
        }
        return BoundaryValues(nx: nx, ny: ny, nz: nz, west: side(base, ny), east: side(base + ny, ny),
                              south: side(base + 2 * ny, nx), north: side(base + 2 * ny + nx, nx))
    }

    /// The `wanted` targets at `time` (target * nz + k over all targets; the
    /// others NaN), linear in time between stamps.
    private func field(at time: ModelHour, targets wanted: some Sequence<Int>) throws -> [Double] {
        lock.lock()
        defer { lock.unlock() }
        let (a, b, w) = try bracket(time.hours)
        let first = try profiles(a), second = w > 0 ? try profiles(b) : first
        var values = [Double](repeating: .nan, count: targets.count * nz)
        for t in wanted {
            for k in 0..<nz {
                var x = 0.0, y = 0.0
                for (column, weight) in targets[t] { x += weight * first[column * nz + k] }
                guard w > 0 else { values[t * nz + k] = x; continue }
                for (column, weight) in targets[t] { y += weight * second[column * nz + k] }
                values[t * nz + k] = (1 - w) * x + w * y
            }
        }
        return values
    }

    /// The stamps around `t` and the weight of the second one.
    private func bracket(_ t: Double) throws -> (Int, Int, Double) {
        let half = spacing / 2
        let input = "background"
        guard let firstStamp = stamps.first, let lastStamp = stamps.last else {
            throw InputCoverageError(input: input, message: "no time steps in its files")
        }
        func uncovered(_ detail: String) -> InputCoverageError {
            InputCoverageError(input: input, message: "\(isoText(hours: t)) is not covered by its \(files.count) file(s) "
                               + "(time steps \(isoText(hours: firstStamp.hours)) to \(isoText(hours: lastStamp.hours)))\(detail)")
        }
        if t <= firstStamp.hours {
            guard firstStamp.hours - t <= half + 1e-9 else { throw uncovered("") }
            return (0, 0, 0)
        }
        if t >= lastStamp.hours {
            guard t - lastStamp.hours <= half + 1e-9 else { throw uncovered("") }
            return (stamps.count - 1, stamps.count - 1, 0)
        }
        var low = 0, high = stamps.count - 1   // stamps[low] < t <= stamps[high]
        while high - low > 1 {
            let mid = (low + high) / 2
            if stamps[mid].hours < t { low = mid } else { high = mid }
        }
        let gap = stamps[high].hours - stamps[low].hours
        if gap > 1.5 * spacing {
            if t - stamps[low].hours <= half + 1e-9 { return (low, low, 0) }
            if stamps[high].hours - t <= half + 1e-9 { return (high, high, 0) }
            throw uncovered("; the time steps jump from \(isoText(hours: stamps[low].hours)) (\(files[stamps[low].file])) "
                            + "to \(isoText(hours: stamps[high].hours)) (\(files[stamps[high].file]))")
        }
        return (low, high, (t - stamps[low].hours) / gap)
    }

    /// The used columns' profiles of stamp `index`, read once and kept while
    /// the run is near it (older stamps are dropped).
    private func profiles(_ index: Int) throws -> [Double] {
        if let values = cache[index] { return values }
        let values = try read(index)
        cache = cache.filter { $0.key >= index - 1 }
        cache[index] = values
        return values
    }

    /// Reads stamp `index` for the used columns, checks it and interpolates
    /// each column to the domain's mid-heights (column * nz + k).
    private func read(_ index: Int) throws -> [Double] {
        let stamp = stamps[index]
        let file = try opened.open(files[stamp.file])
        let co2 = try DataVariable(file, "co2"), gph = try DataVariable(file, "gph")
        let width = columns.count, height = rows.count
        let co2Start = [stamp.index, 0, rows.lowerBound, columns.lowerBound], co2Count = [1, levelCount, height, width]
        let gphStart = co2Start, gphCount = [1, levelCount + 1, height, width]
        let co2Values = try co2.read(start: co2Start, count: co2Count)
        let gphValues = try gph.read(start: gphStart, count: gphCount)
        let ppm = co2Scales[stamp.file], metres = gphScales[stamp.file]
        var profiles = [Double](repeating: 0, count: usedColumns.count * nz)
        var z = [Double](repeating: 0, count: levelCount), x = z
        for (u, cell) in usedColumns.enumerated() {
            let offset = (cell / source.columnCount - rows.lowerBound) * width + (cell % source.columnCount - columns.lowerBound)
            let plane = height * width
            var previous = -Double.infinity, surface = 0.0
            for b in 0...levelCount {
                let at = b * plane + offset, value = gphValues[at]
                if let problem = gph.problem(with: value) { throw gph.badValue(value, offset: at, start: gphStart, count: gphCount, problem) }
                let h = value * metres
                guard h > previous, abs(h) < 1e6 else {
                    throw gph.badValue(value, offset: at, start: gphStart, count: gphCount,
                                       "not above the boundary below it, or not a plausible height")
                }
                if b == 0 { surface = h } else { z[b - 1] = (previous + h) / 2 - surface }
                previous = h
            }
            for k in 0..<levelCount {
                let at = k * plane + offset, value = co2Values[at]
                if let problem = co2.problem(with: value) { throw co2.badValue(value, offset: at, start: co2Start, count: co2Count, problem) }
                guard Self.plausibleRange.contains(value * ppm) else {
                    throw co2.badValue(value, offset: at, start: co2Start, count: co2Count,
                                       "outside the plausible range \(Self.plausibleRange.lowerBound)...\(Self.plausibleRange.upperBound) ppm")
                }
                x[k] = value * ppm
            }
            for (m, h) in heights.enumerated() { profiles[u * nz + m] = Self.interpolate(z, x, at: h) }
        }
        return profiles
    }

    /// Linear interpolation in `z` (increasing) of `x` at `h`, constant beyond the ends.
    private static func interpolate(_ z: [Double], _ x: [Double], at h: Double) -> Double {
        if h <= z[0] { return x[0] }
        if h >= z[z.count - 1] { return x[x.count - 1] }
        var k = 0
        while z[k + 1] < h { k += 1 }
        let w = (h - z[k]) / (z[k + 1] - z[k])
        return (1 - w) * x[k] + w * x[k + 1]
    }
}
