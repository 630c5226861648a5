import Foundation
import Geometry

/// Conservative (area-weighted) regridding of a field on a latitude/longitude
/// grid to the cells of a domain grid.
///
/// The flux density given to domain cell c is Σ_g f_cg F_g, where F_g is the
/// density in latitude/longitude cell g and f_cg is the fraction of c's area
/// that lies in g. The overlaps are areas on the sphere, computed exactly in
/// the cylindrical equal-area plane (λ, sin φ), where g is a rectangle and c
/// is the polygon of ``GridCellOutlines`` (sides sampled by inverse
/// projection, chords within 1e-7 of the cell's map area of the true side).
/// So Σ_c A_c Σ_g f_cg F_g is the integral of F over the domain, and a flux
/// in one latitude/longitude cell lands only in the domain cells that
/// overlap it. The weights depend only on the two grids: build them once.
///
/// A regridder ``restricted(to:)`` some domain cells (a rank's tile) reads
/// only the source block those cells overlap and computes only them.
public struct ConservativeRegridder: Sendable {
    /// Domain cells (flat index j * nx + i).
    public let cellCount: Int
    /// The domain cells this regridder computes, ascending: all of them
    /// unless ``restricted(to:)``.
    public let cells: [Int]
    /// Source columns (to turn (row, column) into a flat index).
    public let sourceColumnCount: Int
    /// Source rows and columns (file order) some weight uses: the block to read.
    public let rows: ClosedRange<Int>
    public let columns: ClosedRange<Int>
    /// Every source cell (row * sourceColumnCount + column) some weight uses, ascending.
    public let usedSourceCells: [Int]
    /// For domain cell cells[n], entries offsets[n]..<offsets[n + 1] of `sourceCells` and `fractions`.
    private let offsets: [Int]
    private let sourceCells: [Int]
    private let fractions: [Double]

    /// The weights from `source` to the cells of `grid`. Fails when some
    /// domain cell is not entirely inside the source grid.
    public init(from source: LatLonGrid, to grid: HorizontalGrid) throws(RegriddingError) {
        let outlines: GridCellOutlines
        do { outlines = try GridCellOutlines(grid: grid) } catch { throw RegriddingError(message: error.description) }
        let radius = grid.projection.earthRadius
        // Rows by increasing latitude, for a binary search on sin φ.
        let order = (0..<source.rowCount).sorted { source.southEdges[$0] < source.southEdges[$1] }
        let rowSouth = order.map { sin(source.southEdges[$0] * .pi / 180) }
        let rowNorth = order.map { sin(source.northEdges[$0] * .pi / 180) }
        let west = source.westEdges, east = source.eastEdges
        let nColumns = source.columnCount

        var offsets = [0], cells: [Int] = [], fractions: [Double] = []
        offsets.reserveCapacity(grid.cellCount + 1)
        for j in 0..<grid.ny {
            for i in 0..<grid.nx {
                let polygon = outlines.outline(i, j)
                let area = polygon.area(radius: radius)
                let (λRange, μRange) = polygon.bounds
                var overlaps: [(cell: Int, area: Double)] = []
                let firstRow = Self.firstIndex(in: rowNorth) { $0 > μRange.lowerBound }
                // The polygon's longitudes are continuous, not wrapped: try the
                // source grid shifted by whole turns.
                for turn in -2...2 {
                    let shift = Double(turn) * 360
                    guard λRange.upperBound > west[0] + shift, λRange.lowerBound < east[nColumns - 1] + shift else { continue }
                    var column = Self.firstIndex(in: east) { $0 + shift > λRange.lowerBound }
                    while column < nColumns, west[column] + shift < λRange.upperBound {
                        let strip = polygon.clipped(longitudes: (west[column] + shift)...(east[column] + shift))
                        var k = firstRow
                        while k < order.count, rowSouth[k] < μRange.upperBound {
                            let piece = strip.clipped(sineLatitudes: rowSouth[k]...rowNorth[k]).area(radius: radius)
                            if piece > 0 { overlaps.append((order[k] * nColumns + column, piece)) }
                            k += 1
                        }
                        column += 1
                    }
                }
                let covered = overlaps.reduce(0) { $0 + $1.area }
                guard area > 0, abs(covered - area) <= 1e-6 * area else {
                    let centre = grid.center(i, j)
                    throw RegriddingError(message: "the latitude/longitude grid covers \(String(format: "%.4f", 100 * covered / area))% "
                                          + "of domain cell (\(i), \(j)) at \(centre); it must cover the whole domain")
                }
                // One entry per source cell (a cell met under two shifts is summed).
                overlaps.sort { $0.cell < $1.cell }
                var merged: [(cell: Int, area: Double)] = []
                for piece in overlaps {
                    if let last = merged.last, last.cell == piece.cell { merged[merged.count - 1].area += piece.area } else { merged.append(piece) }
                }
                for piece in merged {
                    cells.append(piece.cell)
                    fractions.append(piece.area / covered)
                }
                offsets.append(cells.count)
            }
        }
        self.init(cellCount: grid.cellCount, cells: Array(0..<grid.cellCount), sourceColumnCount: nColumns,
                  offsets: offsets, sourceCells: cells, fractions: fractions)
    }

    private init(cellCount: Int, cells: [Int], sourceColumnCount: Int, offsets: [Int], sourceCells: [Int], fractions: [Double]) {
        self.cellCount = cellCount
        self.cells = cells
        self.sourceColumnCount = sourceColumnCount
        self.offsets = offsets
        self.sourceCells = sourceCells
        self.fractions = fractions
        let used = Array(Set(sourceCells)).sorted()
        usedSourceCells = used
        let usedRows = used.map { $0 / sourceColumnCount }, usedColumns = used.map { $0 % sourceColumnCount }
        rows = usedRows.min()!...usedRows.max()!
        columns = usedColumns.min()!...usedColumns.max()!
    }

    /// The same weights for `subset` of this regridder's cells only (flat
    /// indices, any order, no repeats): its block is the part of the source
    /// grid those cells overlap, and ``regrid(block:)`` leaves every other
    /// cell NaN. Each cell's value is bit for bit the unrestricted one.
    public func restricted(to subset: [Int]) -> ConservativeRegridder {
        precondition(!subset.isEmpty, "a regridder needs at least one domain cell")
        var position = [Int](repeating: -1, count: cellCount)
        for (n, c) in cells.enumerated() { position[c] = n }
        let kept = subset.sorted()
        var newOffsets = [0], newSources: [Int] = [], newFractions: [Double] = []
        for c in kept {
            precondition(position[c] >= 0, "cell \(c) is not one of the regridder's cells")
            let entries = offsets[position[c]]..<offsets[position[c] + 1]
            newSources += sourceCells[entries]
            newFractions += fractions[entries]
            newOffsets.append(newSources.count)
        }
        return ConservativeRegridder(cellCount: cellCount, cells: kept, sourceColumnCount: sourceColumnCount,
                                     offsets: newOffsets, sourceCells: newSources, fractions: newFractions)
    }

    /// The first index whose value satisfies `predicate`, for values where it
    /// turns from false to true once (binary search); `values.count` if none.
    private static func firstIndex(in values: [Double], where predicate: (Double) -> Bool) -> Int {
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) / 2
            if predicate(values[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }

    /// The flux densities of the domain cells (flat index) from source values
    /// `block`, which holds the rows ``rows`` x columns ``columns`` of the
    /// source grid row by row (the last index fastest); NaN in cells not
    /// among ``cells``.
    public func regrid(block: [Double]) -> [Double] {
        let width = columns.count
        precondition(block.count == rows.count * width, "block must hold rows x columns values")
        var result = [Double](repeating: cells.count == cellCount ? 0 : .nan, count: cellCount)
        for (n, c) in cells.enumerated() {
            var sum = 0.0
            for e in offsets[n]..<offsets[n + 1] {
                let row = sourceCells[e] / sourceColumnCount, column = sourceCells[e] % sourceColumnCount
                sum += fractions[e] * block[(row - rows.lowerBound) * width + (column - columns.lowerBound)]
            }
            result[c] = sum
        }
        return result
    }
}

/// Two grids that cannot be regridded.
public struct RegriddingError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
