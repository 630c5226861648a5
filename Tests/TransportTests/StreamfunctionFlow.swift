import Foundation
import Geometry
import Meteorology
import ModelTime
import Transport

/// Analytic meteorology whose horizontal flow comes from a streamfunction
/// ψ(x, y, z, hour) (m² s-1, projection coordinates in m) sampled on cell
/// corners, so each layer's discrete air-mass divergence is zero (up to
/// round-off) and continuity gives no vertical motion. The air is a resting
/// standard atmosphere (n_air depends on height only), Kz a given profile.
/// For verification of the transport and for benchmarking it without a
/// meteorology provider.
struct StreamfunctionFlow: Sendable {
    let metrics: GridMetrics
    let layers: VerticalLayers
    /// ψ at projection point (x, y) and layer mid-height z, at an hour.
    let streamfunction: @Sendable (_ x: Double, _ y: Double, _ z: Double, _ hour: ModelHour) -> Double
    /// Kz (m² s-1) at an interior interface height.
    let diffusivity: @Sendable (_ z: Double) -> Double

    init(metrics: GridMetrics, layers: VerticalLayers,
                diffusivity: @escaping @Sendable (_ z: Double) -> Double = { _ in 0 },
                streamfunction: @escaping @Sendable (_ x: Double, _ y: Double, _ z: Double, _ hour: ModelHour) -> Double) {
        self.metrics = metrics
        self.layers = layers
        self.diffusivity = diffusivity
        self.streamfunction = streamfunction
    }

    /// A steady solid-body rotation about the domain centre with angular speed
    /// `omega` (s-1), plus a uniform westerly `westerly` (m s-1), the same in
    /// every layer, and a boundary-layer Kz profile.
    static func rotation(metrics: GridMetrics, layers: VerticalLayers, omega: Double, westerly: Double,
                                kz: Double) -> StreamfunctionFlow {
        let grid = metrics.grid
        let cx = grid.xOrigin + Double(grid.nx) * grid.dx / 2, cy = grid.yOrigin + Double(grid.ny) * grid.dy / 2
        return StreamfunctionFlow(metrics: metrics, layers: layers, diffusivity: { z in
            // Kz peaks in the boundary layer (~1 km) and decays above it.
            kz * max(0.01, (z / 1000) * exp(1 - z / 1000))
        }) { x, y, _, _ in
            // ψ = -ω r²/2 gives u = ω (y - y_c), v = -ω (x - x_c) (clockwise); -U y the westerly.
            let dx = x - cx, dy = y - cy
            return -0.5 * omega * (dx * dx + dy * dy) - westerly * (y - cy)
        }
    }

    /// The meteorology at `hour`.
    func fields(at hour: ModelHour) -> MetFields {
        let grid = metrics.grid
        let nx = grid.nx, ny = grid.ny, nz = layers.count
        var u = [Double](repeating: 0, count: (nx + 1) * ny * nz)
        var v = [Double](repeating: 0, count: nx * (ny + 1) * nz)
        var temperature = [Double](repeating: 0, count: nx * ny * nz)
        var pressure = temperature, density = temperature, water = temperature
        var kz = [Double](repeating: 0, count: nx * ny * (nz + 1))
        for k in 0..<nz {
            let z = layers.midHeight(k)
            var psi = [Double](repeating: 0, count: (nx + 1) * (ny + 1))
            for cj in 0...ny {
                for ci in 0...nx {
                    psi[cj * (nx + 1) + ci] = streamfunction(grid.xOrigin + Double(ci) * grid.dx,
                                                             grid.yOrigin + Double(cj) * grid.dy, z, hour)
                }
            }
            let corner = { (ci: Int, cj: Int) in psi[cj * (nx + 1) + ci] }
            for j in 0..<ny { for i in 0...nx { u[(k * ny + j) * (nx + 1) + i] = metrics.xFaceWind(i, j, psi: corner) } }
            for j in 0...ny { for i in 0..<nx { v[(k * (ny + 1) + j) * nx + i] = metrics.yFaceWind(i, j, psi: corner) } }
            // US Standard Atmosphere 1976 troposphere (isothermal above 11 km).
            let t = max(288.15 - 0.0065 * z, 216.65)
            let p = z <= 11_000 ? 101_325 * pow(t / 288.15, 5.255_88) : 22_632.06 * exp(-(z - 11_000) / 6341.6)
            for c in (k * nx * ny)..<((k + 1) * nx * ny) {
                temperature[c] = t
                pressure[c] = p
                density[c] = p / (universalGasConstant * t)
                water[c] = 0.01 * exp(-z / 2500)
            }
        }
        for k in 1..<nz {
            let value = diffusivity(layers.interfaceHeights[k])
            for c in 0..<(nx * ny) { kz[k * nx * ny + c] = value }
        }
        return MetFields(time: hour, nx: nx, ny: ny, nz: nz, u: u, v: v, w: nil, temperature: temperature,
                         pressure: pressure, airMolarDensity: density, kz: kz,
                         pblHeight: [Double](repeating: 1000, count: nx * ny), waterVapour: water,
                         surfacePressure: [Double](repeating: 101_325, count: nx * ny))
    }
}

extension GridMetrics {
    /// The x-wind (m s-1) on x-face (i, j) of the flow with streamfunction ψ
    /// given at cell corners (`psi(ci, cj)`, corner (ci, cj) the lower-left
    /// corner of cell (ci, cj)): u = -∂ψ/∂y, so the volume flux per metre of
    /// height through the face is exactly ψ(i, j) - ψ(i, j + 1).
    func xFaceWind(_ i: Int, _ j: Int, psi: (Int, Int) -> Double) -> Double {
        (psi(i, j) - psi(i, j + 1)) / faces.xFaceLength[j * (grid.nx + 1) + i]
    }

    /// The y-wind (m s-1) on y-face (i, j) of the same flow: v = ∂ψ/∂x, flux
    /// per metre of height ψ(i + 1, j) - ψ(i, j).
    func yFaceWind(_ i: Int, _ j: Int, psi: (Int, Int) -> Double) -> Double {
        (psi(i + 1, j) - psi(i, j)) / faces.yFaceLength[j * grid.nx + i]
    }
}
