import Geometry
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Gaspari and Cohn (1999, Eq. 4.10) fifth-order piecewise rational taper.
///
/// `cutoff` is the distance where the taper reaches zero (= 2c in Gaspari and
/// Cohn's notation, c the half-width). At `distance == cutoff / 2` (z = r/c = 1)
/// the value is exactly -1/4 + 1/2 + 5/8 - 5/3 + 1 = 5/24 = 0.208333...
public func gaspariCohn(distance: Double, cutoff: Double) -> Double {
    let c = cutoff / 2
    let z = abs(distance) / c
    if z >= 2 { return 0 }
    if z <= 1 {
        // -1/4 z^5 + 1/2 z^4 + 5/8 z^3 - 5/3 z^2 + 1
        return (((-0.25 * z + 0.5) * z + 0.625) * z - 5.0 / 3.0) * z * z + 1
    }
    // 1/12 z^5 - 1/2 z^4 + 5/8 z^3 + 5/3 z^2 - 5 z + 4 - 2/(3z); just below z = 2 rounding could
    // make it a tiny negative number, which would flip the sign of a gain.
    return max(0, ((((z / 12 - 0.5) * z + 0.625) * z + 5.0 / 3.0) * z - 5) * z + 4 - 2 / (3 * z))
}

/// Where observations sit relative to each other and to the state columns.
/// The serial EnSRF asks only for distances, so the same filter serves the
/// spherical CO2 domain and the Lorenz-96 ring.
public protocol LocalizationGeometry {
    /// Horizontal distance between observations `j` and `k`.
    func observationDistance(_ j: Int, _ k: Int) -> Double
    /// Horizontal distance between observation `j` and the state column with
    /// global index `column`.
    func columnDistance(observation j: Int, column: Int) -> Double
    /// The columns (positions in `columns`, ascending) closer than `reach` to
    /// observation `j`, with their distances. Implementations may skip the
    /// exact distance for pairs that are clearly too far apart.
    func columns(near j: Int, among columns: [Int], below reach: Double) -> [(index: Int, distance: Double)]
}

extension LocalizationGeometry {
    public func columns(near j: Int, among columns: [Int], below reach: Double) -> [(index: Int, distance: Double)] {
        var result: [(index: Int, distance: Double)] = []
        for (index, column) in columns.enumerated() {
            let distance = columnDistance(observation: j, column: column)
            if distance < reach { result.append((index, distance)) }
        }
        return result
    }
}

/// Great-circle distances (metres) on the model sphere between grid-column
/// centres and observation locations: the haversine formula of
/// Geometry.greatCircleDistance written with the chord between precomputed
/// unit vectors, d = 2R asin(|p − q| / 2) (the haversine h is (|p − q| / 2)²),
/// so a pair costs one square root and one arcsine.
public struct SphericalLocalizationGeometry: LocalizationGeometry, Sendable {
    public let columnCenters: [GeoPoint]
    public let observationPoints: [GeoPoint]
    public let radius: Double
    private let columnVectors: [SIMD3<Double>]
    private let observationVectors: [SIMD3<Double>]

    /// `columnCenters[c]` is the centre of global column `c`.
    public init(columnCenters: [GeoPoint], observationPoints: [GeoPoint], radius: Double = cmaqEarthRadius) {
        self.columnCenters = columnCenters
        self.observationPoints = observationPoints
        self.radius = radius
        columnVectors = columnCenters.map(Self.unitVector)
        observationVectors = observationPoints.map(Self.unitVector)
    }

    static func unitVector(_ p: GeoPoint) -> SIMD3<Double> {
        let phi = p.latitude * .pi / 180, lambda = p.longitude * .pi / 180
        return SIMD3(cos(phi) * cos(lambda), cos(phi) * sin(lambda), sin(phi))
    }

    /// Pre-screens with the squared chord length and takes the arcsine only
    /// for pairs that may be within `reach`.
    public func columns(near j: Int, among columns: [Int], below reach: Double) -> [(index: Int, distance: Double)] {
        let chord = reach.isFinite ? 2 * sin(min(reach / radius, .pi) / 2) : 2
        let limit = chord * chord * (1 + 1e-9) + 1e-12
        let point = observationVectors[j]
        var result: [(index: Int, distance: Double)] = []
        for (index, column) in columns.enumerated() {
            let delta = point - columnVectors[column]
            let squaredChord = (delta * delta).sum()
            if squaredChord > limit { continue }
            let distance = arcLength(squaredChord: squaredChord)
            if distance < reach { result.append((index, distance)) }
        }
        return result
    }

    public func observationDistance(_ j: Int, _ k: Int) -> Double {
        let delta = observationVectors[j] - observationVectors[k]
        return arcLength(squaredChord: (delta * delta).sum())
    }

    public func columnDistance(observation j: Int, column: Int) -> Double {
        let delta = observationVectors[j] - columnVectors[column]
        return arcLength(squaredChord: (delta * delta).sum())
    }

    /// Great-circle distance for a chord of squared length `squaredChord` on the unit sphere.
    @inline(__always)
    private func arcLength(squaredChord: Double) -> Double {
        2 * radius * asin(min(1, squaredChord.squareRoot() / 2))
    }
}

/// Periodic index distance on a ring of `size` points (Lorenz-96): column `c`
/// sits at index c, observation `j` at `observationSites[j]`.
public struct RingLocalizationGeometry: LocalizationGeometry, Sendable {
    public let size: Int
    public let observationSites: [Int]

    public init(size: Int, observationSites: [Int]) {
        self.size = size
        self.observationSites = observationSites
    }

    func ringDistance(_ a: Int, _ b: Int) -> Double {
        let d = abs(a - b) % size
        return Double(min(d, size - d))
    }

    public func observationDistance(_ j: Int, _ k: Int) -> Double {
        ringDistance(observationSites[j], observationSites[k])
    }

    public func columnDistance(observation j: Int, column: Int) -> Double {
        ringDistance(observationSites[j], column)
    }
}

/// How the influence of an observation is limited in the horizontal.
public enum HorizontalLocalization: Sendable, Equatable {
    /// No localization: every observation updates every column.
    case none
    /// Gaspari-Cohn taper reaching zero at `cutoff` (same unit as the geometry's
    /// distances; metres on the sphere). RCAS default: 1280 km (Kou2023 §2.2.2).
    case gaspariCohn(cutoff: Double)
    /// GCASv2 rule (Jiang2021 §2.1.3): below `nearDistance` accept a pair when the
    /// ensemble correlation is positive; from `nearDistance` up to `farDistance`
    /// only when the correlation is significant (two-sided t-test, N - 2 degrees
    /// of freedom, p < `pValue`); beyond, reject. Weights are 0 or 1.
    case significance(nearDistance: Double, farDistance: Double, pValue: Double)

    /// The largest distance at which a pair can still interact (infinity for none).
    public var reach: Double {
        switch self {
        case .none: return .infinity
        case .gaspariCohn(let cutoff): return cutoff
        case .significance(_, let far, _): return far
        }
    }
}

/// Optional vertical localization: a Gaspari-Cohn taper on the height
/// difference between an observation with a height and each state variable.
/// Column observations (XCO2) have no height and are never localized vertically.
public struct VerticalLocalization: Sendable, Equatable {
    /// Height difference (m) where the taper reaches zero.
    public let cutoff: Double
    /// Height (m) of each state variable in a column (fluxes: 0, the surface).
    public let variableHeights: [Double]

    public init(cutoff: Double, variableHeights: [Double]) {
        self.cutoff = cutoff
        self.variableHeights = variableHeights
    }
}

/// The critical absolute correlation for a two-sided test of zero correlation
/// at level `pValue` with `memberCount` members: |r| > r_c  <=>  p < pValue, with
/// t = r sqrt((N-2)/(1-r^2)) Student-t distributed with N - 2 degrees of freedom.
public func criticalCorrelation(memberCount: Int, pValue: Double) -> Double {
    let dof = Double(memberCount - 2)
    let t = studentTQuantile(probability: 1 - pValue / 2, degreesOfFreedom: dof)
    return t / (dof + t * t).squareRoot()
}

/// Quantile of Student's t distribution by bisection on its distribution function.
func studentTQuantile(probability: Double, degreesOfFreedom nu: Double) -> Double {
    var low = 0.0
    var high = 1000.0
    for _ in 0..<200 {
        let mid = 0.5 * (low + high)
        if studentTDistribution(mid, degreesOfFreedom: nu) < probability { low = mid } else { high = mid }
    }
    return 0.5 * (low + high)
}

/// P(T <= t) for Student's t: 1 - I_x(nu/2, 1/2) / 2 with x = nu / (nu + t^2), t >= 0.
func studentTDistribution(_ t: Double, degreesOfFreedom nu: Double) -> Double {
    let x = nu / (nu + t * t)
    let tail = 0.5 * regularizedIncompleteBeta(x, a: nu / 2, b: 0.5)
    return t >= 0 ? 1 - tail : tail
}

/// I_x(a, b) by the continued fraction of Numerical Recipes (Press et al., §6.4).
func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log(1 - x)
    if x < (a + 1) / (a + b + 2) {
        return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
    }
    return 1 - exp(logFront) * betaContinuedFraction(1 - x, a: b, b: a) / b
}

private func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...300 {
        let m = Double(m)
        var aa = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
        d = 1 + aa * d; if abs(d) < tiny { d = tiny }
        c = 1 + aa / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        h *= d * c
        aa = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
        d = 1 + aa * d; if abs(d) < tiny { d = tiny }
        c = 1 + aa / c; if abs(c) < tiny { c = tiny }
        d = 1 / d
        let delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15 { break }
    }
    return h
}

/// Lag-aware localization: a flux hour's influence on the concentrations
/// spreads downwind as it ages, so observations see it further away. The
/// Gaspari-Cohn cut-off of a flux hour of age a (hours since it acted) is
///     c(a) = min(c₀ + g a, c_max),
/// with c₀ the concentrations' cut-off and g a transport speed (e.g. 30 km/h
/// ≈ 8 m/s, a typical mean wind in the lower troposphere).
public struct LagLocalization: Sendable, Equatable {
    /// g (m per hour).
    public let growth: Double
    /// c_max (m).
    public let maximum: Double

    public init(growth: Double, maximum: Double) {
        self.growth = growth
        self.maximum = maximum
    }

    public func cutoff(base: Double, age: Int) -> Double { min(base + growth * Double(max(age, 0)), maximum) }
}
