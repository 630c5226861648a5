import Foundation
import Geometry
import ModelTime
import NetCDFIO

/// One wrfout record turned into the ``MetFields`` of the domain's layers
/// (Docs/meteorology.md, "WRF output"): the variables are read and checked
/// by ``MetRecordReader``, the thermodynamic fields derived per WRF level,
/// then the levels are mapped onto the layers by ``WRFLayerMapping``.
struct WRFRecord {
    let reader: MetRecordReader
    let hour: ModelHour
    let domain: Domain
    let mapping: WRFLayerMapping
    let kzSource: WRFMeteorology.KzSource
    let diffusivity: BoundaryLayerDiffusivity

    private static let massLevels = ["bottom_top", "south_north", "west_east"]
    private static let fullLevels = ["bottom_top_stag", "south_north", "west_east"]
    private static let surface = ["south_north", "west_east"]

    /// The fields of `region` (the whole grid by default). The region and
    /// one cell around it are read and derived (a face's air averages the
    /// cells on both sides); everything outside the region is NaN.
    func fields(region requested: CellRegion? = nil) throws -> MetFields {
        let nx = domain.grid.nx, ny = domain.grid.ny, nk = mapping.levels, nz = mapping.layerCount
        let cells = nx * ny
        let region = requested ?? CellRegion(i: 0..<nx, j: 0..<ny), around = region.grown(by: 1, nx: nx, ny: ny)
        let window = (rows: around.j, columns: around.i)
        let xFaceWindow = (rows: around.j, columns: around.xFaces), yFaceWindow = (rows: around.yFaces, columns: around.i)
        let windowCells = around.j.flatMap { j in around.i.map { j * nx + $0 } }
        let mass = [nk, ny, nx], full = [nk + 1, ny, nx], flat = [ny, nx]
        let u = try reader.read("U", lengths: [nk, ny, nx + 1], names: ["bottom_top", "south_north", "west_east_stag"],
                                quantity: .speed, range: -150...150, window: xFaceWindow)
        let v = try reader.read("V", lengths: [nk, ny + 1, nx], names: ["bottom_top", "south_north_stag", "west_east"],
                                quantity: .speed, range: -150...150, window: yFaceWindow)
        let w = reader.has("W")
            ? try reader.read("W", lengths: full, names: Self.fullLevels, quantity: .speed, range: -50...50, window: window) : nil
        let thetaPerturbation = try reader.read("T", lengths: mass, names: Self.massLevels,
                                                quantity: .temperatureDifference, range: -150...1200, window: window)
        let pressurePerturbation = try reader.read("P", lengths: mass, names: Self.massLevels, quantity: .pressure, range: nil,
                                                   window: window)
        let basePressure = try reader.read("PB", lengths: mass, names: Self.massLevels, quantity: .pressure, range: nil,
                                           window: window)
        let geopotential = try reader.read("PH", lengths: full, names: Self.fullLevels, quantity: .geopotential, range: nil,
                                           window: window)
        let baseGeopotential = try reader.read("PHB", lengths: full, names: Self.fullLevels, quantity: .geopotential,
                                               range: nil, window: window)
        let mixingRatio = try reader.read("QVAPOR", lengths: mass, names: Self.massLevels, quantity: .massMixingRatio,
                                          range: -1e-6...0.1, window: window)
        let pbl = try reader.read("PBLH", lengths: flat, names: Self.surface, quantity: .length, range: 0...10_000,
                                  window: window)
        let surfacePressure = try reader.read("PSFC", lengths: flat, names: Self.surface, quantity: .pressure,
                                              range: 30_000...110_000, window: window)

        // Per WRF level: p = P + PB, θ = T + 300, T = θ (p/p0)^(R_d/c_p),
        // height of full levels z = (PH + PHB)/g, air c = p/(R* T) Δz (mol m-2),
        // water-vapour mole fraction from the mixing ratio.
        var pressure = [Double](repeating: 0, count: nk * cells)
        var temperature = pressure, air = pressure, water = pressure
        for k in 0..<nk {
            for c in windowCells {
                let n = k * cells + c
                let p = pressurePerturbation[n] + basePressure[n]
                guard p >= 1, p <= 110_000 else {
                    throw reader.valueError("P", "pressure P + PB = \(p) Pa outside the plausible range 1.0...110000.0",
                                            index: n, lengths: mass, dimensions: Self.massLevels)
                }
                let t = Meteorology.temperature(potentialTemperature: thetaPerturbation[n] + WRFConstants.basePotentialTemperature,
                                                pressure: p)
                guard t >= 150, t <= 350 else {
                    throw reader.valueError("T", "air temperature \(t) K (from T + 300 K and P + PB) outside the plausible range 150.0...350.0",
                                            index: n, lengths: mass, dimensions: Self.massLevels)
                }
                let below = geopotential[n] + baseGeopotential[n], above = geopotential[n + cells] + baseGeopotential[n + cells]
                let thickness = (above - below) / WRFConstants.gravity
                guard thickness > 0 else {
                    throw reader.valueError("PH", "full levels do not rise: (PH + PHB)/g is \(below / WRFConstants.gravity) m below and \(above / WRFConstants.gravity) m above this mass level",
                                            index: n, lengths: mass, dimensions: Self.massLevels)
                }
                pressure[n] = p
                temperature[n] = t
                air[n] = p / (universalGasConstant * t) * thickness
                water[n] = waterVapourMoleFraction(mixingRatio: max(0, mixingRatio[n]))
            }
        }

        // Air-conserving levels-to-layers mapping (WRFLayerMapping): layer air
        // over the nominal thickness, air-weighted means, face-air-weighted
        // winds; only at the region's cells and bounding faces.
        let regionCells = region.j.flatMap { j in region.i.map { j * nx + $0 } }
        let layerAir = mapping.layerSums(air, count: cells, points: regionCells)
        var layerDensity = layerAir
        for l in 0..<nz {
            let thickness = domain.layers.thickness(l)
            for c in regionCells { layerDensity[l * cells + c] /= thickness }
        }
        func layerMean(_ values: [Double]) -> [Double] {
            mapping.layerMeans(values, weights: air, sums: layerAir, count: cells, points: regionCells)
        }
        let layerTemperature = layerMean(temperature), layerPressure = layerMean(pressure), layerWater = layerMean(water)

        // A face's air averages the cells on both sides (the inner cell on the domain edge).
        let xFaces = ny * (nx + 1), yFaces = (ny + 1) * nx
        let xFacePoints = region.j.flatMap { j in region.xFaces.map { j * (nx + 1) + $0 } }
        let yFacePoints = region.yFaces.flatMap { j in region.i.map { j * nx + $0 } }
        var xFaceAir = [Double](repeating: 0, count: nk * xFaces), yFaceAir = [Double](repeating: 0, count: nk * yFaces)
        for k in 0..<nk {
            for j in region.j {
                for i in region.xFaces {
                    let west = k * cells + j * nx + max(i - 1, 0), east = k * cells + j * nx + min(i, nx - 1)
                    xFaceAir[k * xFaces + j * (nx + 1) + i] = 0.5 * (air[west] + air[east])
                }
            }
            for j in region.yFaces {
                for i in region.i {
                    let south = k * cells + max(j - 1, 0) * nx + i, north = k * cells + min(j, ny - 1) * nx + i
                    yFaceAir[k * yFaces + j * nx + i] = 0.5 * (air[south] + air[north])
                }
            }
        }
        let layerU = mapping.layerMeans(u, weights: xFaceAir, sums: mapping.layerSums(xFaceAir, count: xFaces, points: xFacePoints),
                                        count: xFaces, points: xFacePoints)
        let layerV = mapping.layerMeans(v, weights: yFaceAir, sums: mapping.layerSums(yFaceAir, count: yFaces, points: yFacePoints),
                                        count: yFaces, points: yFacePoints)
        let layerW = w.map { mapping.interfaceValues($0, count: cells) }
        let kz = try diffusivities(cells: cells, columns: windowCells, window: window, full: full, pbl: pbl,
                                   pressure: pressure, temperature: temperature, theta: thetaPerturbation,
                                   geopotential: geopotential, baseGeopotential: baseGeopotential)
        var fields = MetFields(time: hour, nx: nx, ny: ny, nz: nz, u: layerU, v: layerV, w: layerW,
                               temperature: layerTemperature, pressure: layerPressure, airMolarDensity: layerDensity, kz: kz,
                               pblHeight: pbl, waterVapour: layerWater, surfacePressure: surfacePressure, region: region)
        if requested != nil { Self.clearOutside(region, of: &fields) }
        return fields
    }

    /// Sets every value outside `region` (its cells, bounding faces and
    /// interfaces) to NaN: what the cell around it was read for is not part
    /// of the region's fields.
    private static func clearOutside(_ region: CellRegion, of f: inout MetFields) {
        let nx = f.nx, ny = f.ny
        // Row by row: rows outside `rows` entirely, the others outside `columns`.
        func clear(_ values: inout [Double], rowCount: Int, rowLength: Int, rows: Range<Int>, columns: Range<Int>) {
            values.withUnsafeMutableBufferPointer { v in
                for start in stride(from: 0, to: v.count, by: rowLength) {
                    let row = v[start..<(start + rowLength)]
                    if rows.contains((start / rowLength) % rowCount) {
                        UnsafeMutableBufferPointer(rebasing: row[..<(start + columns.lowerBound)]).update(repeating: .nan)
                        UnsafeMutableBufferPointer(rebasing: row[(start + columns.upperBound)...]).update(repeating: .nan)
                    } else {
                        UnsafeMutableBufferPointer(rebasing: row).update(repeating: .nan)
                    }
                }
            }
        }
        for keyPath in [\MetFields.temperature, \.pressure, \.airMolarDensity, \.waterVapour, \.kz, \.pblHeight,
                        \.surfacePressure] {
            clear(&f[keyPath: keyPath], rowCount: ny, rowLength: nx, rows: region.j, columns: region.i)
        }
        if f.w != nil { clear(&f.w!, rowCount: ny, rowLength: nx, rows: region.j, columns: region.i) }
        clear(&f.u, rowCount: ny, rowLength: nx + 1, rows: region.j, columns: region.xFaces)
        clear(&f.v, rowCount: ny + 1, rowLength: nx, rows: region.yFaces, columns: region.i)
    }

    /// Kz on the layer interfaces: 0 at the ground and the top; inside, WRF's
    /// `EXCH_H` at the interface's full level, or the diagnosed profile at
    /// the interface's height above ground.
    private func diffusivities(cells: Int, columns: [Int], window: (rows: Range<Int>, columns: Range<Int>), full: [Int],
                               pbl: [Double], pressure: [Double], temperature: [Double], theta: [Double],
                               geopotential: [Double], baseGeopotential: [Double]) throws -> [Double] {
        let nz = mapping.layerCount, interfaces = mapping.interfaceLevels
        var kz = [Double](repeating: 0, count: (nz + 1) * cells)
        // Kz at interface l is WRF's at full level interfaces[l]; 0 at the ground and the top.
        guard nz > 1 else { return kz }
        let useExchange = kzSource == .exchH || (kzSource == .auto && reader.has("EXCH_H"))
        if useExchange {
            let exchange = try reader.read("EXCH_H", lengths: full, names: Self.fullLevels, quantity: .diffusivity, range: 0...5000,
                                           window: window)
            for l in 1..<nz {
                for c in columns { kz[l * cells + c] = exchange[interfaces[l] * cells + c] }
            }
            return kz
        }
        let flat = [full[1], full[2]]
        let ustar = try reader.read("UST", lengths: flat, names: Self.surface, quantity: .speed, range: 0...10, window: window)
        let heatFlux = try reader.read("HFX", lengths: flat, names: Self.surface, quantity: .heatFlux, range: -2000...5000,
                                       window: window)
        for c in columns {
            let column = BoundaryLayerDiffusivity.Column(
                frictionVelocity: ustar[c], sensibleHeatFlux: heatFlux[c], pblHeight: pbl[c],
                potentialTemperature: theta[c] + WRFConstants.basePotentialTemperature,
                airDensity: pressure[c] / (WRFConstants.dryAirGasConstant * temperature[c]))
            let ground = geopotential[c] + baseGeopotential[c]
            for l in 1..<nz {
                let level = interfaces[l] * cells + c
                let height = (geopotential[level] + baseGeopotential[level] - ground) / WRFConstants.gravity
                kz[l * cells + c] = diffusivity.kz(atHeight: height, column: column)
            }
        }
        return kz
    }
}
