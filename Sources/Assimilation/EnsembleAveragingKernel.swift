import CBLAS

/// The diagonal of the averaging kernel K H estimated from a forecast and an
/// analysis ensemble of the same state, in the span of the forecast
/// anomalies (Docs/assimilation.md, "Information content").
///
/// For a Kalman analysis A = (I − K H) B, so K H = I − A B⁻¹. The ensemble
/// knows B only as P_f = X_f X_fᵀ (X_f: n × N anomalies) and A as P_a =
/// X_a X_aᵀ; in span(X_f) the estimate is
///     K H ≈ P_U − P_a P_f⁺,    P_U = U Uᵀ the projector onto span(X_f),
/// with the thin SVD X_f = U S Vᵀ taken from the N × N Gram matrix
/// G = X_fᵀ X_f = V S² Vᵀ (eigenvalues below `relativeTolerance` × the
/// largest dropped: rank r ≤ N − 1). Per element i
///     a_i = Σ_k U_ik² − Σ_k (X_a X_aᵀ U)_ik U_ik / s_k²,
/// where X_aᵀ U = (X_aᵀ X_f) V S⁻¹ needs only the cross-Gram X_aᵀ X_f. The
/// trace Σ_i a_i = r − tr(P_a P_f⁺) is the DOFS in the ensemble subspace.
/// A common scale of X_f and X_a (such as 1/√(N − 1)) cancels. When X_a
/// lies in span(X_f) with P_a = A of the sample P_f (an exact square-root
/// filter, no localization) and r = n, a_i is diag(K H) exactly.
public struct EnsembleAveragingKernel: Sendable, Equatable {
    /// a_i per element of the state, in the order of the rows given.
    public let diagonal: [Double]
    /// r: the eigenvalues of G kept.
    public let rank: Int

    /// The degrees of freedom for signal in the ensemble subspace, Σ_i a_i.
    public var trace: Double { diagonal.reduce(0, +) }

    /// The estimate from `forecast` X_f and `analysis` X_a, each n × N
    /// anomalies (members subtracted their mean), row-major (members fastest).
    /// `relativeTolerance` (default 1/N) drops the directions whose variance
    /// is below that share of the leading one: their sample covariances with
    /// the leading directions are sampling noise (relative error 1/√N of the
    /// leading standard deviation, against their own), which the 1/s_k² of
    /// P_f⁺ amplifies into per-element values of any size (Docs/assimilation.md).
    public init(forecast: [Double], analysis: [Double], members: Int, relativeTolerance: Double? = nil) {
        let N = members, n = forecast.count / max(1, members)
        precondition(forecast.count == n * N && analysis.count == n * N, "X_f and X_a must both be n x N")
        let (vectors, eigenvalues) = Self.gramEigenpairs(forecast, rows: n, members: N)
        let largest = eigenvalues.max() ?? 0, tolerance = relativeTolerance ?? 1 / Double(N)
        let kept = eigenvalues.indices.filter { eigenvalues[$0] > tolerance * largest && largest > 0 }
        rank = kept.count
        // Y = X_f V (so U = Y S⁻¹) and Z = X_a (X_aᵀ X_f) V (so X_a X_aᵀ U = Z S⁻¹).
        let y = Self.product(forecast, vectors, rows: n, inner: N, columns: N)
        let crossGram = Self.transposedProduct(analysis, forecast, rows: n, members: N)
        let z = Self.product(analysis, Self.product(crossGram, vectors, rows: N, inner: N, columns: N),
                             rows: n, inner: N, columns: N)
        // a_i = Σ_k U_ik² − (X_a X_aᵀ U)_ik U_ik / s_k² = Σ_k Y_ik (Y_ik − Z_ik / s_k²) / s_k².
        diagonal = (0..<n).map { i in
            var sum = 0.0
            for k in kept {
                let yik = y[i * N + k], lambda = eigenvalues[k]
                sum += yik * (yik - z[i * N + k] / lambda) / lambda
            }
            return sum
        }
    }

    /// V (N × N, eigenvectors in columns) and the eigenvalues S² of
    /// G = X_fᵀ X_f, ascending.
    private static func gramEigenpairs(_ x: [Double], rows n: Int, members N: Int) -> (vectors: [Double], values: [Double]) {
        var gram = [Double](repeating: 0, count: N * N)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(N), Int32(n), 1, x, Int32(N), 0, &gram, Int32(N))
        var values = [Double](repeating: 0, count: N)
        let info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")), Int32(N), &gram,
                                 Int32(N), &values)
        precondition(info == 0, "dsyev of the ensemble Gram matrix failed (info \(info))")
        return (gram, values)
    }

    /// A B for row-major A (rows × inner) and B (inner × columns).
    private static func product(_ a: [Double], _ b: [Double], rows: Int, inner: Int, columns: Int) -> [Double] {
        var c = [Double](repeating: 0, count: rows * columns)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(rows), Int32(columns), Int32(inner), 1, a, Int32(inner),
                    b, Int32(columns), 0, &c, Int32(columns))
        return c
    }

    /// Aᵀ B (N × N) for row-major A and B (n × N each).
    private static func transposedProduct(_ a: [Double], _ b: [Double], rows n: Int, members N: Int) -> [Double] {
        var c = [Double](repeating: 0, count: N * N)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(N), Int32(N), Int32(n), 1, a, Int32(N), b, Int32(N), 0,
                    &c, Int32(N))
        return c
    }
}
