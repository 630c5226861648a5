import Foundation
import Geometry

/// Spatially correlated, unit-variance Gaussian noise on a grid that is
/// uniform in projected x and y: keyed white noise filtered by a separable
/// Gaussian kernel, so a field costs O(reach) per cell and dimension.
///
/// Correlation: the field's correlation between two cells a projected
/// distance d apart is corr(d) = exp(−d² / 2L²) with L = ``length``. A
/// Gaussian kernel exp(−r² / 2σ_k²) applied to white noise gives the
/// correlation exp(−d² / 4σ_k²) (the kernel's autocorrelation), so the kernel
/// width is σ_k = L / √2. Distances are projected distances: on a conformal
/// projection a projected distance is k times the true one (k the map-scale
/// factor), so the true correlation length is L / k (Docs/assimilation.md,
/// "Correlated draws", gives k on the project's domains).
///
/// Discrete kernel: w(a, b) = wx(a) wy(b) over the offsets |a| ≤ ⌈c σ_k / dx⌉,
/// |b| ≤ ⌈c σ_k / dy⌉ (c = ``cutoff`` = 4), each 1-D set scaled so
/// that Σ wx² = Σ wy² = 1, hence Σ w² = 1 and every cell has unit variance.
/// With c = 4 and dx, dy ≤ L/2 the field's correlation is exp(−d²/2L²)
/// within 2e-6 for d ≤ L and 4e-5 for d ≤ 2L; a coarser grid samples the
/// kernel too sparsely for that (errors up to 0.02 at dx = L).
///
/// Edges: white noise is drawn on the whole integer plane of cells (i, j),
/// including cells outside the grid, so cells near the edges have the same
/// kernel as interior cells (no truncation, no per-cell renormalisation).
/// Every value is a pure function of the white noise, so a rank can compute
/// only its own rectangle of cells and get exactly (bit for bit) the values
/// of the whole-grid computation. With L = 0 the field is the white noise.
public struct CorrelatedNoise: Sendable {
    /// Correlation length L (m) of the field in projected distance.
    public let length: Double
    /// The grid's size in cells (for whole-grid fields and ``cellKey(_:_:)``).
    public let nx: Int
    public let ny: Int
    /// The kernel's truncation in units of σ_k = L / √2.
    public static let cutoff = 4.0
    /// Kernel weights along x for the offsets −reachX...reachX, Σ w² = 1.
    public let weightsX: [Double]
    /// Kernel weights along y for the offsets −reachY...reachY, Σ w² = 1.
    public let weightsY: [Double]

    /// The kernel for an nx × ny grid with spacings `dx`, `dy` (m) and field
    /// correlation length `length` (m, finite, ≥ 0).
    public init(nx: Int, ny: Int, dx: Double, dy: Double, length: Double) {
        precondition(nx > 0 && ny > 0 && dx > 0 && dy > 0, "grid sizes and spacings must be positive")
        precondition(length.isFinite && length >= 0, "correlation length must be finite and not negative")
        self.length = length
        self.nx = nx
        self.ny = ny
        weightsX = Self.weights(spacing: dx, length: length)
        weightsY = Self.weights(spacing: dy, length: length)
    }

    /// The kernel for `grid` (uniform spacing dx, dy in projected metres).
    public init(grid: HorizontalGrid, length: Double) {
        self.init(nx: grid.nx, ny: grid.ny, dx: grid.dx, dy: grid.dy, length: length)
    }

    /// Half-width of the kernel in cells along x and y.
    public var reachX: Int { weightsX.count / 2 }
    public var reachY: Int { weightsY.count / 2 }

    /// Normalised 1-D Gaussian weights exp(−(a h)² / 2σ_k²), σ_k = L / √2,
    /// over |a| ≤ ⌈cutoff σ_k / h⌉; a single weight 1 when L = 0.
    static func weights(spacing h: Double, length: Double) -> [Double] {
        guard length > 0 else { return [1] }
        let sigma = length / 2.0.squareRoot()
        let cells = (cutoff * sigma / h).rounded(.up)
        precondition(cells < 1e6, "a kernel reach of \(cells) cells is beyond any grid")
        let reach = Int(cells)
        let raw = (-reach...reach).map { a -> Double in
            let r = Double(a) * h / sigma
            return exp(-0.5 * r * r)
        }
        let norm = raw.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return raw.map { $0 / norm }
    }

    /// The field on the rectangle `iRange` × `jRange` of cells (any
    /// rectangle of the integer plane; the grid is 0..<nx × 0..<ny), row-major
    /// over the rectangle: element (j − jRange.lowerBound) · iRange.count +
    /// (i − iRange.lowerBound). `white(i, j)` must return the standard-normal
    /// white noise of cell (i, j) as a pure function of (i, j) (a keyed
    /// generator); it is also called for cells up to ``reachX`` / ``reachY``
    /// outside the rectangle, including cells outside the grid.
    ///
    /// f(i, j) = Σ_b wy(b) Σ_a wx(a) n(i + a, j + b), both sums in increasing
    /// offset order, so a cell's value does not depend on the rectangle.
    public func field(iRange: Range<Int>, jRange: Range<Int>, white: (_ i: Int, _ j: Int) -> Double) -> [Double] {
        let ni = iRange.count, nj = jRange.count
        guard ni > 0, nj > 0 else { return [] }
        let rx = reachX, ry = reachY
        // White noise on the rectangle widened by the reach, row-major.
        let wi = ni + 2 * rx, wj = nj + 2 * ry
        var noise: [Double] = []
        noise.reserveCapacity(wi * wj)
        for j in (jRange.lowerBound - ry)..<(jRange.upperBound + ry) {
            for i in (iRange.lowerBound - rx)..<(iRange.upperBound + rx) { noise.append(white(i, j)) }
        }
        if rx == 0 && ry == 0 { return noise }   // the only weight is 1: white noise
        // Pass along x on every widened row: h(i, j) = Σ_a wx(a) n(i + a, j).
        var rows = [Double](repeating: 0, count: wj * ni)
        noise.withUnsafeBufferPointer { n in
            rows.withUnsafeMutableBufferPointer { h in
                for jj in 0..<wj {
                    for (a, w) in weightsX.enumerated() {
                        let source = jj * wi + a, target = jj * ni
                        for ii in 0..<ni { h[target + ii] += w * n[source + ii] }
                    }
                }
            }
        }
        // Pass along y: f(i, j) = Σ_b wy(b) h(i, j + b).
        var result = [Double](repeating: 0, count: nj * ni)
        rows.withUnsafeBufferPointer { h in
            result.withUnsafeMutableBufferPointer { f in
                for jj in 0..<nj {
                    for (b, w) in weightsY.enumerated() {
                        let source = (jj + b) * ni, target = jj * ni
                        for ii in 0..<ni { f[target + ii] += w * h[source + ii] }
                    }
                }
            }
        }
        return result
    }

    /// The field on the whole grid (grid order j · nx + i) from white noise
    /// `white(i, j)` (see ``field(iRange:jRange:white:)``).
    public func field(white: (_ i: Int, _ j: Int) -> Double) -> [Double] {
        field(iRange: 0..<nx, jRange: 0..<ny, white: white)
    }

    /// The field on the whole grid from white noise keyed by one integer per
    /// cell: `white(k)` is called with k = ``cellKey(_:_:)`` of each cell,
    /// i.e. the grid index j · nx + i inside the grid and a negative key
    /// unique to (i, j) outside it. Equal to the tile API called with
    /// `{ i, j in white(cellKey(i, j)) }`.
    public func field(white: (Int) -> Double) -> [Double] {
        field(iRange: 0..<nx, jRange: 0..<ny) { i, j in white(cellKey(i, j)) }
    }

    /// One integer per cell of the integer plane: the grid index j · nx + i
    /// for cells of the grid, and −1 − π(z(i), z(j)) outside it, with z the
    /// zig-zag map of the integers onto 0, 1, 2, … (0, −1, 1, −2, … ↦ 0, 1, 2,
    /// 3, …) and π the Cantor pairing π(a, b) = (a + b)(a + b + 1)/2 + b, so
    /// distinct cells get distinct keys and grid cells keep their index.
    /// Valid for |i|, |j| < 2^29.
    public func cellKey(_ i: Int, _ j: Int) -> Int {
        if (0..<nx).contains(i) && (0..<ny).contains(j) { return j * nx + i }
        precondition(abs(i) < 1 << 29 && abs(j) < 1 << 29, "cell (\(i), \(j)) too far outside the grid for a key")
        let a = i >= 0 ? 2 * i : -2 * i - 1, b = j >= 0 ? 2 * j : -2 * j - 1
        return -1 - ((a + b) * (a + b + 1) / 2 + b)
    }
}
