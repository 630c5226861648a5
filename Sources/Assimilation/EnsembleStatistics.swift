extension ColumnEnsemble {
    /// Ensemble mean of variable `v` in every local column (needs all members).
    public func mean(variable v: Int) -> [Double] {
        columns.indices.map { c in
            var sum = 0.0
            for m in members { sum += self[column: c, variable: v, member: m] }
            return sum / Double(members.count)
        }
    }

    /// Ensemble spread (sample standard deviation, N − 1) of variable `v` in
    /// every local column (needs all members).
    public func spread(variable v: Int) -> [Double] {
        let means = mean(variable: v)
        return columns.indices.map { c in
            var ss = 0.0
            for m in members {
                let e = self[column: c, variable: v, member: m] - means[c]
                ss += e * e
            }
            return (ss / Double(members.count - 1)).squareRoot()
        }
    }
}

/// Uncertainty reduction in percent, Jiang2021 Eq. 19: UR = (1 − σ_posterior / σ_prior) × 100.
public func uncertaintyReduction(priorSpread: Double, posteriorSpread: Double) -> Double {
    (1 - posteriorSpread / priorSpread) * 100
}
