import Geometry

/// True (on-the-sphere) lengths of the cell faces of a grid: the lengths the
/// flux-form transport multiplies the face winds by, and the lengths the
/// synthetic meteorology divides its streamfunction differences by, so that
/// the discrete divergence of its winds is zero (see ``SyntheticMeteorology``).
///
/// On a conformal projection with map-scale factor m, a projected distance d
/// is d / m on the earth. Each face takes m at its midpoint:
/// - x-face (i, j), the west face of cell (i, j), from corner (i, j) to corner
///   (i, j + 1): length `dy / m(x_i-1/2, y_j)`, stored at `j * (nx + 1) + i`,
///   i = 0...nx;
/// - y-face (i, j), the south face of cell (i, j), from corner (i, j) to
///   corner (i + 1, j): length `dx / m(x_i, y_j-1/2)`, stored at
///   `j * nx + i`, j = 0...ny.
/// Corner (i, j) is the lower-left corner of cell (i, j), at projected
/// (xOrigin + i dx, yOrigin + j dy). The layouts match `MetFields` x- and
/// y-faces of one layer.
public struct FaceGeometry: Sendable, Equatable {
    public let nx: Int
    public let ny: Int
    /// Length (m) of each x-face, `j * (nx + 1) + i`.
    public let xFaceLength: [Double]
    /// Length (m) of each y-face, `j * nx + i`.
    public let yFaceLength: [Double]

    public init(grid: HorizontalGrid) {
        nx = grid.nx
        ny = grid.ny
        let projection = grid.projection
        var xLengths = [Double](repeating: 0, count: (nx + 1) * ny)
        for j in 0..<ny {
            for i in 0...nx {
                let point = projection.inverse(x: grid.xOrigin + Double(i) * grid.dx, y: grid.y(j))
                xLengths[j * (nx + 1) + i] = grid.dy / projection.scaleFactor(at: point)
            }
        }
        var yLengths = [Double](repeating: 0, count: nx * (ny + 1))
        for j in 0...ny {
            for i in 0..<nx {
                let point = projection.inverse(x: grid.x(i), y: grid.yOrigin + Double(j) * grid.dy)
                yLengths[j * nx + i] = grid.dx / projection.scaleFactor(at: point)
            }
        }
        xFaceLength = xLengths
        yFaceLength = yLengths
    }

    /// Net horizontal volume outflow per metre of height (m² s⁻¹) of cell
    /// (i, j) in layer k: Σ over the four faces of (outward wind × face
    /// length). Zero to round-off for the synthetic meteorology.
    public func outflow(of fields: MetFields, i: Int, j: Int, k: Int) -> Double {
        let east = fields.u[fields.xFace(i + 1, j, k)] * xFaceLength[j * (nx + 1) + i + 1]
        let west = fields.u[fields.xFace(i, j, k)] * xFaceLength[j * (nx + 1) + i]
        let north = fields.v[fields.yFace(i, j + 1, k)] * yFaceLength[(j + 1) * nx + i]
        let south = fields.v[fields.yFace(i, j, k)] * yFaceLength[j * nx + i]
        return (east - west) + (north - south)
    }
}
