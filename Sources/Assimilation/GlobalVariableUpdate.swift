extension ObservationSpaceUpdate {
    /// Applies the recorded serial EnSRF sequence to a few global state
    /// variables that belong to no column (e.g. the lateral-boundary biases:
    /// one number per domain edge). `values` holds every member,
    /// [variable][member]; `weights` ([variable][observation], nil: all 1)
    /// localizes each variable against each observation. For each observation
    /// j in batch order, with u_j its recorded simulated-observation
    /// perturbations and d_j, α_j, y_j − H x̄_j from the sweep:
    ///     K_v = ρ_vj X'_v · u_j / ((N − 1) d_j),  x̄_v += K_v (y_j − H x̄_j),  X'_v −= α_j K_v u_jᵀ
    /// (Whitaker and Hamill 2002; the update `SerialEnSRF` applies to a
    /// column). Every rank holding the same record and values computes the
    /// same numbers, so the result does not depend on the rank count.
    public func applyGlobal(to values: inout [Double], variableCount nv: Int, weights: [Double]? = nil) {
        let n = innovations.count
        precondition(weights == nil || weights!.count == nv * n, "weights must be [variable][observation]")
        let members = memberCount
        precondition(values.count == nv * members, "global variables must be [variable][member] for all members")
        let nm1 = Double(members - 1)
        var mean = [Double](repeating: 0, count: nv)
        var perturbation = [Double](repeating: 0, count: nv * members)
        for v in 0..<nv {
            var sum = 0.0
            for m in 0..<members { sum += values[v * members + m] }
            mean[v] = sum / Double(members)
            for m in 0..<members { perturbation[v * members + m] = values[v * members + m] - mean[v] }
        }
        var gain = [Double](repeating: 0, count: nv)
        for j in innovations.indices {
            let u = j * members
            for v in 0..<nv {
                var covariance = 0.0
                for m in 0..<members { covariance += perturbation[v * members + m] * perturbations[u + m] }
                gain[v] = (weights?[v * n + j] ?? 1) * covariance / (nm1 * innovationVariances[j])
                mean[v] += gain[v] * innovations[j]
            }
            for v in 0..<nv {
                let step = squareRootFactors[j] * gain[v]
                for m in 0..<members { perturbation[v * members + m] -= step * perturbations[u + m] }
            }
        }
        // A variable no observation reaches is left bit-for-bit as it is.
        let reached = (0..<nv).map { v in weights.map { w in (0..<n).contains { w[v * n + $0] != 0 } } ?? (n > 0) }
        for v in 0..<nv where reached[v] {
            for m in 0..<members { values[v * members + m] = mean[v] + perturbation[v * members + m] }
        }
    }
}
