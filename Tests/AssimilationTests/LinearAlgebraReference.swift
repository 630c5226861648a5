import Assimilation
import CBLAS
import RandomStreams

/// Dense reference computations with BLAS/LAPACK for checking the filter.
enum Reference {
    /// Row-major n x N matrix of standard normal numbers keyed by (tag, row, member).
    static func normals(rows: Int, columns: Int, seed: UInt64, tag: Int) -> [Double] {
        (0..<(rows * columns)).map { KeyedRandom(seed: seed, stream: "tests").normal(tag, $0 / columns, $0 % columns) }
    }

    /// y = A x for row-major A (m x n).
    static func multiply(_ a: [Double], _ x: [Double], rows m: Int, columns n: Int) -> [Double] {
        var y = [Double](repeating: 0, count: m)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(n), 1, a, Int32(n), x, 1, 0, &y, 1)
        return y
    }

    /// C = A B (row-major, A m x k, B k x n).
    static func multiply(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int, transposeB: Bool = false) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k),
                    1, a, Int32(k), b, transposeB ? Int32(k) : Int32(n), 0, &c, Int32(n))
        return c
    }

    /// Sample mean and covariance (N - 1) of an ensemble given as [variable][member].
    static func moments(_ ensemble: [Double], variables n: Int, members: Int) -> (mean: [Double], covariance: [Double]) {
        var mean = [Double](repeating: 0, count: n)
        for v in 0..<n { for m in 0..<members { mean[v] += ensemble[v * members + m] }; mean[v] /= Double(members) }
        var anomalies = ensemble
        for v in 0..<n { for m in 0..<members { anomalies[v * members + m] -= mean[v] } }
        var covariance = [Double](repeating: 0, count: n * n)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(n), Int32(members), 1 / Double(members - 1),
                    anomalies, Int32(members), 0, &covariance, Int32(n))
        for i in 0..<n { for j in 0..<i { covariance[i * n + j] = covariance[j * n + i] } }
        return (mean, covariance)
    }

    /// Kalman filter update of (mean, covariance) with linear H (p x n, row-major)
    /// and diagonal R: K = P H^T (H P H^T + R)^-1 by a Cholesky solve (LAPACKE_dposv).
    static func kalmanUpdate(mean: [Double], covariance p: [Double], h: [Double], r: [Double], y: [Double])
        -> (mean: [Double], covariance: [Double]) {
        let n = mean.count, q = y.count
        let hp = multiply(h, p, m: q, k: n, n: n)                       // H P (q x n)
        var s = multiply(hp, h, m: q, k: n, n: q, transposeB: true)      // H P H^T
        for i in 0..<q { s[i * q + i] += r[i] }
        // Solve S [Kᵀ | w] = [H P | y − H x̄]: Kᵀ = S⁻¹ H P, w = S⁻¹ (y − H x̄).
        let innovation = zip(y, multiply(h, mean, rows: q, columns: n)).map { $0 - $1 }
        var rhs = [Double](repeating: 0, count: q * (n + 1))
        for i in 0..<q {
            for j in 0..<n { rhs[i * (n + 1) + j] = hp[i * n + j] }
            rhs[i * (n + 1) + n] = innovation[i]
        }
        let info = LAPACKE_dposv(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int32(q), Int32(n + 1), &s, Int32(q),
                                 &rhs, Int32(n + 1))
        precondition(info == 0, "dposv failed: \(info)")
        var newMean = mean
        var newCovariance = p
        for i in 0..<n {
            for k in 0..<q { newMean[i] += hp[k * n + i] * rhs[k * (n + 1) + n] }  // (P Hᵀ) S⁻¹ d
        }
        // P^a = P − (H P)ᵀ S⁻¹ (H P)
        var kt = [Double](repeating: 0, count: q * n)
        for i in 0..<q { for j in 0..<n { kt[i * n + j] = rhs[i * (n + 1) + j] } }
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(n), Int32(n), Int32(q), -1, hp, Int32(n), kt,
                    Int32(n), 1, &newCovariance, Int32(n))
        return (newMean, newCovariance)
    }

    /// max |a − b| / max |b|.
    static func relativeError(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        let scale = b.map(abs).max() ?? 1
        return zip(a, b).map { abs($0 - $1) }.max()! / scale
    }
}
