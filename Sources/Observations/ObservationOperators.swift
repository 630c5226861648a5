import Foundation
import Geometry
import ModelTime

/// The satellite column operator of Kou2023 Eq. 2 (SCIENCE.md 6.2):
///
///     XCO2 = XCO2^p + Σ_k (y_k − y^p_k) A_k h_k
///
/// Kou2023 Eq. 2 also divides each term by (1 − w_k). RCAS leaves that factor
/// out: y_k is already a dry-air mole fraction (transport carries CO2 per mole
/// of dry air) and the Lite files' h_k are dry-air pressure weights, so the
/// factor would count water twice (up to 3.5 % of the deviation in moist
/// tropical columns; Docs/observations.md, "Dry air").
///
/// y_k is the model CO2 profile interpolated to retrieval level k: the model
/// column is first interpolated bilinearly to the sounding, then linearly in
/// ln p between layer mid pressures to the level pressure. Treatment at the
/// ends (see Docs/observations.md):
/// - levels below the lowest layer mid, including levels below the model's
///   surface (retrieval surface pressure above the model's), take the lowest
///   layer's value;
/// - levels between the top layer mid and the model top take the top layer's
///   value;
/// - levels above the model top (p < topPressure) take the a priori y^p_k, so
///   they add nothing: the model has no information there.
/// w_k, the model water-vapour mole fraction interpolated the same way, is
/// what synthetic soundings build their dry-air pressure weights from.
public enum ColumnOperator {
    /// The model profile at the retrieval levels (y_k, ppm) and the water
    /// vapour there (w_k, mol/mol).
    public static func profileAtLevels(_ column: ModelColumn, levels: [Double],
                                       apriori: [Double]) -> (co2: [Double], waterVapour: [Double]) {
        var co2 = [Double](repeating: 0, count: levels.count)
        var water = co2
        let p = column.pressure
        let n = p.count
        for (k, level) in levels.enumerated() {
            if level < column.topPressure {
                co2[k] = apriori[k]
                water[k] = 0
            } else if level >= p[0] {
                co2[k] = column.co2[0]
                water[k] = column.waterVapour[0]
            } else if level <= p[n - 1] {
                co2[k] = column.co2[n - 1]
                water[k] = column.waterVapour[n - 1]
            } else {
                // p decreases upwards: find m with p[m] > level >= p[m+1].
                var m = 0
                while p[m + 1] > level { m += 1 }
                let t = (log(p[m]) - log(level)) / (log(p[m]) - log(p[m + 1]))
                // (1 - t) a + t b: exact at the nodes (t = 0 or 1).
                co2[k] = (1 - t) * column.co2[m] + t * column.co2[m + 1]
                water[k] = (1 - t) * column.waterVapour[m] + t * column.waterVapour[m + 1]
            }
        }
        return (co2, water)
    }

    /// Kou2023 Eq. 2 for one model column already interpolated to the sounding.
    public static func xco2(_ column: ModelColumn, sounding s: XCO2Sounding) -> Double {
        let y = profileAtLevels(column, levels: s.pressureLevels, apriori: s.aprioriProfile).co2
        var sum = 0.0
        for k in 0..<y.count {
            sum += (y[k] - s.aprioriProfile[k]) * s.averagingKernel[k] * s.pressureWeights[k]
        }
        return s.xco2Apriori + sum
    }

    /// The simulated XCO2 of every member for `sounding`, or nil when the
    /// sounding is outside the sampler's grid.
    public static func simulate(_ sounding: XCO2Sounding, with sampler: some EnsembleColumnSampler) throws -> [Double]? {
        let (fi, fj) = sampler.grid.gridCoordinates(of: sounding.location)
        guard sampler.grid.cell(containing: sounding.location) != nil else { return nil }
        return try (0..<sampler.memberCount).map { m in
            xco2(try sampler.column(atGridPosition: fi, fj, member: m, hour: sounding.hour), sounding: sounding)
        }
    }

}

/// The in-situ point operator (SCIENCE.md 6.3): the model value in the cell
/// holding the site, in the layer holding the intake height above ground
/// (``VerticalLayers/layer(containingHeight:)``, half-open layers), at the
/// observation's hour.
public enum PointOperator {
    /// The cell and layer of a site, or nil outside the domain or above the top.
    public static func location(of site: GeoPoint, heightAboveGround: Double,
                                grid: HorizontalGrid, layers: VerticalLayers) -> (i: Int, j: Int, k: Int)? {
        guard let cell = grid.cell(containing: site),
              let k = layers.layer(containingHeight: heightAboveGround) else { return nil }
        return (cell.i, cell.j, k)
    }

    /// The simulated CO2 (ppm) of every member, or nil outside the model.
    public static func simulate(site: GeoPoint, heightAboveGround: Double, hour: ModelHour,
                                with sampler: some EnsembleColumnSampler) throws -> [Double]? {
        guard let (i, j, k) = location(of: site, heightAboveGround: heightAboveGround,
                                       grid: sampler.grid, layers: sampler.layers) else { return nil }
        return try (0..<sampler.memberCount).map { try sampler.column(i: i, j: j, member: $0, hour: hour).co2[k] }
    }
}
