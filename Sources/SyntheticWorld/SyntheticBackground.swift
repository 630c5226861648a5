import Foundation
import Geometry
import ModelTime

/// The built-in background CO2 (dry mole fraction, ppm) for initial and
/// lateral-boundary values, standing in for a global product such as
/// CarbonTracker (SCIENCE.md §3):
///
///     χ = 402 + 2.3 (year − 2016.5)                     growth 2.3 ppm/yr
///       + 0.04 lat                                      north higher than south
///       + A(lat) exp(−z/6 km) S(f)                      seasonal cycle
///       S(f) = [cos 2π(f − 0.33) + 0.35 cos 4π(f − 0.40)] / 1.1453
///       − 0.1 z/km  (z ≤ 12 km)                         surface above free troposphere
///       − 2.3 × age,  age = max(0, z − 12 km) / 3 km yr  older stratospheric air
///
/// with A(lat) = 0.5 + 0.14 max(0, lat) ppm (7.5 ppm at 50° N, 1.9 at 10° N),
/// f the fraction of the year, and S a two-harmonic shape of unit half range
/// and zero mean, maximal in mid-May (f = 0.37) and minimal at the end of
/// September (f = 0.73), like the northern-hemisphere records. Annual means: ≈ 402 ppm in 2016 at the
/// equator's surface.
public struct SyntheticBackground: Sendable {
    public let grid: HorizontalGrid
    public let layers: VerticalLayers
    private let latitude: [Double]

    /// Growth rate (ppm yr⁻¹).
    public static let growthRate = 2.3
    /// Annual-mean surface value at the equator in mid-2016 (ppm).
    public static let reference2016 = 402.0

    public init(domain: Domain) {
        grid = domain.grid
        layers = domain.layers
        latitude = grid.centers().map(\.latitude)
    }

    /// Mole fraction (ppm) at a latitude (degrees), height above ground (m)
    /// and time (hours since 1970 as a Double).
    public static func mixingRatio(latitude: Double, height z: Double, hours t: Double) -> Double {
        let years = (t - Double(ModelHour(year: 2016, month: 7, day: 2).value)) / (24 * 365.2425)
        let f = SyntheticClimate.yearFraction(t)
        let amplitude = 0.5 + 0.14 * max(0, latitude)
        let age = max(0, z - 12_000) / 3_000
        return reference2016 + growthRate * years + 0.04 * latitude
            + amplitude * exp(-z / 6_000) * seasonalShape(f)
            - 0.1 * min(z, 12_000) / 1_000 - growthRate * age
    }

    /// The seasonal shape S(f): zero annual mean, maximum 1 in mid-May,
    /// minimum −1 at the end of September.
    static func seasonalShape(_ f: Double) -> Double {
        (cos(2 * .pi * (f - 0.33)) + 0.35 * cos(4 * .pi * (f - 0.40))) / 1.145_291
    }

    /// The 3-D field (ppm) at `hour`, at cell centres and layer mid-heights,
    /// index `(k * ny + j) * nx + i`.
    public func field(at hour: ModelHour) -> [Double] {
        let t = SyntheticClimate.hours(hour)
        var values: [Double] = []
        values.reserveCapacity(layers.count * grid.cellCount)
        for k in 0..<layers.count {
            let z = layers.midHeight(k)
            for lat in latitude { values.append(Self.mixingRatio(latitude: lat, height: z, hours: t)) }
        }
        return values
    }

    /// One value of ``field(at:)``: cell `cell` (j * nx + i) of layer `k`,
    /// for callers that need a few cells (the boundary's edge columns).
    public func value(cell: Int, layer k: Int, at hour: ModelHour) -> Double {
        Self.mixingRatio(latitude: latitude[cell], height: layers.midHeight(k), hours: SyntheticClimate.hours(hour))
    }
}
