import Foundation

/// Physical constants of WRF's `share/module_model_constants.F` (WRF
/// v4), used to turn wrfout variables into RCAS fields exactly as WRF and
/// wrf-python do (Docs/meteorology.md, "WRF output").
public enum WRFConstants {
    /// Gas constant of dry air R_d (J kg-1 K-1).
    public static let dryAirGasConstant = 287.0
    /// Specific heat of dry air at constant pressure, c_p = 7 R_d / 2 (J kg-1 K-1).
    public static let specificHeat = 7 * dryAirGasConstant / 2
    /// Reference pressure of potential temperature p0 (Pa).
    public static let referencePressure = 100_000.0
    /// Base potential temperature t0 added to the perturbation `T` (K).
    public static let basePotentialTemperature = 300.0
    /// Gravity g (m s-2): height = geopotential / g.
    public static let gravity = 9.81
    /// Von Kármán constant.
    public static let vonKarman = 0.4
    /// Radius of WRF's spherical earth (m).
    public static let earthRadius = 6_370_000.0
}

/// Molar masses (kg mol-1) of water and dry air, for converting a water-vapour
/// mass mixing ratio r into a mole fraction x = r / (r + ε), ε = M_w / M_d.
public enum MolarMass {
    public static let water = 0.018_015
    public static let dryAir = 0.028_965
}

/// Air temperature (K) from potential temperature θ (K) and pressure p (Pa):
/// T = θ (p / p0)^(R_d / c_p) with WRF's constants.
@inline(__always) public func temperature(potentialTemperature θ: Double, pressure p: Double) -> Double {
    θ * pow(p / WRFConstants.referencePressure, WRFConstants.dryAirGasConstant / WRFConstants.specificHeat)
}

/// Water-vapour mole fraction x (mol mol-1) of a mass mixing ratio r (kg per
/// kg of dry air): moles of vapour r / M_w per 1 / M_d moles of dry air, so
/// x = r / (r + ε) with ε = M_w / M_d.
@inline(__always) public func waterVapourMoleFraction(mixingRatio r: Double) -> Double {
    r / (r + MolarMass.water / MolarMass.dryAir)
}
