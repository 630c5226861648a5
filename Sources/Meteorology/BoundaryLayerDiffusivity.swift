import Foundation

/// The K-profile κ w z (1 − z/h)² (m2 s-1) of O'Brien (1970) as used by
/// Troen & Mahrt (1986), Holtslag & Boville (1993) and the YSU scheme (Hong
/// et al. 2006, eq. 2 with p = 2): height z and boundary-layer height h in
/// m, velocity scale w in m s-1. Shared by ``SyntheticMeteorology`` and
/// ``BoundaryLayerDiffusivity``.
@inline(__always) func kProfile(height z: Double, pblHeight h: Double, velocityScale w: Double) -> Double {
    WRFConstants.vonKarman * w * z * (1 - z / h) * (1 - z / h)
}

/// Eddy diffusivity for heat and tracers diagnosed from a column's
/// boundary-layer variables, for WRF output without `EXCH_H`
/// (Docs/meteorology.md, "Kz without EXCH_H"). A simplified YSU-type
/// nonlocal K-profile (Hong, Noh & Dudhia 2006, Mon. Wea. Rev. 134, 2318,
/// and WRF's `phys/module_bl_ysu.F`, whose constants are used):
///
/// - kinematic heat flux F = H / (ρ c_p), buoyancy flux B = (g / θ) F,
///   Obukhov length L = −u*³ / (κ B), convective velocity w*³ = B h (B > 0);
/// - inside the boundary layer (0 < z < h):
///   K_h = κ w_s z (1 − z/h)² / Pr,
///   unstable (B > 0): w_s = (u*³ + 8 κ w*³ z/h)^(1/3) and
///   Pr = φ_h/φ_m + 6.8 κ 0.1 = (1 − 16 ζ)^(−1/4) + 0.272 at ζ = 0.1 h / L,
///   clipped to [0.25, 4];
///   stable or neutral (B ≤ 0): w_s = u* / (1 + 5 z / L) (L = ∞ when B = 0), Pr = 1;
/// - K_h is at least ``background`` (also everywhere above h) and at most
///   1000 m2 s-1 (YSU's `xkzmax`).
///
/// What YSU has and this leaves out: the entrainment flux at the PBL top, the
/// height dependence of the Prandtl number, and the local-Richardson-number
/// mixing of the free troposphere (replaced by the constant background).
public struct BoundaryLayerDiffusivity: Sendable, Equatable {
    /// Kz (m2 s-1) above the boundary layer and the floor inside it.
    public let background: Double
    /// Upper bound of Kz (m2 s-1), YSU's `xkzmax`.
    public static let maximum = 1000.0
    /// The default background (m2 s-1).
    public static let defaultBackground = 0.1

    public init(background: Double = BoundaryLayerDiffusivity.defaultBackground) {
        self.background = background
    }

    /// The surface-layer state of one column.
    public struct Column: Sendable, Equatable {
        /// u* (m s-1), WRF `UST`.
        public var frictionVelocity: Double
        /// Upward sensible heat flux H (W m-2), WRF `HFX`.
        public var sensibleHeatFlux: Double
        /// Boundary-layer height h (m above ground), WRF `PBLH`.
        public var pblHeight: Double
        /// Potential temperature θ of the lowest model level (K).
        public var potentialTemperature: Double
        /// Air density ρ of the lowest model level (kg m-3).
        public var airDensity: Double

        public init(frictionVelocity: Double, sensibleHeatFlux: Double, pblHeight: Double,
                    potentialTemperature: Double, airDensity: Double) {
            self.frictionVelocity = frictionVelocity
            self.sensibleHeatFlux = sensibleHeatFlux
            self.pblHeight = pblHeight
            self.potentialTemperature = potentialTemperature
            self.airDensity = airDensity
        }
    }

    /// K_h (m2 s-1) at height `z` (m above ground, > 0) in `column`.
    public func kz(atHeight z: Double, column c: Column) -> Double {
        let h = c.pblHeight
        guard z > 0, z < h else { return background }
        let κ = WRFConstants.vonKarman
        let ustar = c.frictionVelocity, ustar3 = ustar * ustar * ustar
        // B = (g/θ) H/(ρ c_p)  (K m s-1 scaled to m2 s-3)
        let buoyancyFlux = WRFConstants.gravity / c.potentialTemperature
            * c.sensibleHeatFlux / (c.airDensity * WRFConstants.specificHeat)
        let velocityScale: Double, prandtl: Double
        if buoyancyFlux > 0 {
            let wstar3 = buoyancyFlux * h
            velocityScale = cbrt(ustar3 + 8 * κ * wstar3 * z / h)
            // ζ = 0.1 h / L with L = −u*³/(κ B); φ_h/φ_m = (1 − 16ζ)^(−1/4).
            let ζ = -0.1 * h * κ * buoyancyFlux / ustar3
            prandtl = min(max(pow(1 - 16 * ζ, -0.25) + 6.8 * κ * 0.1, 0.25), 4)
        } else {
            // 1 + 5 z/L with z/L = −z κ B / u*³ (≥ 0); u* = 0 leaves no turbulence.
            velocityScale = ustar > 0 ? ustar / (1 - 5 * z * κ * buoyancyFlux / ustar3) : 0
            prandtl = 1
        }
        let inside = kProfile(height: z, pblHeight: h, velocityScale: velocityScale) / prandtl
        return min(max(inside, background), Self.maximum)
    }
}
