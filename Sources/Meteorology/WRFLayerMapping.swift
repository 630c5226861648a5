import Geometry

/// How WRF's terrain-following levels become the domain's layers
/// (Docs/meteorology.md, "Vertical levels"). Each RCAS layer l is the stack
/// of WRF mass levels `interfaceLevels[l] ..< interfaceLevels[l + 1]` (full
/// levels, 0 = the ground); with every level kept, one WRF level per layer.
///
/// RCAS layers have fixed nominal thicknesses Δz_l (``VerticalLayers``) while
/// WRF's levels move with terrain and weather. The mapping keeps WRF's air
/// content exactly: a WRF level holds c_k = n_k Δz_k moles of air per m²
/// (n_k = p_k / (R* T_k) at the mass level, Δz_k between its full levels from
/// `PH + PHB`), and the layer's air molar density is set to
/// n_l = Σ c_k / Δz_l, so the transport's cell air n_l A Δz_l is the WRF
/// layer's air. Temperature, pressure and water vapour are air-weighted means
/// (Σ c_k q_k / Σ c_k; for the mole fraction that is exactly the layer's
/// vapour over its air). Face winds are weighted by the face air
/// c^f_k = (c_k(west) + c_k(east)) / 2 (the inner cell on the domain edge),
/// u_l = Σ c^f_k u_k / Σ c^f_k: with the transport's face flux
/// n̄ u L Δz = (½ Σ c(west) + ½ Σ c(east)) u_l L, the layer's flux is the sum
/// of the WRF levels' fluxes computed the same way.
struct WRFLayerMapping: Sendable, Equatable {
    /// WRF full-level indices of the layer interfaces, 0 first, increasing.
    let interfaceLevels: [Int]
    /// WRF mass levels.
    let levels: Int

    var layerCount: Int { interfaceLevels.count - 1 }

    /// The mapping for `layers` from the eta values of WRF's full levels
    /// (`ZNW`, 1 at the ground): each of the domain's ``VerticalLayers/wrfEtaInterfaces``
    /// must be one of them (within 1e-5). The mapping, or why there is none.
    static func make(layers: VerticalLayers, fullLevelEta eta: [Double]) -> Result<WRFLayerMapping, MappingError> {
        guard let wanted = layers.wrfEtaInterfaces else { return .failure(.domainWithoutEta) }
        var indices: [Int] = []
        for value in wanted {
            guard let k = eta.indices.min(by: { abs(eta[$0] - value) < abs(eta[$1] - value) }),
                  abs(eta[k] - value) <= 1e-5 else { return .failure(.missingLevel(value)) }
            indices.append(k)
        }
        guard indices.first == 0, zip(indices, indices.dropFirst()).allSatisfy({ $0 < $1 }) else {
            return .failure(.notIncreasing(indices))
        }
        return .success(WRFLayerMapping(interfaceLevels: indices, levels: eta.count - 1))
    }

    enum MappingError: Error, Equatable {
        case domainWithoutEta
        case missingLevel(Double)
        case notIncreasing([Int])
    }

    /// One column's WRF levels (mass levels bottom first; `air` in mol m-2).
    struct Column {
        var air: [Double]
        var temperature: [Double]
        var pressure: [Double]
        var waterVapour: [Double]
    }

    /// Air-weighted layer means of a column: per layer its air (mol m-2),
    /// temperature, pressure and water-vapour mole fraction.
    func layers(of column: Column) -> (air: [Double], temperature: [Double], pressure: [Double], waterVapour: [Double]) {
        var air = [Double](repeating: 0, count: layerCount)
        var temperature = air, pressure = air, water = air
        for l in 0..<layerCount {
            var c = 0.0, t = 0.0, p = 0.0, q = 0.0
            for k in interfaceLevels[l]..<interfaceLevels[l + 1] {
                let a = column.air[k]
                c += a
                t += a * column.temperature[k]
                p += a * column.pressure[k]
                q += a * column.waterVapour[k]
            }
            air[l] = c
            temperature[l] = t / c
            pressure[l] = p / c
            water[l] = q / c
        }
        return (air, temperature, pressure, water)
    }

    /// The layer winds of one face: `faceAir[k]` the air of WRF level k at
    /// the face (mean of the two cells), `wind[k]` WRF's wind there.
    func layerWinds(faceAir: [Double], wind: [Double]) -> [Double] {
        (0..<layerCount).map { l in
            var c = 0.0, flux = 0.0
            for k in interfaceLevels[l]..<interfaceLevels[l + 1] {
                c += faceAir[k]
                flux += faceAir[k] * wind[k]
            }
            return flux / c
        }
    }
}
