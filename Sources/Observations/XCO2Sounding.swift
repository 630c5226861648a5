import Foundation
import Geometry
import ModelTime

/// Surface type of a Lite sounding (`Retrieval/surface_type`: 0 water, 1 land).
public enum SurfaceType: Int, Sendable, Equatable {
    case water = 0
    case land = 1
}

/// `Sounding/land_water_indicator` of the OCO-2 and ACOS Lite files.
public enum LandWaterIndicator: Int, Sendable, Equatable {
    case land = 0
    case water = 1
    case inlandWater = 2
    case mixed = 3
}

/// Observation mode (`Sounding/operation_mode` of OCO-2 Lite files: 0 nadir,
/// 1 glint, 2 target, 3 transition, 4 snapshot area map).
public enum OperationMode: Int, Sendable, Equatable {
    case nadir = 0
    case glint = 1
    case target = 2
    case transition = 3
    case snapshotAreaMap = 4
}

/// Satellite XCO2 instruments RCAS knows.
public enum SatelliteInstrument: String, Sendable, CaseIterable {
    /// GOSAT TANSO-FTS, ACOS Lite product (Kou2023).
    case gosat
    /// OCO-2, Lite product (He2023).
    case oco2
}

/// One retrieval of a Lite file, in RCAS units: ppm for CO2, Pa for pressure,
/// seconds since 1970-01-01 UTC for time. The level arrays run from space to
/// the surface, as in the files.
public struct XCO2Sounding: Sendable, Equatable {
    /// `sounding_id`.
    public var id: Int64
    /// Degrees north.
    public var latitude: Double
    /// Degrees east.
    public var longitude: Double
    /// Seconds since 1970-01-01T00:00:00Z.
    public var time: Double
    /// Bias-corrected XCO2 (ppm).
    public var xco2: Double
    /// Reported 1-sigma uncertainty (ppm).
    public var uncertainty: Double
    /// `xco2_quality_flag`: 0 good, anything else not.
    public var qualityFlag: Int
    /// Retrieval pressure levels (Pa), space to surface.
    public var pressureLevels: [Double]
    /// Pressure weighting function h_k (sums to about 1).
    public var pressureWeights: [Double]
    /// Column averaging kernel A_k.
    public var averagingKernel: [Double]
    /// A priori CO2 profile y^p_k (ppm).
    public var aprioriProfile: [Double]
    /// A priori XCO2 (ppm).
    public var xco2Apriori: Double
    /// `Retrieval/surface_type`.
    public var surfaceType: SurfaceType
    /// Land fraction of the footprint (%), when the file has it.
    public var landFraction: Double?
    /// Observation mode, when the file has it.
    public var operationMode: OperationMode?
    /// GOSAT gain ("H" or "M"), when the file has it.
    public var gain: String?
    /// `Sounding/land_water_indicator`, when the file has it.
    public var landWaterIndicator: LandWaterIndicator?

    public init(id: Int64, latitude: Double, longitude: Double, time: Double, xco2: Double, uncertainty: Double,
                qualityFlag: Int, pressureLevels: [Double], pressureWeights: [Double], averagingKernel: [Double],
                aprioriProfile: [Double], xco2Apriori: Double, surfaceType: SurfaceType,
                landFraction: Double? = nil, operationMode: OperationMode? = nil, gain: String? = nil,
                landWaterIndicator: LandWaterIndicator? = nil) {
        self.id = id
        self.latitude = latitude
        self.longitude = longitude
        self.time = time
        self.xco2 = xco2
        self.uncertainty = uncertainty
        self.qualityFlag = qualityFlag
        self.pressureLevels = pressureLevels
        self.pressureWeights = pressureWeights
        self.averagingKernel = averagingKernel
        self.aprioriProfile = aprioriProfile
        self.xco2Apriori = xco2Apriori
        self.surfaceType = surfaceType
        self.landFraction = landFraction
        self.operationMode = operationMode
        self.gain = gain
        self.landWaterIndicator = landWaterIndicator
    }

    /// Over land, for the viewing-mode rules: `land_water_indicator` 0 when
    /// the file has it (mixed and inland-water footprints are not land),
    /// otherwise `surface_type` land.
    public var isLand: Bool { landWaterIndicator.map { $0 == .land } ?? (surfaceType == .land) }

    /// Over water: `land_water_indicator` 1 or 2, otherwise `surface_type` water.
    public var isWater: Bool {
        landWaterIndicator.map { $0 == .water || $0 == .inlandWater } ?? (surfaceType == .water)
    }

    /// The footprint centre.
    public var location: GeoPoint { GeoPoint(latitude: latitude, longitude: longitude) }

    /// The model hour the sounding belongs to: the hour [h, h+1) holding its time.
    public var hour: ModelHour { ModelHour(secondsSince1970: time) }
}
