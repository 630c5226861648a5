extension CorrelatedNoise {
    /// The exact correlation (= covariance: unit variance) of the field
    /// between two cells Δi = i₁ − i₂, Δj = j₁ − j₂ apart: the field is the
    /// white noise filtered by the kernel wx(a) wy(b), so
    ///
    ///     cov(f(i₁, j₁), f(i₂, j₂)) = ρx(Δi) ρy(Δj),   ρ(Δ) = Σ_a w(a) w(a + Δ),
    ///
    /// the kernel's autocorrelation (≈ exp(−d²/2L²), see the type's notes).
    /// This is the covariance a prior built from the same draws must use.
    public func correlation(di: Int, dj: Int) -> Double {
        Self.autocorrelation(weightsX, lag: di) * Self.autocorrelation(weightsY, lag: dj)
    }

    /// Σ_a w(a) w(a + lag) over the offsets where both exist.
    static func autocorrelation(_ w: [Double], lag: Int) -> Double {
        let m = abs(lag)
        guard m < w.count else { return 0 }
        var sum = 0.0
        for a in 0..<(w.count - m) { sum += w[a] * w[a + m] }
        return sum
    }
}
