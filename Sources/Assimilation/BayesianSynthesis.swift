import CBLAS

/// A linear-Gaussian inversion y = c0 + H x + ε (InversionSlides: c = G f + A c0 + ε)
/// with prior x ~ N(x^b, B) and ε ~ N(0, R), R diagonal.
public struct SynthesisProblem: Sendable {
    /// m.
    public let observationCount: Int
    /// n.
    public let basisCount: Int
    /// H, row-major m x n (ppm per unit coefficient).
    public let jacobian: [Double]
    /// The diagonal of R (ppm²).
    public let errorVariances: [Double]
    /// d = y − c0 − H x^b (ppm).
    public let departures: [Double]
    /// B.
    public let prior: BlockCovariance

    public init(jacobian: [Double], observationCount: Int, basisCount: Int, errorVariances: [Double],
                departures: [Double], prior: BlockCovariance) throws(SynthesisError) {
        let m = observationCount, n = basisCount
        guard m >= 1, n >= 1 else { throw .invalidProblem("\(m) observations and \(n) basis functions: nothing to solve") }
        guard jacobian.count == m * n else { throw .invalidProblem("H has \(jacobian.count) values, not \(m) x \(n)") }
        guard errorVariances.count == m, departures.count == m else {
            throw .invalidProblem("\(errorVariances.count) error variances and \(departures.count) departures for \(m) observations")
        }
        guard prior.dimension == n else { throw .invalidProblem("B is \(prior.dimension) x \(prior.dimension), H has \(n) columns") }
        if let bad = jacobian.firstIndex(where: { !$0.isFinite }) {
            throw .invalidProblem("H(\(bad / n), \(bad % n)) is \(jacobian[bad])")
        }
        if let bad = errorVariances.firstIndex(where: { !($0 > 0 && $0.isFinite) }) {
            throw .invalidProblem("observation \(bad) has error variance \(errorVariances[bad]); R must be positive")
        }
        if let bad = departures.firstIndex(where: { !$0.isFinite }) {
            throw .invalidProblem("observation \(bad) has departure \(departures[bad])")
        }
        guard max(m, n) < Int(Int32.max) else { throw .tooLarge("\(m) x \(n) exceeds the 32-bit LAPACK interface") }
        self.observationCount = m
        self.basisCount = n
        self.jacobian = jacobian
        self.errorVariances = errorVariances
        self.departures = departures
        self.prior = prior
    }
}

/// The posterior of a ``SynthesisProblem``.
public struct SynthesisSolution: Sendable {
    /// Which algebraically equal form computed it.
    public enum Form: String, Sendable, CaseIterable {
        /// K = B Hᵀ (H B Hᵀ + R)⁻¹: an m x m Cholesky (fewer observations than coefficients).
        case observationSpace = "observation-space"
        /// A = F (I + Fᵀ Hᵀ R⁻¹ H F)⁻¹ Fᵀ with B = F Fᵀ: an r x r Cholesky, r = rank B ≤ n.
        case stateSpace = "state-space"
    }

    public let form: Form
    /// x̂ − x^b, n.
    public let increment: [Double]
    /// A, row-major n x n.
    public let posteriorCovariance: [Double]
    /// The diagonal of the averaging kernel K H = I − A B⁻¹ (Rodgers 2000
    /// Eq. 3.10; IMI 2.0, Estrada et al. 2025): how much of the truth's
    /// coefficient f the posterior recovers, 0 to 1.
    public let averagingKernelDiagonal: [Double]

    /// The degrees of freedom for signal, tr(K H) (Rodgers 2000 Eq. 2.80):
    /// how many independent pieces of the state the observations constrain.
    public var degreesOfFreedomForSignal: Double { averagingKernelDiagonal.reduce(0, +) }

    /// Σ_f (1 − A_ff / B_ff) over the coefficients with B_ff > 0: the
    /// variance-reduction proxy of the DOFS that an ensemble can estimate
    /// from its spreads alone (equal to tr(K H) for a diagonal B).
    public func varianceReductionSum(prior: BlockCovariance) -> Double {
        let n = increment.count
        return (0..<n).reduce(0) { sum, f in
            let b = prior.variance(f)
            return b > 0 ? sum + 1 - posteriorCovariance[f * n + f] / b : sum
        }
    }

    /// wᵀ A w: the posterior variance of the linear function wᵀ x (a regional total).
    public func posteriorVariance(of w: [Double]) -> Double {
        let n = increment.count
        precondition(w.count == n, "one weight per coefficient")
        var aw = [Double](repeating: 0, count: n)
        cblas_dsymv(CblasRowMajor, CblasUpper, Int32(n), 1, posteriorCovariance, Int32(n), w, 1, 0, &aw, 1)
        return zip(w, aw).reduce(0) { $0 + $1.0 * $1.1 }
    }
}

/// The Bayesian synthesis inversion (InversionSlides; SCIENCE.md §9):
///
///     x̂ = x^b + B Hᵀ (H B Hᵀ + R)⁻¹ d,     A = B − B Hᵀ (H B Hᵀ + R)⁻¹ H B,
///
/// d = y − c0 − H x^b. Both forms factor only matrices bounded below by a
/// well-conditioned one (H B Hᵀ + R ≥ R; I + Fᵀ Hᵀ R⁻¹ H F ≥ I), with
/// Cholesky (dpotrf) and triangular solves, never an explicit inverse, and
/// neither needs B⁻¹ (B may be singular: a correlation matrix with a long
/// length scale is numerically so). The state-space form factors B by
/// pivoted Cholesky (dpstrf), which stops at its numerical rank.
/// The BLAS runs on one thread, so the result does not depend on the
/// machine's thread count or the number of MPI ranks.
public enum BayesianSynthesis {
    /// Solves `problem` in `form`; nil takes the observation-space form when
    /// m < n and the state-space form otherwise.
    public static func solve(_ problem: SynthesisProblem,
                             form: SynthesisSolution.Form? = nil) throws(SynthesisError) -> SynthesisSolution {
        openblas_set_num_threads(1)
        let chosen = form ?? (problem.observationCount < problem.basisCount ? .observationSpace : .stateSpace)
        switch chosen {
        case .observationSpace: return try observationSpace(problem)
        case .stateSpace: return try stateSpace(problem)
        }
    }

    /// B Hᵀ (n x m, row-major) block by block.
    static func priorTimesJacobianTransposed(_ p: SynthesisProblem) -> [Double] {
        let m = p.observationCount, n = p.basisCount
        var result = [Double](repeating: 0, count: n * m)
        for block in p.prior.blocks {
            let s = block.indices.count
            // Hᵀ rows of the block: (s x m).
            var jacobianRows = [Double](repeating: 0, count: s * m)
            for (a, i) in block.indices.enumerated() {
                for o in 0..<m { jacobianRows[a * m + o] = p.jacobian[o * n + i] }
            }
            var product = [Double](repeating: 0, count: s * m)
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(s), Int32(m), Int32(s), 1, block.matrix,
                        Int32(s), jacobianRows, Int32(m), 0, &product, Int32(m))
            for (a, i) in block.indices.enumerated() {
                for o in 0..<m { result[i * m + o] = product[a * m + o] }
            }
        }
        return result
    }

    static func observationSpace(_ p: SynthesisProblem) throws(SynthesisError) -> SynthesisSolution {
        let m = p.observationCount, n = p.basisCount
        let bht = priorTimesJacobianTransposed(p)
        // S = H (B Hᵀ) + R, m x m; only its lower triangle is read.
        var s = [Double](repeating: 0, count: m * m)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(m), Int32(n), 1, p.jacobian, Int32(n),
                    bht, Int32(m), 0, &s, Int32(m))
        for o in 0..<m { s[o * m + o] += p.errorVariances[o] }
        let info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, lower, Int32(m), &s, Int32(m))
        guard info == 0 else { throw .notPositiveDefinite(matrix: "H B Hᵀ + R", info: Int(info)) }
        // x̂ − x^b = B Hᵀ S⁻¹ d.
        var z = p.departures
        _ = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, lower, Int32(m), 1, s, Int32(m), &z, 1)
        var increment = [Double](repeating: 0, count: n)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(m), 1, bht, Int32(m), z, 1, 0, &increment, 1)
        // W = L⁻¹ H B (m x n, S = L Lᵀ); A = B − Wᵀ W.
        var w = [Double](repeating: 0, count: m * n)
        for i in 0..<n { for o in 0..<m { w[o * n + i] = bht[i * m + o] } }
        cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(m), Int32(n), 1, s, Int32(m),
                    &w, Int32(n))
        var a = p.prior.dense()
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(m), -1, w, Int32(n), 1, &a, Int32(n))
        mirrorUpper(&a, n)
        // K H = B Hᵀ S⁻¹ H = Wᵀ V with V = L⁻¹ H: diag(K H)_i = Σ_o W[o, i] V[o, i].
        var v = p.jacobian
        cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(m), Int32(n), 1, s, Int32(m),
                    &v, Int32(n))
        var kernel = [Double](repeating: 0, count: n)
        for o in 0..<m { for i in 0..<n { kernel[i] += w[o * n + i] * v[o * n + i] } }
        return SynthesisSolution(form: .observationSpace, increment: increment, posteriorCovariance: a,
                                 averagingKernelDiagonal: kernel)
    }

    static func stateSpace(_ p: SynthesisProblem) throws(SynthesisError) -> SynthesisSolution {
        let m = p.observationCount, n = p.basisCount
        let factor = try priorFactor(p.prior)
        let r = factor.rank, f = factor.matrix
        guard r > 0 else {
            return SynthesisSolution(form: .stateSpace, increment: [Double](repeating: 0, count: n),
                                     posteriorCovariance: [Double](repeating: 0, count: n * n),
                                     averagingKernelDiagonal: [Double](repeating: 0, count: n))
        }
        // G = R^(-1/2) H, d̃ = R^(-1/2) d, GF = G F (m x r).
        var g = p.jacobian
        var whitened = p.departures
        for o in 0..<m {
            let scale = 1 / p.errorVariances[o].squareRoot()
            for i in 0..<n { g[o * n + i] *= scale }
            whitened[o] *= scale
        }
        var gf = [Double](repeating: 0, count: m * r)
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(r), Int32(n), 1, g, Int32(n), f, Int32(r),
                    0, &gf, Int32(r))
        // M = I + (GF)ᵀ GF, r x r, lower triangle.
        var mMatrix = [Double](repeating: 0, count: r * r)
        for i in 0..<r { mMatrix[i * r + i] = 1 }
        cblas_dsyrk(CblasRowMajor, CblasLower, CblasTrans, Int32(r), Int32(m), 1, gf, Int32(r), 1, &mMatrix, Int32(r))
        let info = LAPACKE_dpotrf(LAPACK_ROW_MAJOR, lower, Int32(r), &mMatrix, Int32(r))
        guard info == 0 else { throw .notPositiveDefinite(matrix: "I + Fᵀ Hᵀ R⁻¹ H F", info: Int(info)) }
        // x̂ − x^b = F M⁻¹ (GF)ᵀ d̃.
        var v = [Double](repeating: 0, count: r)
        cblas_dgemv(CblasRowMajor, CblasTrans, Int32(m), Int32(r), 1, gf, Int32(r), whitened, 1, 0, &v, 1)
        _ = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, lower, Int32(r), 1, mMatrix, Int32(r), &v, 1)
        var increment = [Double](repeating: 0, count: n)
        cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(r), 1, f, Int32(r), v, 1, 0, &increment, 1)
        // V = L_M⁻¹ Fᵀ (r x n); A = Vᵀ V.
        var vt = [Double](repeating: 0, count: r * n)
        for i in 0..<n { for k in 0..<r { vt[k * n + i] = f[i * r + k] } }
        cblas_dtrsm(CblasRowMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, Int32(r), Int32(n), 1, mMatrix,
                    Int32(r), &vt, Int32(n))
        var a = [Double](repeating: 0, count: n * n)
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, Int32(n), Int32(r), 1, vt, Int32(n), 0, &a, Int32(n))
        mirrorUpper(&a, n)
        // K H = F M⁻¹ (G F)ᵀ G (K = A Hᵀ R⁻¹, A = F M⁻¹ Fᵀ): Y = M⁻¹ (G F)ᵀ G (r x n),
        // diag(K H)_i = Σ_k F[i, k] Y[k, i].
        var y = [Double](repeating: 0, count: r * n)
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(r), Int32(n), Int32(m), 1, gf, Int32(r), g, Int32(n),
                    0, &y, Int32(n))
        _ = LAPACKE_dpotrs(LAPACK_ROW_MAJOR, lower, Int32(r), Int32(n), mMatrix, Int32(r), &y, Int32(n))
        var kernel = [Double](repeating: 0, count: n)
        for i in 0..<n { for k in 0..<r { kernel[i] += f[i * r + k] * y[k * n + i] } }
        return SynthesisSolution(form: .stateSpace, increment: increment, posteriorCovariance: a,
                                 averagingKernelDiagonal: kernel)
    }

    /// F (n x r, row-major) with B = F Fᵀ, block by block by pivoted
    /// Cholesky (dpstrf, LAPACK's default tolerance n ε max Bii): Pᵀ B_b P =
    /// L Lᵀ, so F_b = P L[:, 0..<rank].
    static func priorFactor(_ b: BlockCovariance) throws(SynthesisError) -> (matrix: [Double], rank: Int) {
        var pieces: [(indices: [Int], pivots: [Int32], lower: [Double], size: Int, rank: Int)] = []
        for block in b.blocks {
            let s = block.indices.count
            var lowerFactor = block.matrix
            var pivots = [Int32](repeating: 0, count: s)
            var rank: Int32 = 0
            let info = LAPACKE_dpstrf(LAPACK_ROW_MAJOR, lower, Int32(s), &lowerFactor, Int32(s), &pivots, &rank, -1)
            guard info >= 0 else { throw .invalidProblem("dpstrf rejected covariance block of size \(s) (info \(info))") }
            pieces.append((block.indices, pivots, lowerFactor, s, Int(rank)))
        }
        let total = pieces.reduce(0) { $0 + $1.rank }
        var f = [Double](repeating: 0, count: b.dimension * total)
        var column = 0
        for piece in pieces {
            let s = piece.size
            for row in 0..<s {
                // Row `row` of L belongs to the block's variable pivots[row] − 1.
                let variable = piece.indices[Int(piece.pivots[row]) - 1]
                for k in 0..<min(row + 1, piece.rank) { f[variable * total + column + k] = piece.lower[row * s + k] }
            }
            column += piece.rank
        }
        return (f, total)
    }

    static let lower = Int8(UInt8(ascii: "L"))

    /// Copies the upper triangle of a row-major n x n matrix to the lower.
    static func mirrorUpper(_ a: inout [Double], _ n: Int) {
        for i in 0..<n { for j in 0..<i { a[i * n + j] = a[j * n + i] } }
    }
}
