/// A symmetric positive semi-definite covariance matrix of n variables that
/// is block diagonal up to a permutation: the variables fall into disjoint
/// groups, each with its own dense matrix, and variables of different groups
/// are uncorrelated. A prior covariance of flux coefficients has this shape
/// (flux components and draw periods are independent), and products with it
/// then cost Σ s_b² per vector instead of n².
public struct BlockCovariance: Sendable, Equatable {
    /// One group of variables and its dense covariance.
    public struct Block: Sendable, Equatable {
        /// The variables of the group (indices into 0..<dimension), in the
        /// order of ``matrix``'s rows and columns.
        public let indices: [Int]
        /// Row-major indices.count x indices.count covariance.
        public let matrix: [Double]

        public init(indices: [Int], matrix: [Double]) {
            self.indices = indices
            self.matrix = matrix
        }
    }

    /// Number of variables n.
    public let dimension: Int
    public let blocks: [Block]

    /// Checks that the blocks partition 0..<dimension, that each matrix has
    /// the block's size, is finite and symmetric (to 1e-12 of its largest
    /// diagonal) and has no negative variance.
    public init(dimension: Int, blocks: [Block]) throws(SynthesisError) {
        var seen = [Bool](repeating: false, count: dimension)
        for (b, block) in blocks.enumerated() {
            let s = block.indices.count
            guard block.matrix.count == s * s else {
                throw .invalidProblem("covariance block \(b) has \(block.matrix.count) values for \(s) variables")
            }
            for i in block.indices {
                guard (0..<dimension).contains(i), !seen[i] else {
                    throw .invalidProblem("covariance block \(b): variable \(i) is out of range or in two blocks")
                }
                seen[i] = true
            }
            guard block.matrix.allSatisfy(\.isFinite) else { throw .invalidProblem("covariance block \(b) is not finite") }
            let scale = (0..<s).map { block.matrix[$0 * s + $0] }.max() ?? 0
            for i in 0..<s {
                guard block.matrix[i * s + i] >= 0 else {
                    throw .invalidProblem("covariance block \(b): variance \(block.matrix[i * s + i]) of variable \(block.indices[i]) is negative")
                }
                for j in 0..<i where abs(block.matrix[i * s + j] - block.matrix[j * s + i]) > 1e-12 * scale {
                    throw .invalidProblem("covariance block \(b) is not symmetric at (\(i), \(j))")
                }
            }
        }
        if let missing = seen.firstIndex(of: false) {
            throw .invalidProblem("variable \(missing) belongs to no covariance block")
        }
        self.dimension = dimension
        self.blocks = blocks
    }

    /// A diagonal covariance.
    public init(variances: [Double]) throws(SynthesisError) {
        try self.init(dimension: variances.count,
                      blocks: variances.enumerated().map { Block(indices: [$0.offset], matrix: [$0.element]) })
    }

    /// The whole n x n matrix, row-major.
    public func dense() -> [Double] {
        let n = dimension
        var full = [Double](repeating: 0, count: n * n)
        for block in blocks {
            let s = block.indices.count
            for (a, i) in block.indices.enumerated() {
                for (b, j) in block.indices.enumerated() { full[i * n + j] = block.matrix[a * s + b] }
            }
        }
        return full
    }

    /// The variance of variable i.
    public func variance(_ i: Int) -> Double {
        for block in blocks {
            if let a = block.indices.firstIndex(of: i) { return block.matrix[a * block.indices.count + a] }
        }
        return 0
    }

    /// D B D with D = diag(`factors`): every variable's σ multiplied by its
    /// factor, correlations unchanged (a prior error scale, IMI's buffer
    /// elements). Factors must be finite and ≥ 0.
    public func scaled(by factors: [Double]) throws(SynthesisError) -> BlockCovariance {
        guard factors.count == dimension else {
            throw .invalidProblem("\(factors.count) prior error factors for \(dimension) variables")
        }
        if let bad = factors.firstIndex(where: { !($0 >= 0 && $0.isFinite) }) {
            throw .invalidProblem("prior error factor \(factors[bad]) of variable \(bad); it must be finite and ≥ 0")
        }
        return try BlockCovariance(dimension: dimension, blocks: blocks.map { block in
            let s = block.indices.count
            var matrix = block.matrix
            for a in 0..<s { for b in 0..<s { matrix[a * s + b] *= factors[block.indices[a]] * factors[block.indices[b]] } }
            return Block(indices: block.indices, matrix: matrix)
        })
    }

    /// wᵀ B w.
    public func quadraticForm(_ w: [Double]) -> Double {
        var total = 0.0
        for block in blocks {
            let s = block.indices.count
            for a in 0..<s {
                let wa = w[block.indices[a]]
                guard wa != 0 else { continue }
                var row = 0.0
                for b in 0..<s { row += block.matrix[a * s + b] * w[block.indices[b]] }
                total += wa * row
            }
        }
        return total
    }
}

/// A synthesis inversion that cannot be set up or solved.
public enum SynthesisError: Error, CustomStringConvertible, Sendable {
    case invalidProblem(String)
    /// A matrix that must be positive definite is not (LAPACK info > 0).
    case notPositiveDefinite(matrix: String, info: Int)
    /// A dimension exceeds what the 32-bit LAPACK interface can address.
    case tooLarge(String)

    public var description: String {
        switch self {
        case .invalidProblem(let message): "synthesis inversion: \(message)"
        case .notPositiveDefinite(let matrix, let info):
            "synthesis inversion: \(matrix) is not positive definite (Cholesky failed at pivot \(info))"
        case .tooLarge(let message): "synthesis inversion: \(message)"
        }
    }
}
