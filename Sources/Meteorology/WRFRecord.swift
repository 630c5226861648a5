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
    /// one cell around it (a face's air averages the cells on both sides)
    /// are read and derived in arrays of that window alone; only the
    /// region's cells and bounding faces are written into the whole-grid
    /// fields, everything else is NaN.
    func fields(region requested: CellRegion? = nil) throws -> MetFields {
        let nx = domain.grid.nx, ny = domain.grid.ny, nk = mapping.levels, nz = mapping.layerCount
        let region = requested ?? CellRegion(i: 0..<nx, j: 0..<ny)
        let around = region.grown(by: 1, nx: nx, ny: ny)
        let view = WindowView(region: region, around: around, nx: nx, ny: ny)
        let window = (rows: around.j, columns: around.i)
        let xFaceWindow = (rows: around.j, columns: around.xFaces), yFaceWindow = (rows: around.yFaces, columns: around.i)
        let mass = [nk, ny, nx], full = [nk + 1, ny, nx], flat = [ny, nx]
        func read(_ name: String, _ lengths: [Int], _ names: [String], _ quantity: PhysicalQuantity, _ range: ClosedRange<Double>?,
                  _ part: (rows: Range<Int>, columns: Range<Int>) = window) throws -> [Double] {
            try reader.readWindow(name, lengths: lengths, names: names, quantity: quantity, range: range, window: part)
        }
        let u = try read("U", [nk, ny, nx + 1], ["bottom_top", "south_north", "west_east_stag"], .speed, -150...150, xFaceWindow)
        let v = try read("V", [nk, ny + 1, nx], ["bottom_top", "south_north_stag", "west_east"], .speed, -150...150, yFaceWindow)
        let w = reader.has("W") ? try read("W", full, Self.fullLevels, .speed, -50...50) : nil
        let thetaPerturbation = try read("T", mass, Self.massLevels, .temperatureDifference, -150...1200)
        let pressurePerturbation = try read("P", mass, Self.massLevels, .pressure, nil)
        let basePressure = try read("PB", mass, Self.massLevels, .pressure, nil)
        let geopotential = try read("PH", full, Self.fullLevels, .geopotential, nil)
        let baseGeopotential = try read("PHB", full, Self.fullLevels, .geopotential, nil)
        let mixingRatio = try read("QVAPOR", mass, Self.massLevels, .massMixingRatio, -1e-6...0.1)
        let pbl = try read("PBLH", flat, Self.surface, .length, 0...10_000)
        let surfacePressure = try read("PSFC", flat, Self.surface, .pressure, 30_000...110_000)

        // Per WRF level: p = P + PB, θ = T + 300, T = θ (p/p0)^(R_d/c_p),
        // height of full levels z = (PH + PHB)/g, air c = p/(R* T) Δz (mol m-2),
        // water-vapour mole fraction from the mixing ratio; window index
        // k * cells + c (window cells).
        let cells = view.cells
        var pressure = [Double](repeating: 0, count: nk * cells)
        var temperature = pressure, air = pressure, water = pressure
        func valueError(_ name: String, _ problem: String, _ n: Int) -> NetCDFError {
            reader.valueError(name, problem, index: MetRecordReader.recordIndex(n, window: window, lengths: mass), lengths: mass,
                              dimensions: Self.massLevels)
        }
        try pressure.withUnsafeMutableBufferPointer { pressure in
            try temperature.withUnsafeMutableBufferPointer { temperature in
                try air.withUnsafeMutableBufferPointer { air in
                    try water.withUnsafeMutableBufferPointer { water in
                        for n in 0..<(nk * cells) {
                            let p = pressurePerturbation[n] + basePressure[n]
                            guard p >= 1, p <= 110_000 else {
                                throw valueError("P", "pressure P + PB = \(p) Pa outside the plausible range 1.0...110000.0", n)
                            }
                            let t = Meteorology.temperature(
                                potentialTemperature: thetaPerturbation[n] + WRFConstants.basePotentialTemperature, pressure: p)
                            guard t >= 150, t <= 350 else {
                                throw valueError("T", "air temperature \(t) K (from T + 300 K and P + PB) outside the plausible range 150.0...350.0", n)
                            }
                            let below = geopotential[n] + baseGeopotential[n]
                            let above = geopotential[n + cells] + baseGeopotential[n + cells]
                            let thickness = (above - below) / WRFConstants.gravity
                            guard thickness > 0 else {
                                throw valueError("PH", "full levels do not rise: (PH + PHB)/g is \(below / WRFConstants.gravity) m below and \(above / WRFConstants.gravity) m above this mass level", n)
                            }
                            pressure[n] = p
                            temperature[n] = t
                            air[n] = p / (universalGasConstant * t) * thickness
                            water[n] = waterVapourMoleFraction(mixingRatio: max(0, mixingRatio[n]))
                        }
                    }
                }
            }
        }

        // Air-conserving levels-to-layers mapping (WRFLayerMapping): layer air
        // over the nominal thickness, air-weighted means, face-air-weighted
        // winds; only at the region's cells and bounding faces.
        let points = view.regionCells
        let layerAir = mapping.layerSums(air, count: cells, points: points)
        var layerDensity = layerAir
        for l in 0..<nz {
            let thickness = domain.layers.thickness(l)
            for c in points { layerDensity[l * cells + c] /= thickness }
        }
        func layerMean(_ values: [Double]) -> [Double] {
            mapping.layerMeans(values, weights: air, sums: layerAir, count: cells, points: points)
        }

        // A face's air averages the cells on both sides (the inner cell on the domain edge).
        let xFaces = view.xFaceCount, yFaces = view.yFaceCount
        var xFaceAir = [Double](repeating: 0, count: nk * xFaces), yFaceAir = [Double](repeating: 0, count: nk * yFaces)
        for k in 0..<nk {
            for (face, west, east) in view.xFaceSides {
                xFaceAir[k * xFaces + face] = 0.5 * (air[k * cells + west] + air[k * cells + east])
            }
            for (face, south, north) in view.yFaceSides {
                yFaceAir[k * yFaces + face] = 0.5 * (air[k * cells + south] + air[k * cells + north])
            }
        }
        let xPoints = view.xFacePoints, yPoints = view.yFacePoints
        let layerU = mapping.layerMeans(u, weights: xFaceAir, sums: mapping.layerSums(xFaceAir, count: xFaces, points: xPoints),
                                        count: xFaces, points: xPoints)
        let layerV = mapping.layerMeans(v, weights: yFaceAir, sums: mapping.layerSums(yFaceAir, count: yFaces, points: yPoints),
                                        count: yFaces, points: yPoints)
        let kz = try diffusivities(view: view, window: window, full: full, pbl: pbl, pressure: pressure, temperature: temperature,
                                   theta: thetaPerturbation, geopotential: geopotential, baseGeopotential: baseGeopotential)
        return MetFields(time: hour, nx: nx, ny: ny, nz: nz,
                         u: view.wholeXFaces(layerU, layers: nz), v: view.wholeYFaces(layerV, layers: nz),
                         w: w.map { view.wholeCells(mapping.interfaceValues($0, count: cells), layers: nz + 1) },
                         temperature: view.wholeCells(layerMean(temperature), layers: nz),
                         pressure: view.wholeCells(layerMean(pressure), layers: nz),
                         airMolarDensity: view.wholeCells(layerDensity, layers: nz), kz: view.wholeCells(kz, layers: nz + 1),
                         pblHeight: view.wholeCells(pbl, layers: 1), waterVapour: view.wholeCells(layerMean(water), layers: nz),
                         surfacePressure: view.wholeCells(surfacePressure, layers: 1), region: region)
    }

    /// Kz on the layer interfaces (window index l * cells + c, at the
    /// region's cells): 0 at the ground and the top; inside, WRF's `EXCH_H`
    /// at the interface's full level, or the diagnosed profile at the
    /// interface's height above ground.
    private func diffusivities(view: WindowView, window: (rows: Range<Int>, columns: Range<Int>), full: [Int],
                               pbl: [Double], pressure: [Double], temperature: [Double], theta: [Double],
                               geopotential: [Double], baseGeopotential: [Double]) throws -> [Double] {
        let nz = mapping.layerCount, interfaces = mapping.interfaceLevels, cells = view.cells
        var kz = [Double](repeating: 0, count: (nz + 1) * cells)
        // Kz at interface l is WRF's at full level interfaces[l]; 0 at the ground and the top.
        guard nz > 1 else { return kz }
        let useExchange = kzSource == .exchH || (kzSource == .auto && reader.has("EXCH_H"))
        if useExchange {
            let exchange = try reader.readWindow("EXCH_H", lengths: full, names: Self.fullLevels, quantity: .diffusivity,
                                                 range: 0...5000, window: window)
            for l in 1..<nz {
                for c in view.regionCells { kz[l * cells + c] = exchange[interfaces[l] * cells + c] }
            }
            return kz
        }
        let flat = [full[1], full[2]]
        let ustar = try reader.readWindow("UST", lengths: flat, names: Self.surface, quantity: .speed, range: 0...10, window: window)
        let heatFlux = try reader.readWindow("HFX", lengths: flat, names: Self.surface, quantity: .heatFlux, range: -2000...5000,
                                             window: window)
        for c in view.regionCells {
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

/// A region and the window around it that ``WRFRecord`` reads: the window's
/// cells are numbered row by row (c = (j − j0) * width + (i − i0)), its
/// x-faces (j − j0) * (width + 1) + (i − i0), its y-faces (j − j0) * width +
/// (i − i0) with j over the window's y-faces; and the way back to the whole
/// grid's layout for the region's cells and bounding faces.
struct WindowView {
    let region: CellRegion
    let around: CellRegion
    let nx: Int
    let ny: Int
    /// Cells, x-faces and y-faces of the window.
    var cells: Int { around.i.count * around.j.count }
    var xFaceCount: Int { (around.i.count + 1) * around.j.count }
    var yFaceCount: Int { around.i.count * (around.j.count + 1) }
    /// The region's cells: window index and whole-grid index.
    let regionCells: [Int]
    private let regionGridCells: [Int]
    /// The region's bounding x-faces (window index) and the window cells on
    /// their west and east sides (the inner cell on the domain edge).
    let xFaceSides: [(face: Int, west: Int, east: Int)]
    let xFacePoints: [Int]
    private let xFaceGrid: [Int]
    /// The same for y-faces, south and north.
    let yFaceSides: [(face: Int, south: Int, north: Int)]
    let yFacePoints: [Int]
    private let yFaceGrid: [Int]

    init(region: CellRegion, around: CellRegion, nx: Int, ny: Int) {
        self.region = region
        self.around = around
        self.nx = nx
        self.ny = ny
        let i0 = around.i.lowerBound, j0 = around.j.lowerBound, width = around.i.count
        func cell(_ i: Int, _ j: Int) -> Int { (j - j0) * width + (i - i0) }
        regionCells = region.j.flatMap { j in region.i.map { cell($0, j) } }
        regionGridCells = region.j.flatMap { j in region.i.map { j * nx + $0 } }
        xFaceSides = region.j.flatMap { j in
            region.xFaces.map { i in ((j - j0) * (width + 1) + (i - i0), cell(max(i - 1, 0), j), cell(min(i, nx - 1), j)) }
        }
        xFacePoints = xFaceSides.map(\.face)
        xFaceGrid = region.j.flatMap { j in region.xFaces.map { j * (nx + 1) + $0 } }
        yFaceSides = region.yFaces.flatMap { j in
            region.i.map { i in ((j - j0) * width + (i - i0), cell(i, max(j - 1, 0)), cell(i, min(j, ny - 1))) }
        }
        yFacePoints = yFaceSides.map(\.face)
        yFaceGrid = region.yFaces.flatMap { j in region.i.map { j * nx + $0 } }
    }

    /// `layers` layers of window cell values (l * cells + c) as whole-grid
    /// fields (l * nx * ny + j * nx + i): the region's cells, NaN elsewhere.
    func wholeCells(_ values: [Double], layers: Int) -> [Double] {
        scatter(values, layers: layers, count: cells, points: regionCells, to: regionGridCells, wholeCount: nx * ny)
    }

    /// The same for x-face values (whole grid: j * (nx + 1) + i).
    func wholeXFaces(_ values: [Double], layers: Int) -> [Double] {
        scatter(values, layers: layers, count: xFaceCount, points: xFacePoints, to: xFaceGrid, wholeCount: ny * (nx + 1))
    }

    /// The same for y-face values (whole grid: j * nx + i, j over ny + 1 faces).
    func wholeYFaces(_ values: [Double], layers: Int) -> [Double] {
        scatter(values, layers: layers, count: yFaceCount, points: yFacePoints, to: yFaceGrid, wholeCount: (ny + 1) * nx)
    }

    /// Whether the window is the whole grid and the region too: window
    /// indices are then the whole grid's.
    private var isWholeGrid: Bool { around == region && region == CellRegion(i: 0..<nx, j: 0..<ny) }

    private func scatter(_ values: [Double], layers: Int, count: Int, points: [Int], to targets: [Int], wholeCount: Int) -> [Double] {
        if isWholeGrid { return values }
        var whole = [Double](repeating: .nan, count: layers * wholeCount)
        whole.withUnsafeMutableBufferPointer { whole in
            values.withUnsafeBufferPointer { values in
                for l in 0..<layers {
                    for (p, t) in zip(points, targets) { whole[l * wholeCount + t] = values[l * count + p] }
                }
            }
        }
        return whole
    }
}
