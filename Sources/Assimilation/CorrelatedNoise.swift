import Foundation
import Geometry

/// Spatially correlated Gaussian noise on the grid: keyed white noise
/// convolved with a Gaussian kernel exp(-d²/2L²) of great-circle distance d
/// (cut at 3L), normalised per cell so that every cell has unit variance.
/// Neighbour lists are built once; a field then costs one sparse product.
/// With L = 0 the noise is white. Used for correlated ensemble perturbations
/// (initial/boundary fields, GCASv2 flux scaling factors) and twin truths.
public struct CorrelatedNoise: Sendable {
    /// Correlation length L (m).
    public let length: Double
    /// Per cell: (neighbour, weight) with Σ weight² = 1.
    public let kernel: [[(Int, Double)]]

    /// Builds the kernel for `grid` (cost grows with (L / dx)² per cell).
    public init(grid: HorizontalGrid, length: Double) {
        self.length = length
        guard length > 0 else {
            kernel = (0..<grid.cellCount).map { [($0, 1.0)] }
            return
        }
        let centres = grid.centers()
        let reach = 3 * length, radius = grid.projection.earthRadius
        // Cells further apart than `reach` along the grid cannot be closer on
        // the sphere by more than the map-scale factor allows; scan a box.
        let boxI = Int((reach / grid.dx) * 1.5) + 1, boxJ = Int((reach / grid.dy) * 1.5) + 1
        kernel = (0..<grid.cellCount).map { a in
            let ia = a % grid.nx, ja = a / grid.nx
            var row: [(Int, Double)] = []
            for j in max(0, ja - boxJ)...min(grid.ny - 1, ja + boxJ) {
                for i in max(0, ia - boxI)...min(grid.nx - 1, ia + boxI) {
                    let b = grid.index(i, j)
                    let d = greatCircleDistance(centres[a], centres[b], radius: radius)
                    guard d < reach else { continue }
                    row.append((b, exp(-0.5 * (d / length) * (d / length))))
                }
            }
            let norm = row.map { $0.1 * $0.1 }.reduce(0, +).squareRoot()
            return row.map { ($0.0, $0.1 / norm) }
        }
    }

    /// One unit-variance correlated field (grid order) from white noise
    /// given per cell by `white` (a keyed generator, so the field does not
    /// depend on who computes it).
    public func field(white: (Int) -> Double) -> [Double] {
        let noise = kernel.indices.map(white)
        return kernel.map { row in row.reduce(0) { $0 + $1.1 * noise[$1.0] } }
    }
}
