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
/// of the WRF levels' fluxes computed the same way. Kz and w at an interface
/// are WRF's at that full level.
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

    /// Per layer the sum of `weights` over its WRF levels, at `points` only
    /// (the others stay 0). Fields are level-major: value k of point c at
    /// `k * count + c`; the result is `l * count + c`.
    func layerSums(_ weights: [Double], count: Int, points: [Int]) -> [Double] {
        var sums = [Double](repeating: 0, count: layerCount * count)
        sums.withUnsafeMutableBufferPointer { sums in
            weights.withUnsafeBufferPointer { weights in
                for l in 0..<layerCount {
                    for k in interfaceLevels[l]..<interfaceLevels[l + 1] {
                        for c in points { sums[l * count + c] += weights[k * count + c] }
                    }
                }
            }
        }
        return sums
    }

    /// Per layer the `weights`-weighted mean of `values` over its WRF levels,
    /// Σ w_k v_k / Σ w_k, at `points` only (the others stay 0), with `sums` =
    /// ``layerSums(_:count:points:)`` of the weights.
    func layerMeans(_ values: [Double], weights: [Double], sums: [Double], count: Int, points: [Int]) -> [Double] {
        var means = [Double](repeating: 0, count: layerCount * count)
        means.withUnsafeMutableBufferPointer { means in
            values.withUnsafeBufferPointer { values in
                weights.withUnsafeBufferPointer { weights in
                    for l in 0..<layerCount {
                        for k in interfaceLevels[l]..<interfaceLevels[l + 1] {
                            for c in points { means[l * count + c] += weights[k * count + c] * values[k * count + c] }
                        }
                        for c in points { means[l * count + c] /= sums[l * count + c] }
                    }
                }
            }
        }
        return means
    }

    /// The levels of each interface's field `values` (full levels, level-major).
    func interfaceValues(_ values: [Double], count: Int) -> [Double] {
        interfaceLevels.flatMap { k in values[(k * count)..<((k + 1) * count)] }
    }
}
