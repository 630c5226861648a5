import Geometry
import Meteorology

/// Surface-flux injection and implicit vertical diffusion of a column, one
/// backward-Euler step solved by the Thomas algorithm, in mass form so the
/// column's CO2 is conserved exactly in exact arithmetic:
///   μ_k (χ'_k - χ_k) = Δt [g_{k+1} (χ'_{k+1} - χ'_k) - g_k (χ'_k - χ'_{k-1})] + δ_{k0} F Δt,
/// μ_k = n_d Δz (mol of dry air m-2), g_k = Kz n̄_d / Δz_centres at
/// interface k (0 at ground and top), F in µmol m-2 s-1 so F Δt / μ_0 is ppm
/// of dry air (SCIENCE.md §3: dχ/dt = F / (n_d Δz), n_d = n_air (1 − w)). The matrix depends only on the
/// hour's meteorology and the step length, so it is factorised once per
/// hour and column (``factorize``) and the factors serve every member and step.
enum ColumnDiffusion {
    /// Per column, `valuesPerLayer` runs of nz values: μ, elimination
    /// factors, inverse pivots, upper diagonal.
    static let valuesPerLayer = 4

    /// Factorises the diffusion matrix of the columns (i, j) in `columns`
    /// into `solve`, column `(j - j0) * columnsPerRow + (i - i0)` at
    /// `column * valuesPerLayer * nz`.
    static func factorize(met: MetFields, layers: VerticalLayers, columns: (i: Range<Int>, j: Range<Int>), dt: Double,
                          into solve: inout [Double]) {
        let nx = met.nx, ny = met.ny, nz = layers.count
        var conductance = [Double](repeating: 0, count: nz + 1)
        for j in columns.j {
            for i in columns.i {
                let col = (j - columns.j.lowerBound) * columns.i.count + (i - columns.i.lowerBound)
                let mu = col * valuesPerLayer * nz, elimination = mu + nz, inversePivot = mu + 2 * nz, upper = mu + 3 * nz
                for k in 0..<nz {
                    solve[mu + k] = met.dryAirMolarDensity((k * ny + j) * nx + i) * layers.thickness(k)
                }
                // g = Kz n̄_d / Δz_centres (mol m-2 s-1) on interior interfaces.
                for k in 1..<nz {
                    let nBar = 0.5 * (met.dryAirMolarDensity(((k - 1) * ny + j) * nx + i) + met.dryAirMolarDensity((k * ny + j) * nx + i))
                    conductance[k] = met.kz[(k * ny + j) * nx + i] * nBar / (layers.midHeight(k) - layers.midHeight(k - 1))
                }
                // Thomas factorisation of the tridiagonal matrix
                // (−Δt g_k, μ_k + Δt (g_k + g_{k+1}), −Δt g_{k+1}).
                var previousPivot = 0.0, previousUpper = 0.0
                for k in 0..<nz {
                    let diagonal = solve[mu + k] + dt * (conductance[k] + conductance[k + 1])
                    solve[upper + k] = -dt * conductance[k + 1]
                    solve[elimination + k] = k == 0 ? 0 : -dt * conductance[k] / previousPivot
                    let pivot = diagonal - solve[elimination + k] * previousUpper
                    solve[inversePivot + k] = 1 / pivot
                    previousPivot = pivot
                    previousUpper = solve[upper + k]
                }
            }
        }
    }

    /// One step of one column for M members: layer k's members are at
    /// `values + k * valuesStride` (the forward elimination overwrites them)
    /// and the result goes to `state + k * stride` (which may be the same
    /// place); `solve` is the column's factorisation, `flux` its members'
    /// surface fluxes.
    @inline(__always)
    static func injectAndDiffuse(_ values: UnsafeMutablePointer<Double>, valuesStride: Int,
                                 into state: UnsafeMutablePointer<Double>, stride: Int, flux: UnsafePointer<Double>,
                                 memberCount M: Int, solve: UnsafePointer<Double>, dt: Double, nz: Int) {
        let columnAir = solve, elimination = solve + nz, inversePivot = solve + 2 * nz, upperDiagonal = solve + 3 * nz
        // Forward elimination; the right-hand side of layer 0 gains F Δt.
        let mu0 = columnAir[0]
        for m in 0..<M { values[m] = mu0 * values[m] + flux[m] * dt }
        for k in 1..<nz {
            let p = values + k * valuesStride, below = p - valuesStride
            let mu = columnAir[k], wk = elimination[k]
            for m in 0..<M { p[m] = mu * p[m] - wk * below[m] }
        }
        let dTop = values + (nz - 1) * valuesStride, xTop = state + (nz - 1) * stride, topInverse = inversePivot[nz - 1]
        for m in 0..<M { xTop[m] = dTop[m] * topInverse }
        for k in Swift.stride(from: nz - 2, through: 0, by: -1) {
            let d = values + k * valuesStride, x = state + k * stride, above = x + stride
            let c = upperDiagonal[k], inverse = inversePivot[k]
            for m in 0..<M { x[m] = (d[m] - c * above[m]) * inverse }
        }
    }
}
