import Foundation
import RandomStreams
import Geometry
import ModelTime

/// The orbit and sampling pattern of a synthetic satellite: an idealised
/// circular sun-synchronous orbit whose ground track repeats after
/// `repeatDays` solar days, sampled in frames of footprints across track.
public struct SyntheticOrbit: Sendable, Equatable {
    /// Orbital period (s).
    public let period: Double
    /// Inclination (degrees).
    public let inclination: Double
    /// Local solar time (hours) at which the daytime pass crosses the equator.
    public let equatorCrossingLocalHour: Double
    /// True when the daytime pass runs south to north.
    public let daytimeAscending: Bool
    /// Cross-track offsets of the footprints of one frame (m, positive to the
    /// right of the direction of flight).
    public let crossTrackOffsets: [Double]
    /// Time between frames along track (s).
    public let frameInterval: Double
    /// Footprint diameter (m), for the file's documentation only.
    public let footprintSize: Double
    /// Clear-sky threshold of the cloud field; tuned so that a realistic
    /// minority of footprints survives cloud screening (measured in the tests).
    public let clearThreshold: Double

    /// GOSAT: 44 revolutions in 3 days, 98.06°, descending node at 13:00
    /// local time (Kou2023 §2.3: 3-day global coverage, ~10.5 km
    /// footprints); 3-point cross-track pattern ~263 km apart, ~283 km along
    /// track (one frame every ~41 s).
    public static let gosat = SyntheticOrbit(period: 3 * 86_400 / 44, inclination: 98.06, equatorCrossingLocalHour: 13.0,
                                             daytimeAscending: false, crossTrackOffsets: [-263_000, 0, 263_000],
                                             frameInterval: 41.6, footprintSize: 10_500, clearThreshold: 0.36)
    /// OCO-2: 233 revolutions in 16 days, 98.2°, ascending node at 13:36
    /// local time; 8 footprints across a ~10 km swath, 3 frames a second.
    public static let oco2 = SyntheticOrbit(period: 16 * 86_400 / 233, inclination: 98.2, equatorCrossingLocalHour: 13.6,
                                            daytimeAscending: true,
                                            crossTrackOffsets: (0..<8).map { (Double($0) - 3.5) * 1_290 },
                                            frameInterval: 1.0 / 3, footprintSize: 2_000, clearThreshold: 0.36)

    /// The orbit of `instrument`.
    public static func of(_ instrument: SatelliteInstrument) -> SyntheticOrbit {
        instrument == .gosat ? gosat : oco2
    }

    /// Sub-satellite point at `time` (s since 1970). The ascending node
    /// crosses the equator at a fixed local solar time (the node turns with
    /// the sun, one turn per solar day), so every pass over a place happens at
    /// nearly the same local time and the track repeats after a whole number
    /// of days when the period divides it.
    public func subSatellitePoint(at time: Double) -> GeoPoint {
        let ascendingNodeHour = daytimeAscending ? equatorCrossingLocalHour : equatorCrossingLocalHour - 12
        let u = 2 * Double.pi * time / period                      // argument of latitude, node at t = 0
        let i = inclination * .pi / 180
        let latitude = asin(sin(i) * sin(u)) * 180 / .pi
        let alongNode = atan2(cos(i) * sin(u), cos(u)) * 180 / .pi
        // Local time at the node is UTC + λ/15 = ascendingNodeHour for every node crossing.
        let nodeLongitude = 15 * ascendingNodeHour - time / 240
        return GeoPoint(latitude: latitude, longitude: normalizedLongitude(nodeLongitude + alongNode))
    }

    /// Orbit number since 1970 (used to alternate OCO-2 nadir and glint).
    public func orbitNumber(at time: Double) -> Int { Int((time / period).rounded(.down)) }
}

func normalizedLongitude(_ lon: Double) -> Double {
    var x = lon.truncatingRemainder(dividingBy: 360)
    if x >= 180 { x -= 360 }
    if x < -180 { x += 360 }
    return x
}

/// The point `distance` metres from `start` along initial `bearing` (radians
/// clockwise from north), on a sphere of `radius`.
func destination(from start: GeoPoint, bearing: Double, distance: Double, radius: Double) -> GeoPoint {
    let φ1 = start.latitude * .pi / 180, λ1 = start.longitude * .pi / 180, δ = distance / radius
    let φ2 = asin(sin(φ1) * cos(δ) + cos(φ1) * sin(δ) * cos(bearing))
    let λ2 = λ1 + atan2(sin(bearing) * sin(δ) * cos(φ1), cos(δ) - sin(φ1) * sin(φ2))
    return GeoPoint(latitude: φ2 * 180 / .pi, longitude: normalizedLongitude(λ2 * 180 / .pi))
}

/// Initial bearing (radians clockwise from north) from `a` to `b`.
func bearing(from a: GeoPoint, to b: GeoPoint) -> Double {
    let φ1 = a.latitude * .pi / 180, φ2 = b.latitude * .pi / 180, dλ = (b.longitude - a.longitude) * .pi / 180
    return atan2(sin(dλ) * cos(φ2), cos(φ1) * sin(φ2) - sin(φ1) * cos(φ2) * cos(dλ))
}

/// Cosine of the solar zenith angle (approximate solar declination and
/// local solar time; enough to tell the sunlit pass from the dark one).
func cosSolarZenith(_ point: GeoPoint, time: Double) -> Double {
    let day = (time / 86_400).rounded(.down)
    let dayOfYear = ModelHour(secondsSince1970: time).dayOfYear
    let declination = -23.44 * .pi / 180 * cos(2 * .pi * Double(dayOfYear + 10) / 365)
    let utcHours = (time - day * 86_400) / 3600
    let hourAngle = (utcHours + point.longitude / 15 - 12) * 15 * .pi / 180
    let φ = point.latitude * .pi / 180
    return sin(φ) * sin(declination) + cos(φ) * cos(declination) * cos(hourAngle)
}

/// Counts from one synthetic satellite run.
public struct SyntheticSatelliteRun: Sendable {
    /// Clear soundings, in time order.
    public let soundings: [XCO2Sounding]
    /// Sunlit footprints inside the domain before cloud screening.
    public let candidates: Int
    /// Footprints that passed cloud screening (= soundings.count).
    public var clear: Int { soundings.count }
}

/// Synthetic observations for twin experiments, sampled from a truth run
/// through ``EnsembleColumnSampler`` (member 0) and deterministic for a seed:
/// every random number is keyed by (seed, sounding id or site and hour, stream).
public struct SyntheticObservationGenerator {
    /// The truth's grid.
    public let grid: HorizontalGrid
    /// The truth run (member 0 is sampled).
    public let truth: any EnsembleColumnSampler
    /// Keyed random numbers for this seed.
    public let random: KeyedRandom

    /// Number of retrieval levels of the Lite products.
    public static let levelCount = 20
    /// Fraction of clear soundings given quality flag 1.
    public static let badFlagFraction = 0.2
    /// Extra error (ppm, 1 sigma) of flagged soundings, a stand-in for the
    /// retrieval problems the flag marks.
    public static let badFlagExtraError = 2.0
    /// Reported uncertainties are uniform in this range (Kou2023 Table 1
    /// medians 0.64-0.99 ppm).
    public static let uncertaintyRange = 0.6...1.0
    /// In-situ measurement error (ppm, 1 sigma).
    public static let siteError = 0.1
    /// Intake height above the model ground of the synthetic sites (m).
    public static let siteIntakeHeight = 10.0

    public init(truth: any EnsembleColumnSampler, seed: UInt64) {
        grid = truth.grid
        self.truth = truth
        random = KeyedRandom(seed: seed, stream: "synthetic-observations")
    }

    // Random streams, so that no two uses of one key share numbers.
    enum Stream: Int { case cloud = 1, footprintCloud, uncertainty, noise, flag, flagError, siteNoise }

    /// Clear-sky field in [0, 1]: value noise on a 0.5° lattice per UTC day
    /// (clouds in patches of tens of km, changing day to day) mixed with a
    /// footprint-scale part; a footprint is clear below the orbit's threshold.
    func clearSkyValue(_ p: GeoPoint, time: Double, id: Int64) -> Double {
        let day = Int((time / 86_400).rounded(.down))
        let x = (p.longitude + 180) / 0.5, y = (p.latitude + 90) / 0.5
        let x0 = x.rounded(.down), y0 = y.rounded(.down)
        let fx = x - x0, fy = y - y0
        func node(_ a: Double, _ b: Double) -> Double {
            random.uniform(Stream.cloud.rawValue, day, Int(a), Int(b))
        }
        let field = (node(x0, y0) * (1 - fx) + node(x0 + 1, y0) * fx) * (1 - fy)
            + (node(x0, y0 + 1) * (1 - fx) + node(x0 + 1, y0 + 1) * fx) * fy
        let local = random.uniform(Stream.footprintCloud.rawValue, Int(id))
        return 0.8 * field + 0.2 * local
    }

    /// Satellite soundings in [start, start + hours), inside the grid, sunlit
    /// (solar zenith below 75°) and clear, with values sampled from the truth.
    public func satellite(_ instrument: SatelliteInstrument, start: ModelHour, hours: Int) throws -> SyntheticSatelliteRun {
        let orbit = SyntheticOrbit.of(instrument)
        let t0 = start.secondsSince1970, t1 = start.advanced(by: hours).secondsSince1970
        let radius = grid.projection.earthRadius
        let margin = 400_000 / min(grid.dx, grid.dy) + 1   // cells; > 1 coarse step and the widest offset
        func near(_ p: GeoPoint) -> Bool {
            let (fi, fj) = grid.gridCoordinates(of: p)
            return fi > -margin && fj > -margin && fi < Double(grid.nx) + margin && fj < Double(grid.ny) + margin
        }
        var soundings: [XCO2Sounding] = []
        var candidates = 0
        // Frames lie on a fixed lattice t0 + n·interval; the track is checked
        // every `chunk` frames (~30 s) and only chunks near the grid are sampled.
        let frameCount = Int(((t1 - t0) / orbit.frameInterval).rounded(.up))
        let chunk = max(1, Int(30 / orbit.frameInterval))
        func frameTime(_ n: Int) -> Double { t0 + Double(n) * orbit.frameInterval }
        for first in stride(from: 0, to: frameCount, by: chunk) {
            let last = min(first + chunk, frameCount)
            guard near(orbit.subSatellitePoint(at: frameTime(first))) || near(orbit.subSatellitePoint(at: frameTime(last))) else { continue }
            for n in first..<last {
                let t = frameTime(n)
                guard t < t1 else { break }
                let centre = orbit.subSatellitePoint(at: t)
                let heading = bearing(from: centre, to: orbit.subSatellitePoint(at: t + 1))
                for (f, offset) in orbit.crossTrackOffsets.enumerated() {
                    let p = offset == 0 ? centre : destination(from: centre, bearing: heading + .pi / 2,
                                                                distance: offset, radius: radius)
                    guard grid.cell(containing: p) != nil, cosSolarZenith(p, time: t) > cos(75 * Double.pi / 180) else { continue }
                    candidates += 1
                    let id = Self.soundingID(time: t, footprint: f + 1)
                    guard clearSkyValue(p, time: t, id: id) < orbit.clearThreshold else { continue }
                    soundings.append(try sounding(id: id, at: p, time: t, instrument: instrument, orbit: orbit))
                }
            }
        }
        return SyntheticSatelliteRun(soundings: soundings, candidates: candidates)
    }

    /// Lite-style sounding id YYYYMMDDhhmmss·100 + 10·tenths of a second + footprint.
    static func soundingID(time: Double, footprint: Int) -> Int64 {
        let whole = (time + 1e-6).rounded(.down)
        let tenths = Int(((time - whole) * 10 + 1e-6).rounded(.down))
        let h = ModelHour(secondsSince1970: whole).components
        let secondsIntoHour = Int(whole) - Int((whole / 3600).rounded(.down)) * 3600
        let stamp = ((((Int64(h.year) * 100 + Int64(h.month)) * 100 + Int64(h.day)) * 100 + Int64(h.hour)) * 100
                     + Int64(secondsIntoHour / 60)) * 100 + Int64(secondsIntoHour % 60)
        return stamp * 100 + Int64(tenths * 10 + footprint)
    }

    /// Retrieval pressure levels (Pa), space to surface: 0.1 hPa, then
    /// equal steps of surface pressure / 19 (the ACOS sigma grid).
    public static func retrievalLevels(surfacePressure: Double) -> [Double] {
        [10] + (1..<levelCount).map { surfacePressure * Double($0) / Double(levelCount - 1) }
    }

    /// Column averaging kernel of the synthetic product: 1 at the surface,
    /// falling off aloft (0.35 at the top), A(σ) = 0.35 + 0.65 σ^0.4 with
    /// σ = p / p_surface: the broad shape of ACOS land kernels.
    public static func averagingKernel(levels: [Double]) -> [Double] {
        let ps = levels.last!
        return levels.map { 0.35 + 0.65 * pow($0 / ps, 0.4) }
    }

    /// A priori profile (ppm): a level troposphere growing 2.3 ppm/yr from
    /// 400 ppm at 2016.0 and up to 8 ppm less in the stratosphere.
    public static func aprioriProfile(levels: [Double], time: Double) -> [Double] {
        let ps = levels.last!
        let years = ModelHour(secondsSince1970: time).yearsSince2000 - 16
        return levels.map { 400 + 2.3 * years - 8 * pow(1 - $0 / ps, 3) }
    }

    /// Pressure weights h_k: trapezoid weights of the dry-air pressure
    /// between levels, normalised to sum to 1.
    public static func pressureWeights(levels: [Double], waterVapour: [Double]) -> [Double] {
        let n = levels.count
        var h = [Double](repeating: 0, count: n)
        for k in 0..<(n - 1) {
            let dp = levels[k + 1] - levels[k]
            h[k] += dp / 2 * (1 - waterVapour[k])
            h[k + 1] += dp / 2 * (1 - waterVapour[k + 1])
        }
        let total = h.reduce(0, +)
        return h.map { $0 / total }
    }

    func sounding(id: Int64, at p: GeoPoint, time: Double, instrument: SatelliteInstrument,
                  orbit: SyntheticOrbit) throws -> XCO2Sounding {
        let key = Int(id)
        let hour = ModelHour(secondsSince1970: time)
        let (fi, fj) = grid.gridCoordinates(of: p)
        let column = try truth.column(atGridPosition: fi, fj, member: 0, hour: hour)
        let levels = Self.retrievalLevels(surfacePressure: column.surfacePressure)
        let apriori = Self.aprioriProfile(levels: levels, time: time)
        let (_, water) = ColumnOperator.profileAtLevels(column, levels: levels, apriori: apriori)
        let weights = Self.pressureWeights(levels: levels, waterVapour: water)
        let range = Self.uncertaintyRange
        let uncertainty = range.lowerBound + (range.upperBound - range.lowerBound) * random.uniform(Stream.uncertainty.rawValue, key)
        let flagged = random.uniform(Stream.flag.rawValue, key) < Self.badFlagFraction
        let mode: OperationMode? = instrument == .oco2 ? (orbit.orbitNumber(at: time) % 2 == 0 ? .nadir : .glint) : nil
        var s = XCO2Sounding(
            id: id, latitude: p.latitude, longitude: p.longitude, time: time, xco2: 0, uncertainty: uncertainty,
            qualityFlag: flagged ? 1 : 0, pressureLevels: levels, pressureWeights: weights,
            averagingKernel: Self.averagingKernel(levels: levels), aprioriProfile: apriori,
            xco2Apriori: zip(weights, apriori).map(*).reduce(0, +), surfaceType: .land, landFraction: 100,
            operationMode: mode, gain: instrument == .gosat ? "H" : nil)
        var value = ColumnOperator.xco2(column, sounding: s) + uncertainty * random.normal(Stream.noise.rawValue, key)
        if flagged { value += Self.badFlagExtraError * random.normal(Stream.flagError.rawValue, key) }
        s.xco2 = value
        return s
    }

    /// In-situ records of each site in [start, start + hours): one per
    /// sampling interval (hourly sites every hour; daily and weekly ones at
    /// 06 UTC, early afternoon in China, on each day or every 7th day from
    /// `start`), the truth in the site's cell and the layer of the intake
    /// height, plus noise keyed by (seed, site index in `sites`, hour). Nil
    /// for a site outside the grid. Hours are the outer loop so that a
    /// file-backed truth reads each hour once.
    public func sites(_ sites: [SurfaceSite], start: ModelHour, hours: Int) throws -> [[InSituRecord]?] {
        var records: [[InSituRecord]?] = sites.map { grid.cell(containing: $0.location) == nil ? nil : [] }
        for offset in 0..<hours {
            let hour = start.advanced(by: offset)
            // Whole days since 1970, so the flask schedule does not depend on
            // how the period is cut into calls.
            let dayIndex = Int((Double(hour.value) / 24).rounded(.down))
            for (index, site) in sites.enumerated() where records[index] != nil {
                if site.intervalHours > 1 {
                    guard hour.hourOfDay == 6, (dayIndex * 24) % site.intervalHours == 0 else { continue }
                }
                guard let truthValues = try PointOperator.simulate(site: site.location, heightAboveGround: Self.siteIntakeHeight,
                                                                   hour: hour, with: truth) else { continue }
                let noise = Self.siteError * random.normal(Stream.siteNoise.rawValue, index, hour.value)
                records[index]!.append(InSituRecord(
                    obspackID: "obspack_co2_rcas_synthetic~co2_\(site.code.lowercased())_surface-insitu~\(hour.value)",
                    time: hour.secondsSince1970, latitude: site.latitude, longitude: site.longitude,
                    altitude: Self.siteIntakeHeight, intakeHeight: Self.siteIntakeHeight, value: truthValues[0] + noise))
            }
        }
        return records
    }
}
