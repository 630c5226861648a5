import Foundation

/// The model's vertical layers: interface heights above ground (m), from 0 at
/// the surface to the model top, and optionally the sigma-pressure interfaces
/// or the WRF eta levels they came from.
public struct VerticalLayers: Sendable, Equatable {
    /// Interface heights (m above ground), strictly increasing, first 0.
    public let interfaceHeights: [Double]
    /// Sigma interfaces (1 at the surface, decreasing) when the layers were
    /// given in sigma; nil for height-defined layers.
    public let sigmaInterfaces: [Double]?
    /// Model-top pressure (Pa) for sigma layers.
    public let topPressure: Double?
    /// For a domain made from WRF output (`rcas domain from-wrf`): the WRF
    /// eta values (`ZNW`) of the full levels that are this domain's layer
    /// interfaces, 1 at the ground first, one per interface. The WRF
    /// meteorology reader maps the file's levels onto the layers with them;
    /// `interfaceHeights` are then the domain-mean heights of those levels.
    public let wrfEtaInterfaces: [Double]?

    /// Layers from interface heights (m), optionally tied to WRF eta levels
    /// (one per interface).
    public init(interfaceHeights: [Double], wrfEtaInterfaces: [Double]? = nil) {
        precondition(interfaceHeights.count >= 2 && interfaceHeights[0] == 0, "need at least one layer starting at 0 m")
        precondition(wrfEtaInterfaces.map { $0.count == interfaceHeights.count } ?? true, "one eta value per interface")
        self.interfaceHeights = interfaceHeights
        self.wrfEtaInterfaces = wrfEtaInterfaces
        sigmaInterfaces = nil
        topPressure = nil
    }

    /// Layers from sigma-pressure interfaces, σ = (p - p_top)/(p_s - p_top),
    /// converted to heights with the US Standard Atmosphere (1976) for a
    /// surface pressure of 101 325 Pa.
    public init(sigmaInterfaces: [Double], topPressure: Double) {
        precondition(sigmaInterfaces.count >= 2 && sigmaInterfaces[0] == 1, "sigma must start at 1")
        self.sigmaInterfaces = sigmaInterfaces
        self.topPressure = topPressure
        wrfEtaInterfaces = nil
        interfaceHeights = sigmaInterfaces.map { σ in
            Self.standardAtmosphereHeight(pressure: topPressure + σ * (101_325 - topPressure))
        }
    }

    /// Number of layers.
    public var count: Int { interfaceHeights.count - 1 }
    /// Thickness of layer k (m).
    public func thickness(_ k: Int) -> Double { interfaceHeights[k + 1] - interfaceHeights[k] }
    /// Height of the middle of layer k (m).
    public func midHeight(_ k: Int) -> Double { (interfaceHeights[k] + interfaceHeights[k + 1]) / 2 }
    /// Model top (m).
    public var top: Double { interfaceHeights[count] }

    /// The layer holding height `z` (m above ground). Layers are half-open,
    /// [z_k, z_k+1): a height exactly on an interface belongs to the layer
    /// above it, except the model top, which belongs to the top layer.
    /// Nil below the ground or above the top.
    public func layer(containingHeight z: Double) -> Int? {
        guard z >= 0, z <= top, z.isFinite else { return nil }
        if z == top { return count - 1 }
        var low = 0, high = count
        while high - low > 1 {
            let mid = (low + high) / 2
            if interfaceHeights[mid] <= z { low = mid } else { high = mid }
        }
        return low
    }

    /// Geopotential height (m) of pressure `p` (Pa) in the US Standard
    /// Atmosphere 1976: troposphere lapse rate 6.5 K/km to 11 km, isothermal
    /// 216.65 K above (valid to 20 km, and used above it).
    public static func standardAtmosphereHeight(pressure p: Double) -> Double {
        let T0 = 288.15, L = 0.0065, g = 9.806_65, Rd = 287.053, p0 = 101_325.0, p11 = 22_632.06
        if p >= p11 { return T0 / L * (1 - pow(p / p0, L * Rd / g)) }
        return 11_000 + Rd * 216.65 / g * log(p11 / p)
    }
}
