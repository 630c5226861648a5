import Foundation
import Geometry
import ModelTime

/// One model column as the observation operators see it: values per model
/// layer, lowest layer first.
public struct ModelColumn: Sendable, Equatable {
    /// CO2 dry mole fraction per layer (ppm).
    public var co2: [Double]
    /// Air pressure at layer mid-points (Pa), decreasing upwards.
    public var pressure: [Double]
    /// Water-vapour mole fraction per layer (mol/mol).
    public var waterVapour: [Double]
    /// Layer mid-heights above ground (m).
    public var midHeights: [Double]
    /// Surface pressure (Pa).
    public var surfacePressure: Double
    /// Pressure at the model top interface (Pa).
    public var topPressure: Double

    public init(co2: [Double], pressure: [Double], waterVapour: [Double], midHeights: [Double],
                surfacePressure: Double, topPressure: Double) {
        precondition(co2.count == pressure.count && co2.count == waterVapour.count && co2.count == midHeights.count,
                     "column arrays must have one value per layer")
        self.co2 = co2
        self.pressure = pressure
        self.waterVapour = waterVapour
        self.midHeights = midHeights
        self.surfacePressure = surfacePressure
        self.topPressure = topPressure
    }

    /// A column whose surface and top pressures are extrapolated from the
    /// layer mid pressures, linearly in ln p against height (exact for an
    /// isothermal layer, hydrostatic): from the two lowest mids down to 0 m and
    /// from the two highest mids up to `topHeight`. A one-layer column uses a
    /// scale height of 8 km.
    public static func extrapolatingPressures(co2: [Double], pressure: [Double], waterVapour: [Double],
                                              midHeights: [Double], topHeight: Double) -> ModelColumn {
        let n = pressure.count
        let lowSlope: Double, highSlope: Double   // d ln p / dz
        if n >= 2 {
            lowSlope = (log(pressure[1]) - log(pressure[0])) / (midHeights[1] - midHeights[0])
            highSlope = (log(pressure[n - 1]) - log(pressure[n - 2])) / (midHeights[n - 1] - midHeights[n - 2])
        } else {
            lowSlope = -1 / 8000
            highSlope = lowSlope
        }
        let surface = exp(log(pressure[0]) - lowSlope * midHeights[0])
        let top = exp(log(pressure[n - 1]) + highSlope * (topHeight - midHeights[n - 1]))
        return ModelColumn(co2: co2, pressure: pressure, waterVapour: waterVapour, midHeights: midHeights,
                           surfacePressure: surface, topPressure: top)
    }

    /// `a * (1 - t) + b * t`, field by field.
    static func blend(_ a: ModelColumn, _ b: ModelColumn, _ t: Double) -> ModelColumn {
        func mix(_ x: [Double], _ y: [Double]) -> [Double] { zip(x, y).map { $0 * (1 - t) + $1 * t } }
        return ModelColumn(co2: mix(a.co2, b.co2), pressure: mix(a.pressure, b.pressure),
                           waterVapour: mix(a.waterVapour, b.waterVapour), midHeights: mix(a.midHeights, b.midHeights),
                           surfacePressure: a.surfacePressure * (1 - t) + b.surfacePressure * t,
                           topPressure: a.topPressure * (1 - t) + b.topPressure * t)
    }
}

/// A handle to an ensemble of model states from which observation operators
/// take columns; the operators never see the model itself. Implemented by the
/// in-memory ``GriddedEnsembleSampler`` and the file-backed
/// ``ConcentrationFileSampler``; the assimilation can implement it over its
/// distributed ensemble.
public protocol EnsembleColumnSampler {
    /// The horizontal grid of the columns.
    var grid: HorizontalGrid { get }
    /// The model layers (for the point operator's layer lookup).
    var layers: VerticalLayers { get }
    /// Number of ensemble members.
    var memberCount: Int { get }
    /// The column at the centre of cell (i, j) of `member`, valid at `hour`.
    func column(i: Int, j: Int, member: Int, hour: ModelHour) throws -> ModelColumn
}

extension EnsembleColumnSampler {
    /// The column at continuous grid position (fi, fj) (Geometry's
    /// `gridCoordinates` convention: (0, 0) the centre of cell (0, 0)), by
    /// bilinear interpolation between the four surrounding cell centres. In the
    /// half-cell border outside the outermost centres the nearest edge value is
    /// used (constant extrapolation).
    public func column(atGridPosition fi: Double, _ fj: Double, member: Int, hour: ModelHour) throws -> ModelColumn {
        let (i0, a) = Self.bracket(fi, grid.nx)
        let (j0, b) = Self.bracket(fj, grid.ny)
        // Interpolate along x in the two bracketing rows, then along y; a zero
        // weight skips the neighbour (which may not exist at the grid edge).
        func row(_ j: Int) throws -> ModelColumn {
            let west = try column(i: i0, j: j, member: member, hour: hour)
            guard a != 0 else { return west }
            return ModelColumn.blend(west, try column(i: i0 + 1, j: j, member: member, hour: hour), a)
        }
        let south = try row(j0)
        guard b != 0 else { return south }
        return ModelColumn.blend(south, try row(j0 + 1), b)
    }

    /// Flat indices (j * nx + i) of the cells that ``column(atGridPosition:_:member:hour:)``
    /// may read for (fi, fj): the bracketing 2 x 2 block, clamped to the grid.
    /// Distributed samplers use it to fetch exactly those columns.
    public static func interpolationCells(_ fi: Double, _ fj: Double, grid: HorizontalGrid) -> [Int] {
        let i0 = bracket(fi, grid.nx).0, j0 = bracket(fj, grid.ny).0
        var cells: [Int] = []
        for j in [j0, min(j0 + 1, grid.ny - 1)] { for i in [i0, min(i0 + 1, grid.nx - 1)] { cells.append(grid.index(i, j)) } }
        return cells
    }

    /// Lower index and weight of the upper one for a coordinate in 0..<n.
    static func bracket(_ f: Double, _ n: Int) -> (Int, Double) {
        let clamped = min(max(f, 0), Double(n - 1))
        let low = min(Int(clamped.rounded(.down)), max(n - 2, 0))
        return (low, clamped - Double(low))
    }
}
