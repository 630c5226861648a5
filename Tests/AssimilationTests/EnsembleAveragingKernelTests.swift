import Assimilation
import CBLAS
import RandomStreams
import Testing

/// The ensemble averaging kernel against K H computed directly: with N − 1 ≥ n
/// the forecast anomalies span the state, and an exact square-root analysis of
/// the sample covariance must give diag(K H) to round-off.
struct EnsembleAveragingKernelTests {
    static let n = 5, N = 9, p = 3

    /// Centred forecast anomalies X_f (n × N) with different variances per row.
    static func forecastAnomalies(seed: UInt64) -> [Double] {
        var x = Reference.normals(rows: n, columns: N, seed: seed, tag: 11)
        for i in 0..<n {
            let row = (0..<N).map { x[i * N + $0] * Double(i + 1) }
            let mean = row.reduce(0, +) / Double(N)
            for m in 0..<N { x[i * N + m] = row[m] - mean }
        }
        return x
    }

    /// The symmetric square root T = (I + Yᵀ R⁻¹ Y)^(-1/2), Y = H X_f: X_a = X_f T
    /// has X_a X_aᵀ = X_f (I + Yᵀ R⁻¹ Y)⁻¹ X_fᵀ = A (Woodbury), and T 1 = 1
    /// keeps the anomalies centred (the ETKF's transform).
    static func squareRootTransform(y: [Double], r: [Double]) -> [Double] {
        var m = [Double](repeating: 0, count: N * N)
        for a in 0..<N {
            for b in 0..<N {
                m[a * N + b] = (a == b ? 1 : 0) + (0..<p).reduce(0) { $0 + y[$1 * N + a] * y[$1 * N + b] / r[$1] }
            }
        }
        var values = [Double](repeating: 0, count: N)
        let info = LAPACKE_dsyev(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "V")), Int8(UInt8(ascii: "U")), Int32(N), &m, Int32(N),
                                 &values)
        precondition(info == 0)
        var t = [Double](repeating: 0, count: N * N)
        for a in 0..<N {
            for b in 0..<N {
                t[a * N + b] = (0..<N).reduce(0) { $0 + m[a * N + $1] * m[b * N + $1] / values[$1].squareRoot() }
            }
        }
        return t
    }

    /// diag(K H) with K = B Hᵀ (H B Hᵀ + R)⁻¹ and B = X_f X_fᵀ.
    static func exactDiagonal(x: [Double], h: [Double], r: [Double]) -> [Double] {
        let b = Reference.multiply(x, x, m: n, k: N, n: n, transposeB: true)
        var hb = Reference.multiply(h, b, m: p, k: n, n: n)                 // H B (p × n)
        var s = Reference.multiply(hb, h, m: p, k: n, n: p, transposeB: true) // H B Hᵀ
        for o in 0..<p { s[o * p + o] += r[o] }
        // S Kᵀ = H B gives Kᵀ (p × n); diag(K H)_i = Σ_o K_io H_oi.
        let info = LAPACKE_dposv(LAPACK_ROW_MAJOR, Int8(UInt8(ascii: "U")), Int32(p), Int32(n), &s, Int32(p), &hb, Int32(n))
        precondition(info == 0)
        return (0..<n).map { i in (0..<p).reduce(0) { $0 + hb[$1 * n + i] * h[$1 * n + i] } }
    }

    @Test(arguments: [UInt64(1), 2, 3])
    func matchesTheExactAveragingKernelWhenTheEnsembleSpansTheState(seed: UInt64) {
        let x = Self.forecastAnomalies(seed: seed)
        let h = Reference.normals(rows: Self.p, columns: Self.n, seed: seed, tag: 12)
        let r = (0..<Self.p).map { 0.2 + KeyedRandom(seed: seed, stream: "tests").uniform(13, $0) }
        let y = Reference.multiply(h, x, m: Self.p, k: Self.n, n: Self.N)
        let analysis = Reference.multiply(x, Self.squareRootTransform(y: y, r: r), m: Self.n, k: Self.N, n: Self.N)
        let kernel = EnsembleAveragingKernel(forecast: x, analysis: analysis, members: Self.N, relativeTolerance: 1e-12)
        let exact = Self.exactDiagonal(x: x, h: h, r: r)
        #expect(kernel.rank == Self.n)
        #expect(exact.contains { $0 > 0.05 }, "the observations must resolve something for the test to mean anything")
        for (estimate, truth) in zip(kernel.diagonal, exact) {
            #expect(abs(estimate - truth) < 1e-12, "a_i \(estimate) against diag(K H) \(truth)")
        }
        #expect(abs(kernel.trace - exact.reduce(0, +)) < 1e-12)
    }

    /// In a subspace of rank r < n: no observation (X_a = X_f) leaves nothing
    /// resolved, a perfect one (X_a = 0) resolves the whole subspace (trace r).
    @Test func spansNothingToTheWholeSubspace() {
        let members = 4, x = Self.forecastAnomalies(seed: 7).enumerated().filter { $0.offset % Self.N < members }.map(\.element)
        let centred = (0..<Self.n).flatMap { i -> [Double] in
            let row = Array(x[(i * members)..<((i + 1) * members)]), mean = row.reduce(0, +) / Double(members)
            return row.map { $0 - mean }
        }
        let none = EnsembleAveragingKernel(forecast: centred, analysis: centred, members: members, relativeTolerance: 1e-12)
        let perfect = EnsembleAveragingKernel(forecast: centred, analysis: centred.map { _ in 0 }, members: members,
                                              relativeTolerance: 1e-12)
        #expect(none.rank == members - 1 && perfect.rank == members - 1)
        #expect(none.diagonal.allSatisfy { abs($0) < 1e-12 })
        #expect(abs(perfect.trace - Double(members - 1)) < 1e-12)
        #expect(perfect.diagonal.allSatisfy { $0 > -1e-12 && $0 < 1 + 1e-12 })
    }
}
