import Foundation
import Geometry
import ModelTime

/// The surface CO2 flux components of one hour on the grid (µmol m⁻² s⁻¹,
/// positive upward, i.e. into the atmosphere), each `j * nx + i`.
public struct FluxComponents: Sendable, Equatable {
    /// The hour the fluxes apply to: [time, time + 1 h).
    public let time: ModelHour
    public let nx: Int
    public let ny: Int
    /// Net biosphere exchange (respiration − photosynthesis).
    public var bio: [Double]
    /// Air-sea exchange.
    public var ocn: [Double]
    /// Fossil fuel and cement.
    public var fossil: [Double]
    /// Biomass burning.
    public var fire: [Double]

    public init(time: ModelHour, nx: Int, ny: Int, bio: [Double], ocn: [Double], fossil: [Double], fire: [Double]) {
        self.time = time
        self.nx = nx
        self.ny = ny
        self.bio = bio
        self.ocn = ocn
        self.fossil = fossil
        self.fire = fire
    }

    /// bio + ocn, the part the assimilation estimates.
    public var natural: [Double] { zip(bio, ocn).map { $0 + $1 } }
    /// All four components.
    public var total: [Double] {
        (0..<bio.count).map { (c: Int) -> Double in (bio[c] + ocn[c]) + (fossil[c] + fire[c]) }
    }
}

/// Annual flux totals (Pg C yr⁻¹) over a grid.
public struct FluxBudget: Sendable, Equatable {
    public var bio = 0.0, ocn = 0.0, fossil = 0.0, fire = 0.0
    public init() {}
    public var total: Double { bio + ocn + fossil + fire }
}

/// The built-in prior fluxes (Docs/synthetic-world.md): a light- and
/// temperature-driven biosphere over land, a small ocean flux, fossil hot
/// spots at real big cities, and small seasonal fires. Deterministic, no
/// randomness.
public struct SyntheticPriorFlux: Sendable {
    public let grid: HorizontalGrid
    /// Land fraction per cell (from ``LandSeaMask``).
    public let landFraction: [Double]
    /// Productivity factor per cell in [0, 1]: 1 for vegetated land, lower
    /// over the deserts and high plateaus of Central Asia.
    public let vegetation: [Double]
    /// Fossil sources inside the grid.
    public let fossilSources: [FossilSource]
    /// Sources of ``FossilSource/eastAsia`` outside the grid (not emitted).
    public let skippedFossilSources: [FossilSource]
    /// Annual-mean fossil flux per cell (µmol m⁻² s⁻¹).
    public let fossilAnnualMean: [Double]
    /// Base respiration R₀ per cell (µmol m⁻² s⁻¹ at 15 °C).
    let respirationBase: [Double]
    private let latitude: [Double]
    private let longitude: [Double]
    /// Each cell's place for the solar geometry (sine and cosine of its latitude made once).
    private let places: [SyntheticClimate.Place]

    /// Light-saturated gross uptake of fully vegetated land at optimal temperature (µmol m⁻² s⁻¹).
    public static let maximumUptake = 18.0
    /// Half-saturation of the light response, in units of the cosine of the solar zenith angle.
    public static let lightHalfSaturation = 0.35
    /// Respiration grows by this factor per 10 K of daily-mean temperature
    /// (Q10 = 1.5, close to the ecosystem-scale 1.4 ± 0.1 of Mahecha et al. 2010).
    public static let q10 = 1.5
    /// Annual net biosphere uptake as a fraction of annual gross uptake, in every land cell.
    public static let netSinkFraction = 0.06
    /// Micromoles per gram of carbon ... µmol m⁻² s⁻¹ × m² × s × this = g C.
    public static let gramsCarbonPerMicromole = 12.011e-6
    /// Seconds in a mean year.
    public static let secondsPerYear = 365.2425 * 86_400

    /// Prior fluxes on a domain, with its `land_sea` mask.
    public init(domain: Domain) throws {
        self.init(grid: domain.grid, landFraction: try LandSeaMask(domain: domain).landFraction)
    }

    /// Prior fluxes on `grid` with a given land fraction per cell.
    public init(grid: HorizontalGrid, landFraction: [Double]) {
        precondition(landFraction.count == grid.cellCount, "one land fraction per cell")
        self.grid = grid
        self.landFraction = landFraction
        let centres = grid.centers()
        latitude = centres.map(\.latitude)
        longitude = centres.map(\.longitude)
        places = centres.map { SyntheticClimate.Place(latitude: $0.latitude, longitude: $0.longitude) }
        vegetation = centres.map(Self.vegetationFactor)

        let areas = grid.cellAreas()
        var inside: [FossilSource] = [], outside: [FossilSource] = []
        var fossil = [Double](repeating: 0, count: grid.cellCount)
        for source in FossilSource.eastAsia {
            guard grid.cell(containing: source.location) != nil else { outside.append(source); continue }
            inside.append(source)
            // Half the emission in the city (σ 50 km), half in its region (σ 250 km),
            // normalised on the grid so the source emits exactly its total.
            let distances = centres.map { greatCircleDistance($0, source.location, radius: grid.projection.earthRadius) }
            for sigma in [50_000.0, 250_000.0] {
                let kernel = distances.map { exp(-0.5 * ($0 / sigma) * ($0 / sigma)) }
                let norm = zip(kernel, areas).reduce(0) { $0 + $1.0 * $1.1 }
                let micromolesPerSecond = 0.5 * source.annualEmission * 1e12 / Self.gramsCarbonPerMicromole / Self.secondsPerYear
                for c in fossil.indices { fossil[c] += micromolesPerSecond * kernel[c] / norm }
            }
        }
        fossilSources = inside
        skippedFossilSources = outside
        fossilAnnualMean = fossil

        // R₀ per latitude so that, over a year, respiration = (1 − s) × gross uptake.
        let table = Self.respirationTable(latitudes: latitude)
        respirationBase = latitude.map(table)
    }

    /// Productivity factor: 1 minus Gaussian dips over the Taklamakan, the
    /// Gobi, the Tibetan Plateau, the Thar and the Kazakh steppe.
    static func vegetationFactor(_ p: GeoPoint) -> Double {
        let dips: [(lat: Double, lon: Double, sLat: Double, sLon: Double, depth: Double)] = [
            (39, 83, 3, 6, 0.9), (43, 103, 3, 10, 0.8), (33, 88, 4, 8, 0.7), (27, 71, 3, 4, 0.7), (46, 70, 4, 8, 0.5)]
        return dips.reduce(1.0) { factor, d in
            let x = (p.latitude - d.lat) / d.sLat, y = (p.longitude - d.lon) / d.sLon
            return factor * (1 - d.depth * exp(-0.5 * (x * x + y * y)))
        }
    }

    /// Temperature response of photosynthesis, standing in for phenology
    /// too: 0 below 5 °C, rising as ((T − 5 °C)/20 K)² to 1 at 25 °C (so
    /// little uptake before leaf-out in spring and after senescence in
    /// autumn), 1 to 32 °C, falling to 0 at 45 °C.
    static func temperatureResponse(_ t: Double) -> Double {
        let c = t - 273.15
        if c <= 5 || c >= 45 { return 0 }
        if c < 25 { return (c - 5) * (c - 5) / 400 }
        return c <= 32 ? 1 : (45 - c) / 13
    }

    /// Gross uptake per unit productivity (µmol m⁻² s⁻¹) and the respiration
    /// temperature factor at a place and time. Respiration follows the
    /// daily-mean temperature (soils do not feel the ±5 K diurnal swing of
    /// the air); photosynthesis the instantaneous one.
    static func drivers(latitude: Double, longitude: Double, _ t: Double) -> (gross: Double, respirationFactor: Double) {
        drivers(at: SyntheticClimate.Place(latitude: latitude, longitude: longitude), SyntheticClimate.Moment(t))
    }

    /// The same at `place` and `moment` (made once per cell and per hour by
    /// a caller looping over cells).
    static func drivers(at place: SyntheticClimate.Place, _ moment: SyntheticClimate.Moment)
        -> (gross: Double, respirationFactor: Double) {
        let light = max(0, SyntheticClimate.cosSolarZenith(at: place, moment))
        let soil = SyntheticClimate.dailyMeanSurfaceTemperature(latitude: place.latitude, moment)
        // The air's temperature: the daily mean plus the diurnal swing
        // (SyntheticClimate.surfaceTemperature).
        let temperature = soil + SyntheticClimate.diurnalTemperatureAnomaly(longitude: place.longitude, height: 0, moment.t)
        let gross = maximumUptake * light / (light + lightHalfSaturation) * temperatureResponse(temperature)
        return (gross, pow(q10, (soil - 288.15) / 10))
    }

    /// R₀(latitude) on a 0.25° table: (1 − s) Σ gross / Σ respiration factor
    /// over the hours of a year (2001, at longitude 0; a year's sums do not
    /// depend on longitude beyond a sub-hour phase).
    static func respirationTable(latitudes: [Double]) -> (Double) -> Double {
        let step = 0.25
        let first = ((latitudes.min() ?? 0) / step).rounded(.down) * step - step
        let count = Int((((latitudes.max() ?? 0) - first) / step).rounded(.up)) + 2
        let start = SyntheticClimate.hours(ModelHour(year: 2001, month: 1, day: 1))
        let values = (0..<count).map { n -> Double in
            let lat = first + Double(n) * step
            var gross = 0.0, factor = 0.0
            for h in 0..<8760 {
                let d = drivers(latitude: lat, longitude: 0, start + Double(h) + 0.5)
                gross += d.gross
                factor += d.respirationFactor
            }
            return (1 - netSinkFraction) * gross / factor
        }
        return { lat in
            let x = (lat - first) / step
            let n = min(max(Int(x.rounded(.down)), 0), count - 2)
            let w = x - Double(n)
            return values[n] * (1 - w) + values[n + 1] * w
        }
    }

    /// The four components for the hour starting at `hour`, evaluated at
    /// its middle.
    public func components(at hour: ModelHour) -> FluxComponents {
        components(at: hour, cells: Array(0..<grid.cellCount))
    }

    /// The components of `cells` only (NaN elsewhere): each cell's values
    /// are computed from that cell alone.
    public func components(at hour: ModelHour, cells: [Int]) -> FluxComponents {
        let n = grid.cellCount
        let t = SyntheticClimate.hours(hour, plus: 0.5)
        let annual = SyntheticClimate.annualPhase(t), f = SyntheticClimate.yearFraction(t)
        var bio = [Double](repeating: .nan, count: n), ocn = bio, fossil = bio, fire = bio
        let moment = SyntheticClimate.Moment(t), cosAnnual = cos(annual)
        for c in cells {
            let lat = latitude[c], lon = longitude[c], land = landFraction[c]
            let solarTime = SyntheticClimate.localSolarTime(longitude: lon, t)
            bio[c] = 0
            fire[c] = 0
            if land > 0 {
                let d = Self.drivers(at: places[c], moment)
                bio[c] = land * vegetation[c] * (respirationBase[c] * d.respirationFactor - d.gross)
                fire[c] = land * Self.fireFlux(latitude: lat, longitude: lon, yearFraction: f)
                    * (1 + 0.8 * cos(2 * .pi * (solarTime - 15) / 24))
            }
            // Ocean: outgassing in the tropics, uptake north of ~25° N, strongest in winter.
            let north = min(max((lat - 15) / 30, 0), 1)
            ocn[c] = (1 - land) * (0.06 - 0.16 * north - 0.05 * north * cosAnnual)
            // Fossil: daytime peak (±20 %), winter heating north of 30° N (±10 %); both average to 1.
            let heating = lat > 30 ? 0.1 * cosAnnual : 0
            fossil[c] = fossilAnnualMean[c] * (1 + 0.2 * cos(2 * .pi * (solarTime - 13) / 24)) * (1 + heating)
        }
        return FluxComponents(time: hour, nx: grid.nx, ny: grid.ny, bio: bio, ocn: ocn, fossil: fossil, fire: fire)
    }

    /// Daily-mean fire flux over land (µmol m⁻² s⁻¹): dry-season burning in
    /// continental South-East Asia (peak mid-March), crop-residue burning on
    /// the North China Plain (early June), boreal fires near the Amur (May).
    static func fireFlux(latitude: Double, longitude: Double, yearFraction f: Double) -> Double {
        let seasons: [(lat: Double, lon: Double, sLat: Double, sLon: Double, peak: Double, width: Double, size: Double)] = [
            (19, 101, 4, 5, 0.20, 0.05, 0.3), (35, 116, 3, 3, 0.44, 0.03, 0.1), (52, 125, 4, 6, 0.37, 0.08, 0.1)]
        return seasons.reduce(0.0) { sum, s in
            let x = (latitude - s.lat) / s.sLat, y = (longitude - s.lon) / s.sLon
            let dt = remainder(f - s.peak, 1.0) / s.width
            return sum + s.size * exp(-0.5 * (x * x + y * y + dt * dt))
        }
    }

    /// Annual totals (Pg C yr⁻¹) over the grid, summing every `strideHours`-th
    /// hour of the year from `year`-01-01 00 UTC (1 = every hour) and scaling
    /// to the full year.
    public func annualBudget(year: Int, strideHours: Int = 1) -> FluxBudget {
        annualBudgets(year: year, strideHours: strideHours, regions: [[Bool](repeating: true, count: grid.cellCount)])[0]
    }

    /// Annual totals (Pg C yr⁻¹) over each region (cells where the mask is
    /// true), sampled as in ``annualBudget(year:strideHours:)``.
    public func annualBudgets(year: Int, strideHours: Int = 1, regions: [[Bool]]) -> [FluxBudget] {
        let areas = grid.cellAreas()
        let weights = regions.map { mask in zip(mask, areas).map { $0 ? $1 : 0 } }
        let start = ModelHour(year: year, month: 1, day: 1), end = ModelHour(year: year + 1, month: 1, day: 1)
        var budgets = [FluxBudget](repeating: FluxBudget(), count: regions.count), sampled = 0
        for hour in stride(from: start, to: end, by: strideHours) {
            let c = components(at: hour)
            for (r, w) in weights.enumerated() {
                func sum(_ x: [Double]) -> Double { zip(x, w).reduce(0) { $0 + $1.0 * $1.1 } }
                budgets[r].bio += sum(c.bio); budgets[r].ocn += sum(c.ocn)
                budgets[r].fossil += sum(c.fossil); budgets[r].fire += sum(c.fire)
            }
            sampled += 1
        }
        // µmol s⁻¹ summed over the sampled hours → Pg C per year.
        let scale = 3600 * Double(start.distance(to: end)) / Double(sampled) * Self.gramsCarbonPerMicromole / 1e15
        return budgets.map { b in
            var scaled = FluxBudget()
            scaled.bio = b.bio * scale; scaled.ocn = b.ocn * scale; scaled.fossil = b.fossil * scale; scaled.fire = b.fire * scale
            return scaled
        }
    }
}
