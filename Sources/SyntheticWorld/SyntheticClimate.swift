import Foundation
import ModelTime

/// The analytic surface climate shared by the synthetic meteorology and the
/// synthetic biosphere, so that sunshine, warmth, deep mixing and uptake come
/// together. Times are hours since 1970-01-01T00Z as a `Double`, so a flux can
/// be evaluated at the middle of its hour.
public enum SyntheticClimate {
    /// Hours since 1970 of `hour` plus `offset` hours.
    public static func hours(_ hour: ModelHour, plus offset: Double = 0) -> Double { Double(hour.value) + offset }

    /// Fraction of the (mean tropical) year since 1 January 00 UTC, in [0, 1).
    public static func yearFraction(_ t: Double) -> Double {
        let years = (t - Double(ModelHour(year: 2000, month: 1, day: 1).value)) / (24 * 365.2425)
        return years - years.rounded(.down)
    }

    /// 2π × the fraction of the year since 20 January: cos of it is 1 in the
    /// depth of winter and −1 in late July.
    public static func annualPhase(_ t: Double) -> Double {
        2 * .pi * (yearFraction(t) - 19.0 / 365.2425)
    }

    /// Local solar time (hours, not wrapped) = UTC + longitude / 15.
    public static func localSolarTime(longitude: Double, _ t: Double) -> Double {
        let utc = t - 24 * (t / 24).rounded(.down)
        return utc + longitude / 15
    }

    /// Solar declination (radians), −23.44° cos(2π (day + 10) / 365) (Cooper 1969 form).
    public static func solarDeclination(_ t: Double) -> Double {
        -23.44 * Double.pi / 180 * cos(2 * .pi * (yearFraction(t) + 10 / 365.2425))
    }

    /// What the solar geometry and the seasons share between all places at
    /// time `t`: a caller looping over the cells of one hour makes it once.
    public struct Moment: Sendable {
        public let t: Double
        let sinDeclination: Double
        let cosDeclination: Double
        let cosAnnualPhase: Double

        public init(_ t: Double) {
            let δ = SyntheticClimate.solarDeclination(t)
            self.t = t
            sinDeclination = sin(δ)
            cosDeclination = cos(δ)
            cosAnnualPhase = cos(SyntheticClimate.annualPhase(t))
        }
    }

    /// A place with the sine and cosine of its latitude, made once per cell.
    public struct Place: Sendable {
        public let latitude: Double
        public let longitude: Double
        let sinLatitude: Double
        let cosLatitude: Double

        public init(latitude: Double, longitude: Double) {
            self.latitude = latitude
            self.longitude = longitude
            sinLatitude = sin(latitude * .pi / 180)
            cosLatitude = cos(latitude * .pi / 180)
        }
    }

    /// Cosine of the solar zenith angle (negative at night) at `lagHours`
    /// before `t`.
    public static func cosSolarZenith(latitude: Double, longitude: Double, _ t: Double, lagHours: Double = 0) -> Double {
        cosSolarZenith(at: Place(latitude: latitude, longitude: longitude), Moment(t), lagHours: lagHours)
    }

    /// The same at `place` and `moment`:
    /// cos θ = sin φ sin δ + cos φ cos δ cos h, h the hour angle.
    public static func cosSolarZenith(at place: Place, _ moment: Moment, lagHours: Double = 0) -> Double {
        let hourAngle = (localSolarTime(longitude: place.longitude, moment.t) - lagHours - 12) * Double.pi / 12
        return place.sinLatitude * moment.sinDeclination + place.cosLatitude * moment.cosDeclination * cos(hourAngle)
    }

    /// Daily-mean near-surface air temperature (K): 300 K south of 15° N,
    /// −0.6 K per degree north of it; seasonal amplitude 0.45 K per degree
    /// north of 5° N, coldest on 20 January.
    public static func dailyMeanSurfaceTemperature(latitude: Double, _ t: Double) -> Double {
        dailyMeanSurfaceTemperature(latitude: latitude, Moment(t))
    }

    /// The same at `moment`.
    public static func dailyMeanSurfaceTemperature(latitude: Double, _ moment: Moment) -> Double {
        (latitude < 15 ? 300 : 300 - 0.6 * (latitude - 15)) - 0.45 * max(0, latitude - 5) * moment.cosAnnualPhase
    }

    /// Diurnal temperature anomaly (K) at height `z` (m): ±5 K at the ground,
    /// decaying with a 600 m scale height, warmest at 15 h local solar time.
    public static func diurnalTemperatureAnomaly(longitude: Double, height z: Double, _ t: Double) -> Double {
        diurnalAmplitude(height: z) * diurnalPhase(longitude: longitude, t)
    }

    /// The height factor of ``diurnalTemperatureAnomaly(longitude:height:_:)`` (K).
    public static func diurnalAmplitude(height z: Double) -> Double { 5 * exp(-z / 600) }

    /// The time-of-day factor of ``diurnalTemperatureAnomaly(longitude:height:_:)``.
    public static func diurnalPhase(longitude: Double, _ t: Double) -> Double {
        cos(2 * .pi * (localSolarTime(longitude: longitude, t) - 15) / 24)
    }

    /// Near-surface air temperature (K) including the diurnal cycle.
    public static func surfaceTemperature(latitude: Double, longitude: Double, _ t: Double) -> Double {
        dailyMeanSurfaceTemperature(latitude: latitude, t) + diurnalTemperatureAnomaly(longitude: longitude, height: 0, t)
    }
}
