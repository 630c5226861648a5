import Assimilation
import Testing

/// Small dense matrices in plain Swift, independent of BLAS and LAPACK: the
/// textbook formulas the synthesis solver must reproduce.
enum Textbook {
    /// Row-major product of a (p x q) and b (q x r).
    static func product(_ a: [Double], _ b: [Double], _ p: Int, _ q: Int, _ r: Int) -> [Double] {
        var c = [Double](repeating: 0, count: p * r)
        for i in 0..<p { for j in 0..<r { for k in 0..<q { c[i * r + j] += a[i * q + k] * b[k * r + j] } } }
        return c
    }

    static func transpose(_ a: [Double], _ p: Int, _ q: Int) -> [Double] {
        var t = [Double](repeating: 0, count: p * q)
        for i in 0..<p { for j in 0..<q { t[j * p + i] = a[i * q + j] } }
        return t
    }

    /// Inverse by Gauss-Jordan elimination with partial pivoting.
    static func inverse(_ a: [Double], _ n: Int) -> [Double] {
        var m = a, inv = [Double](repeating: 0, count: n * n)
        for i in 0..<n { inv[i * n + i] = 1 }
        for col in 0..<n {
            let pivot = (col..<n).max { abs(m[$0 * n + col]) < abs(m[$1 * n + col]) }!
            for k in 0..<n {
                m.swapAt(col * n + k, pivot * n + k)
                inv.swapAt(col * n + k, pivot * n + k)
            }
            let d = m[col * n + col]
            for k in 0..<n { m[col * n + k] /= d; inv[col * n + k] /= d }
            for row in 0..<n where row != col {
                let f = m[row * n + col]
                for k in 0..<n { m[row * n + k] -= f * m[col * n + k]; inv[row * n + k] -= f * inv[col * n + k] }
            }
        }
        return inv
    }

    /// x̂ = B Hᵀ (H B Hᵀ + R)⁻¹ d and A = B − B Hᵀ (H B Hᵀ + R)⁻¹ H B.
    static func posterior(h: [Double], b: [Double], r: [Double], d: [Double], m: Int, n: Int)
        -> (mean: [Double], covariance: [Double]) {
        let ht = transpose(h, m, n)
        let bht = product(b, ht, n, n, m)
        var s = product(h, bht, m, n, m)
        for o in 0..<m { s[o * m + o] += r[o] }
        let gain = product(bht, inverse(s, m), n, m, m)
        let mean = product(gain, d, n, m, 1)
        let khb = product(gain, transpose(bht, n, m), n, m, n)
        return (mean, zip(b, khb).map { $0 - $1 })
    }

    /// The state-space form (B⁻¹ + Hᵀ R⁻¹ H)⁻¹ for invertible B.
    static func stateSpaceCovariance(h: [Double], b: [Double], r: [Double], m: Int, n: Int) -> [Double] {
        var rih = h
        for o in 0..<m { for i in 0..<n { rih[o * n + i] /= r[o] } }
        let information = zip(inverse(b, n), product(transpose(h, m, n), rih, n, m, n)).map { $0 + $1 }
        return inverse(information, n)
    }
}

@Suite struct BayesianSynthesisTests {
    /// 3 observations of 4 coefficients; B has a 3 x 3 block and a lone variable.
    let h: [Double] = [0.8, -0.3, 0.1, 0.5,
                       0.2, 0.9, -0.4, 0.0,
                       -0.1, 0.4, 0.7, 0.3]
    let bBlock: [Double] = [2.0, 0.6, -0.3,
                            0.6, 1.5, 0.4,
                            -0.3, 0.4, 1.2]
    let r: [Double] = [0.25, 0.5, 0.36]
    let d: [Double] = [1.1, -0.7, 0.4]

    /// The same B as a block covariance: variables 0, 2, 3 form the block,
    /// variable 1 stands alone with variance 0.8.
    func prior() throws -> (block: BlockCovariance, dense: [Double]) {
        let block = try BlockCovariance(dimension: 4, blocks: [
            .init(indices: [0, 2, 3], matrix: bBlock), .init(indices: [1], matrix: [0.8])])
        var dense = [Double](repeating: 0, count: 16)
        let map = [0, 2, 3]
        for a in 0..<3 { for b in 0..<3 { dense[map[a] * 4 + map[b]] = bBlock[a * 3 + b] } }
        dense[1 * 4 + 1] = 0.8
        return (block, dense)
    }

    @Test(arguments: SynthesisSolution.Form.allCases)
    func posteriorEqualsTheTextbookClosedForm(form: SynthesisSolution.Form) throws {
        let (block, dense) = try prior()
        #expect(block.dense() == dense)
        let problem = try SynthesisProblem(jacobian: h, observationCount: 3, basisCount: 4, errorVariances: r,
                                           departures: d, prior: block)
        let solution = try BayesianSynthesis.solve(problem, form: form)
        #expect(solution.form == form)
        let exact = Textbook.posterior(h: h, b: dense, r: r, d: d, m: 3, n: 4)
        for i in 0..<4 { #expect(abs(solution.increment[i] - exact.mean[i]) < 1e-10, "x̂[\(i)]") }
        for i in 0..<16 { #expect(abs(solution.posteriorCovariance[i] - exact.covariance[i]) < 1e-10, "A[\(i)]") }
        // B is invertible here, so the information form agrees too.
        let information = Textbook.stateSpaceCovariance(h: h, b: dense, r: r, m: 3, n: 4)
        for i in 0..<16 { #expect(abs(solution.posteriorCovariance[i] - information[i]) < 1e-10) }
    }

    @Test func automaticFormFollowsTheShape() throws {
        let (block, _) = try prior()
        let few = try SynthesisProblem(jacobian: h, observationCount: 3, basisCount: 4, errorVariances: r,
                                       departures: d, prior: block)
        #expect(try BayesianSynthesis.solve(few).form == .observationSpace)
        // Five observations of four coefficients: the state-space form.
        let more = try SynthesisProblem(jacobian: h + [0.3, 0.3, -0.2, 0.6, 1, 0, 0, 0.5], observationCount: 5,
                                        basisCount: 4, errorVariances: r + [0.3, 0.2], departures: d + [0.2, -0.1],
                                        prior: block)
        let solution = try BayesianSynthesis.solve(more)
        #expect(solution.form == .stateSpace)
        let exact = Textbook.posterior(h: more.jacobian, b: block.dense(), r: more.errorVariances, d: more.departures,
                                       m: 5, n: 4)
        for i in 0..<4 { #expect(abs(solution.increment[i] - exact.mean[i]) < 1e-10) }
        for i in 0..<16 { #expect(abs(solution.posteriorCovariance[i] - exact.covariance[i]) < 1e-10) }
    }

    /// A singular B (rank 2 of 4: two coefficients are copies of the others)
    /// has no inverse; both forms must still give the closed form.
    @Test(arguments: SynthesisSolution.Form.allCases)
    func singularPriorIsSolvedWithoutItsInverse(form: SynthesisSolution.Form) throws {
        // x = [u, v, u, 2v] with u, v independent, var 1.5 and 0.7.
        let (u, v) = ((1.5 as Double).squareRoot(), (0.7 as Double).squareRoot())
        let f: [Double] = [u, 0, 0, v, u, 0, 0, 2 * v]
        let dense = Textbook.product(f, Textbook.transpose(f, 4, 2), 4, 2, 4)
        let block = try BlockCovariance(dimension: 4, blocks: [.init(indices: [0, 1, 2, 3], matrix: dense)])
        let problem = try SynthesisProblem(jacobian: h, observationCount: 3, basisCount: 4, errorVariances: r,
                                           departures: d, prior: block)
        let solution = try BayesianSynthesis.solve(problem, form: form)
        let exact = Textbook.posterior(h: h, b: dense, r: r, d: d, m: 3, n: 4)
        for i in 0..<4 { #expect(abs(solution.increment[i] - exact.mean[i]) < 1e-10) }
        for i in 0..<16 { #expect(abs(solution.posteriorCovariance[i] - exact.covariance[i]) < 1e-10) }
        // The copies stay copies.
        #expect(abs(solution.increment[2] - solution.increment[0]) < 1e-12)
    }

    @Test func badProblemsAreNamed() throws {
        let (block, _) = try prior()
        #expect(throws: SynthesisError.self) {
            try SynthesisProblem(jacobian: h, observationCount: 3, basisCount: 4, errorVariances: [0.25, 0, 0.36],
                                 departures: d, prior: block)
        }
        #expect(throws: SynthesisError.self) {
            try SynthesisProblem(jacobian: h, observationCount: 3, basisCount: 4, errorVariances: r,
                                 departures: [1, .nan, 0], prior: block)
        }
        #expect(throws: SynthesisError.self) {
            try BlockCovariance(dimension: 3, blocks: [.init(indices: [0, 1], matrix: [1, 0.5, 0.4, 1])])
        }
        #expect(throws: SynthesisError.self) {
            try BlockCovariance(dimension: 2, blocks: [.init(indices: [0], matrix: [1]), .init(indices: [0], matrix: [1])])
        }
    }

    @Test func quadraticFormAndVarianceUseTheBlocks() throws {
        let (block, dense) = try prior()
        let w = [0.3, -1.0, 2.0, 0.5]
        var expected = 0.0
        for i in 0..<4 { for j in 0..<4 { expected += w[i] * dense[i * 4 + j] * w[j] } }
        #expect(abs(block.quadraticForm(w) - expected) < 1e-13)
        #expect(block.variance(1) == 0.8 && block.variance(3) == 1.2)
    }

    /// diag(K H) against the textbook I − A B⁻¹ (Rodgers 2000 Eq. 3.10), in
    /// both forms, with fewer and with more observations than coefficients.
    @Test(arguments: SynthesisSolution.Form.allCases)
    func averagingKernelEqualsTheTextbookClosedForm(form: SynthesisSolution.Form) throws {
        let (block, dense) = try prior()
        let bInverse = Textbook.inverse(dense, 4)
        for (hh, rr, dd, m) in [(h, r, d, 3), (h + [0.3, 0.3, -0.2, 0.6, 1, 0, 0, 0.5], r + [0.3, 0.2], d + [0.2, -0.1], 5)] {
            let problem = try SynthesisProblem(jacobian: hh, observationCount: m, basisCount: 4, errorVariances: rr,
                                               departures: dd, prior: block)
            let solution = try BayesianSynthesis.solve(problem, form: form)
            let exact = Textbook.posterior(h: hh, b: dense, r: rr, d: dd, m: m, n: 4)
            let aBInverse = Textbook.product(exact.covariance, bInverse, 4, 4, 4)
            var trace = 0.0
            for i in 0..<4 {
                let kernel = 1 - aBInverse[i * 4 + i]
                trace += kernel
                #expect(abs(solution.averagingKernelDiagonal[i] - kernel) < 1e-10, "m \(m): diag(KH)[\(i)]")
            }
            #expect(abs(solution.degreesOfFreedomForSignal - trace) < 1e-10)
        }
    }

    /// One coefficient, one observation: DOFS = σ_b² h² / (σ_b² h² + σ_o²).
    @Test(arguments: SynthesisSolution.Form.allCases)
    func scalarDegreesOfFreedomForSignal(form: SynthesisSolution.Form) throws {
        let (sigmaB2, hh, sigmaO2) = (0.49, 2.5, 0.8)
        let problem = try SynthesisProblem(jacobian: [hh], observationCount: 1, basisCount: 1, errorVariances: [sigmaO2],
                                           departures: [0.3], prior: try BlockCovariance(variances: [sigmaB2]))
        let solution = try BayesianSynthesis.solve(problem, form: form)
        let expected = sigmaB2 * hh * hh / (sigmaB2 * hh * hh + sigmaO2)
        #expect(abs(solution.degreesOfFreedomForSignal - expected) < 1e-14)
    }

    /// Σ (1 − A_ii / B_ii) is tr(K H) for a diagonal B, not for a correlated one.
    @Test func varianceReductionSumIsTheDOFSOnlyForADiagonalPrior() throws {
        let diagonal = try BlockCovariance(variances: [2.0, 0.8, 1.5, 1.2])
        let problem = try SynthesisProblem(jacobian: h, observationCount: 3, basisCount: 4, errorVariances: r,
                                           departures: d, prior: diagonal)
        let solution = try BayesianSynthesis.solve(problem)
        #expect(abs(solution.varianceReductionSum(prior: diagonal) - solution.degreesOfFreedomForSignal) < 1e-12)
        let (block, _) = try prior()
        let correlated = try BayesianSynthesis.solve(try SynthesisProblem(jacobian: h, observationCount: 3, basisCount: 4,
                                                                         errorVariances: r, departures: d, prior: block))
        #expect(abs(correlated.varianceReductionSum(prior: block) - correlated.degreesOfFreedomForSignal) > 1e-3)
    }

    /// D B D keeps the blocks and correlations and scales each σ.
    @Test func scaledCovarianceIsDBD() throws {
        let (block, dense) = try prior()
        let factors = [2.0, 0.5, 1.0, 3.0]
        let scaled = try block.scaled(by: factors).dense()
        for i in 0..<4 { for j in 0..<4 { #expect(abs(scaled[i * 4 + j] - factors[i] * dense[i * 4 + j] * factors[j]) < 1e-15) } }
        #expect(throws: SynthesisError.self) { try block.scaled(by: [1, 1, .nan, 1]) }
        #expect(throws: SynthesisError.self) { try block.scaled(by: [1, 1, 1]) }
    }
}
