import Foundation
import Geometry
import RandomStreams

/// Spatially correlated Gaussian noise on the grid: keyed white noise
/// convolved with a Gaussian kernel exp(-d²/2L²) of great-circle distance d
/// (cut at 3L), normalised per cell so that every cell has unit variance.
/// Neighbour lists are built once; a field then costs one sparse product.
/// With L = 0 the noise is white.
struct CorrelatedNoise: Sendable {
    let length: Double
    /// Per cell: (neighbour, weight) with Σ weight² = 1.
    let kernel: [[(Int, Double)]]

    init(grid: HorizontalGrid, length: Double) {
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

    /// One unit-variance field (grid order) for `member`, keyed by `hour`.
    func field(_ random: KeyedRandom, member: Int, hour: Int) -> [Double] {
        let noise = kernel.indices.map { random.normal(member: member, hour: hour, cell: $0) }
        return kernel.map { row in row.reduce(0) { $0 + $1.1 * noise[$1.0] } }
    }
}
