import Geometry

/// True (spherical) lengths and areas of a conformal grid, the single source of
/// the metric terms the transport uses, so that air and tracer masses are
/// measured the same way everywhere: a cell holds `n_air · cellArea · Δz`
/// moles of air and the air crossing an x-face per second is
/// `n_air · u · xFaceLength · Δz`.
///
/// On a conformal projection with map-scale factor k a projected distance d
/// is d/k on the sphere: an x-face (projected length dy) is `dy / k` long with
/// k taken at the face midpoint, and a cell's area is the integral of 1/k²
/// over its projected square (`HorizontalGrid.cellArea`). Both use the same k,
/// so a flow built from a streamfunction on cell corners (``xFaceWind`` and
/// ``yFaceWind``) has zero discrete divergence.
public struct GridMetrics: Sendable {
    public let grid: HorizontalGrid
    /// Cell areas on the sphere (m²), `j * nx + i`.
    public let cellArea: [Double]
    /// Lengths of x-faces (m), `j * (nx + 1) + i`, face i the west face of cell i.
    public let xFaceLength: [Double]
    /// Lengths of y-faces (m), `j * nx + i` for j = 0...ny, face j the south face of row j.
    public let yFaceLength: [Double]

    public init(grid: HorizontalGrid) {
        self.grid = grid
        cellArea = grid.cellAreas()
        var xf = [Double](repeating: 0, count: (grid.nx + 1) * grid.ny)
        for j in 0..<grid.ny {
            for i in 0...grid.nx {
                let x = grid.xOrigin + Double(i) * grid.dx, y = grid.y(j)
                xf[j * (grid.nx + 1) + i] = grid.dy / grid.projection.scaleFactor(at: grid.projection.inverse(x: x, y: y))
            }
        }
        var yf = [Double](repeating: 0, count: grid.nx * (grid.ny + 1))
        for j in 0...grid.ny {
            for i in 0..<grid.nx {
                let x = grid.x(i), y = grid.yOrigin + Double(j) * grid.dy
                yf[j * grid.nx + i] = grid.dx / grid.projection.scaleFactor(at: grid.projection.inverse(x: x, y: y))
            }
        }
        xFaceLength = xf
        yFaceLength = yf
    }

    /// The x-wind (m s-1) on x-face (i, j) of the flow with streamfunction ψ
    /// given at cell corners (`psi(ci, cj)`, corner (ci, cj) the lower-left
    /// corner of cell (ci, cj)): u = -∂ψ/∂y, so the volume flux per metre of
    /// height through the face is exactly ψ(i, j) - ψ(i, j + 1).
    public func xFaceWind(_ i: Int, _ j: Int, psi: (Int, Int) -> Double) -> Double {
        (psi(i, j) - psi(i, j + 1)) / xFaceLength[j * (grid.nx + 1) + i]
    }

    /// The y-wind (m s-1) on y-face (i, j) of the same flow: v = ∂ψ/∂x, flux
    /// per metre of height ψ(i + 1, j) - ψ(i, j).
    public func yFaceWind(_ i: Int, _ j: Int, psi: (Int, Int) -> Double) -> Double {
        (psi(i + 1, j) - psi(i, j)) / yFaceLength[j * grid.nx + i]
    }
}
