import Geometry
import Meteorology

/// True (spherical) lengths and areas of a conformal grid, the single source of
/// the metric terms the transport uses, so that air and tracer masses are
/// measured the same way everywhere: a cell holds `n_air · cellArea · Δz`
/// moles of air and the air crossing an x-face per second is
/// `n_air · u · faces.xFaceLength · Δz`.
///
/// On a conformal projection with map-scale factor k a projected distance d
/// is d/k on the sphere: an x-face (projected length dy) is `dy / k` long with
/// k taken at the face midpoint, and a cell's area is the integral of 1/k²
/// over its projected square (`HorizontalGrid.cellArea`). The face lengths are
/// the meteorology's ``FaceGeometry``, so winds it builds from a streamfunction
/// on cell corners have zero discrete divergence here.
public struct GridMetrics: Sendable {
    public let grid: HorizontalGrid
    /// Cell areas on the sphere (m²), `j * nx + i`.
    public let cellArea: [Double]
    /// Face lengths on the sphere (the meteorology's own ``FaceGeometry``, so
    /// winds built for zero divergence there have zero divergence here).
    public let faces: FaceGeometry

    public init(grid: HorizontalGrid) {
        self.grid = grid
        cellArea = grid.cellAreas()
        faces = FaceGeometry(grid: grid)
    }
}
