import CBLAS

/// Settings of one analysis.
public struct AnalysisConfiguration: Sendable, Equatable {
    public var horizontal: HorizontalLocalization
    public var vertical: VerticalLocalization?
    /// Multiplicative prior inflation of the perturbations of `inflatedVariables`
    /// (1 = none), applied before the analysis in the columns an observation
    /// reaches (elsewhere nothing is observed that could check the spread it
    /// adds, and repeated hourly it would grow without bound); the simulated-observation
    /// perturbations are inflated by the same factor, which is exact when the
    /// observations depend linearly on the inflated variables only (XCO2 of the
    /// current hour's concentrations, the Lorenz-96 identity).
    public var multiplicativeInflation: Double
    /// Relaxation to prior spread (Whitaker and Hamill 2012) on `inflatedVariables`:
    /// 0 = none, 1 = posterior spread reset to prior spread.
    public var relaxationToPriorSpread: Double
    /// Which variables of a column inflation acts on (the concentrations; fluxes
    /// get their spread from β in the flux forecast model).
    public var inflatedVariables: Range<Int>
    /// Per column variable, the Gaspari-Cohn cut-off (m) its horizontal taper
    /// reaches zero at, for lag-aware localization (older flux hours seen by
    /// observations further downwind); nil: every variable uses `horizontal`'s.
    /// Only with Gaspari-Cohn localization.
    public var variableCutoffs: [Double]?

    public init(horizontal: HorizontalLocalization, vertical: VerticalLocalization? = nil,
                multiplicativeInflation: Double = 1, relaxationToPriorSpread: Double = 0,
                inflatedVariables: Range<Int> = 0..<0, variableCutoffs: [Double]? = nil) {
        if variableCutoffs != nil, case .gaspariCohn = horizontal {} else {
            precondition(variableCutoffs == nil, "per-variable cut-offs need Gaspari-Cohn localization")
        }
        self.horizontal = horizontal
        self.vertical = vertical
        self.multiplicativeInflation = multiplicativeInflation
        self.relaxationToPriorSpread = relaxationToPriorSpread
        self.inflatedVariables = inflatedVariables
        self.variableCutoffs = variableCutoffs
    }

    /// The distance beyond which no variable of a column is updated.
    public var reach: Double { variableCutoffs.map { max($0.max() ?? 0, horizontal.reach) } ?? horizontal.reach }
}

/// Serial ensemble square root filter (Whitaker and Hamill 2002) with the EnKS
/// extension of Kou2023 §2.2.2 (lagged fluxes are ordinary state variables).
///
/// Observations are assimilated one at a time in batch index order. For
/// observation j with simulated-observation perturbations u = H x'^b (N members):
///     d  = u·u/(N-1) + R                      (H P H^T + R)
///     K  = ρ ∘ X' u / ((N-1) d)               (X' the state perturbations)
///     x̄ += K (y - H x̄)
///     X' -= α K u^T,  α = (1 + sqrt(R/d))^-1  (K~ = α K)
/// The simulated observations of all observations are part of the augmented
/// state and are updated with the same gain (localized by observation-observation
/// distance), so later observations see the earlier ones' effect.
///
/// The work is split in two passes that give exactly the interleaved result:
/// 1. `assimilateObservationSpace` runs the whole sequence in observation space
///    (it needs only the simulated observations) and records, for each
///    observation, u, d, α and the innovation. Every rank runs it identically.
/// 2. `updateColumns` replays that record on each state column independently:
///    a column's arithmetic depends only on the column and the record, never on
///    which rank owns it or what other columns it holds, so the result is
///    bit-identical for any decomposition. Each column stays in cache while all
///    its observations are applied.
public struct SerialEnSRF: Sendable {
    public let configuration: AnalysisConfiguration
    public let memberCount: Int

    public init(configuration: AnalysisConfiguration, memberCount: Int) {
        precondition(memberCount >= 2, "an ensemble needs at least 2 members")
        self.configuration = configuration
        self.memberCount = memberCount
    }

    /// The critical |correlation| for the significance rule, if it is in use.
    var significanceThreshold: Double? {
        if case .significance(_, _, let p) = configuration.horizontal {
            return criticalCorrelation(memberCount: memberCount, pValue: p)
        }
        return nil
    }

    /// Horizontal weight for a pair at `distance` with ensemble correlation
    /// `correlation()` (evaluated only for the significance rule).
    @inline(__always)
    func horizontalWeight(distance: Double, threshold: Double?, correlation: () -> Double) -> Double {
        switch configuration.horizontal {
        case .none: return 1
        case .gaspariCohn(let cutoff): return gaspariCohn(distance: distance, cutoff: cutoff)
        case .significance(let near, let far, _):
            if distance >= far { return 0 }
            let r = correlation()
            if distance < near { return r > 0 ? 1 : 0 }
            return abs(r) > threshold! ? 1 : 0
        }
    }

    /// Pass 1: the serial sweep in observation space. `priors` holds the full
    /// prior ensemble of simulated observations, [obs][member].
    public func assimilateObservationSpace(
        _ observations: ObservationBatch, priors: [Double], geometry: some LocalizationGeometry
    ) -> ObservationSpaceUpdate {
        let n = observations.count
        let members = memberCount
        precondition(priors.count == n * members, "observation priors must be [obs][member] for all members")
        let nm1 = Double(members - 1)
        let threshold = significanceThreshold

        var means = [Double](repeating: 0, count: n)
        var pert = [Double](repeating: 0, count: n * members)
        for j in 0..<n {
            var sum = 0.0
            for m in 0..<members { sum += priors[j * members + m] }
            means[j] = sum / Double(members)
            for m in 0..<members {
                pert[j * members + m] = (priors[j * members + m] - means[j]) * configuration.multiplicativeInflation
            }
        }
        let priorMeans = means
        let priorSpreads = (0..<n).map { spread(pert, row: $0, members: members) }

        var innovations = [Double](repeating: 0, count: n)
        var variances = [Double](repeating: 0, count: n)
        var factors = [Double](repeating: 0, count: n)
        var record = [Double](repeating: 0, count: n * members)
        var cov = [Double](repeating: 0, count: n)
        var gain = [Double](repeating: 0, count: n)
        var u = [Double](repeating: 0, count: members)

        for j in 0..<n {
            for m in 0..<members { u[m] = pert[j * members + m] }
            var uu = 0.0
            for m in 0..<members { uu += u[m] * u[m] }
            let hph = uu / nm1
            let r = observations.errorVariances[j]
            let d = hph + r
            let innovation = observations.values[j] - means[j]
            let alpha = 1 / (1 + (r / d).squareRoot())
            innovations[j] = innovation
            variances[j] = d
            factors[j] = alpha
            for m in 0..<members { record[j * members + m] = u[m] }

            // Covariances of every simulated observation with observation j: (P H^T)_k = pert_k · u / (N-1).
            cblas_dgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(members), 1 / nm1, pert, Int32(members),
                        u, 1, 0, &cov, 1)
            for k in 0..<n {
                var w = 1.0
                if k != j {
                    w = horizontalWeight(distance: geometry.observationDistance(j, k), threshold: threshold) {
                        let sk = spread(pert, row: k, members: members)
                        return sk > 0 && hph > 0 ? cov[k] / (sk * hph.squareRoot()) : 0
                    }
                    if w != 0, let vertical = configuration.vertical,
                       let hj = observations.heights[j], let hk = observations.heights[k] {
                        w *= gaspariCohn(distance: hj - hk, cutoff: vertical.cutoff)
                    }
                }
                gain[k] = w * cov[k] / d
                means[k] += gain[k] * innovation
            }
            cblas_dger(CblasRowMajor, Int32(n), Int32(members), -alpha, gain, 1, u, 1, &pert, Int32(members))
        }
        return ObservationSpaceUpdate(
            memberCount: members, innovations: innovations, innovationVariances: variances,
            squareRootFactors: factors, perturbations: record, priorMeans: priorMeans, priorSpreads: priorSpreads,
            posteriorMeans: means, posteriorSpreads: (0..<n).map { spread(pert, row: $0, members: members) })
    }

    /// For each local column of `columns`, the observations (ascending) that can
    /// touch it and their horizontal distance.
    func observationsNear(columns: [Int], observationCount: Int,
                          geometry: some LocalizationGeometry) -> [[(observation: Int, distance: Double)]] {
        var lists = Array(repeating: [(observation: Int, distance: Double)](), count: columns.count)
        let reach = configuration.reach
        for j in 0..<observationCount {
            for (c, distance) in geometry.columns(near: j, among: columns, below: reach) { lists[c].append((j, distance)) }
        }
        return lists
    }

    /// Pass 2: applies the recorded sequence to every column of `block`, which
    /// must hold all members. Inflation (multiplicative before, RTPS after) acts
    /// on `configuration.inflatedVariables`. Columns that no observation reaches
    /// are left unchanged.
    public func updateColumns(_ block: inout ColumnEnsemble, observations: ObservationBatch,
                              update: ObservationSpaceUpdate, geometry: some LocalizationGeometry) {
        let members = memberCount
        precondition(block.members == 0..<members, "the column update needs all members of each column")
        let nv = block.variableCount
        let nm1 = Double(members - 1)
        let near = observationsNear(columns: block.columns, observationCount: observations.count, geometry: geometry)
        let threshold = significanceThreshold
        let verticalWeights: [[Double]?] = observations.heights.map { height in
            guard let vertical = configuration.vertical, let height else { return nil }
            precondition(vertical.variableHeights.count == nv, "vertical localization needs one height per variable")
            return vertical.variableHeights.map { gaspariCohn(distance: height - $0, cutoff: vertical.cutoff) }
        }
        let inflated = configuration.inflatedVariables.clamped(to: 0..<nv)
        let groups = cutoffGroups
        if let cutoffs = configuration.variableCutoffs {
            precondition(cutoffs.count == nv, "per-variable cut-offs need one cut-off per variable")
        }
        let lambda = configuration.multiplicativeInflation
        let rtps = configuration.relaxationToPriorSpread

        let x = UnsafeMutablePointer<Double>.allocate(capacity: nv * members)
        let mean = UnsafeMutablePointer<Double>.allocate(capacity: nv)
        let cov = UnsafeMutablePointer<Double>.allocate(capacity: nv)
        let gain = UnsafeMutablePointer<Double>.allocate(capacity: nv)
        let priorSpread = UnsafeMutablePointer<Double>.allocate(capacity: nv)
        defer { for p in [x, mean, cov, gain, priorSpread] { p.deallocate() } }
        let n = Int32(nv), nm = Int32(members)
        let ones = [Double](repeating: 1, count: members)
        var workspace = BlockedWorkspace(variables: nv, members: members,
                                         maximumObservations: min(Self.observationBlock, near.map(\.count).max() ?? 0))

        func applyInBlocks(_ list: [(observation: Int, distance: Double)], to matrix: UnsafeMutablePointer<Double>,
                           centred: Bool, record: UnsafePointer<Double>) {
            for start in stride(from: 0, to: list.count, by: Self.observationBlock) {
                applyBlocked(list[start..<min(start + Self.observationBlock, list.count)], to: matrix, centred: centred,
                             mean: mean, variables: nv, record: record, update: update,
                             verticalWeights: verticalWeights, cutoffGroups: groups, workspace: &workspace)
            }
        }

        block.values.withUnsafeMutableBufferPointer { values in
            update.perturbations.withUnsafeBufferPointer { record in
                for c in block.columns.indices {
                    // A column no observation reaches is left bit-for-bit as it is.
                    if near[c].isEmpty { continue }
                    let column = values.baseAddress! + c * nv * members
                    workspace.streamIntoCache(column, count: nv * members)
                    if threshold == nil && lambda == 1 && rtps == 0 {
                        // Nothing needs the perturbations on their own: update the members in place.
                        applyInBlocks(near[c], to: column, centred: false, record: record.baseAddress!)
                        continue
                    }
                    // x̄ = X 1 / N (a matrix-vector product rather than a dependent chain of additions)
                    cblas_dgemv(CblasRowMajor, CblasNoTrans, n, nm, 1 / Double(members), column, nm, ones, 1, 0,
                                mean, 1)
                    for v in 0..<nv {
                        let row = column + v * members
                        for m in 0..<members { x[v * members + m] = row[m] - mean[v] }
                    }
                    if lambda != 1 {
                        for v in inflated { for m in 0..<members { x[v * members + m] *= lambda } }
                    }
                    if rtps != 0 { for v in inflated { priorSpread[v] = spread(x + v * members, members: members) } }

                    if let threshold {
                        // The significance rule needs each variable's spread after every
                        // observation, so the observations are applied one by one.
                        for (j, distance) in near[c] {
                            let u = record.baseAddress! + j * members
                            let d = update.innovationVariances[j]
                            // (P^b H^T)_v = X'_v · u / (N - 1)
                            cblas_dgemv(CblasRowMajor, CblasNoTrans, n, nm, 1 / nm1, x, nm, u, 1, 0, cov, 1)
                            let su = (d - observations.errorVariances[j]).squareRoot()
                            for v in 0..<nv {
                                let w = horizontalWeight(distance: distance, threshold: threshold) {
                                    let sv = spread(x + v * members, members: members)
                                    return sv > 0 && su > 0 ? cov[v] / (sv * su) : 0
                                }
                                gain[v] = w * cov[v] / d
                            }
                            if let vertical = verticalWeights[j] { for v in 0..<nv { gain[v] *= vertical[v] } }
                            let innovation = update.innovations[j]
                            for v in 0..<nv { mean[v] += gain[v] * innovation }
                            // X' -= α K u^T
                            cblas_dger(CblasRowMajor, n, nm, -update.squareRootFactors[j], gain, 1, u, 1, x, nm)
                        }
                    } else {
                        applyInBlocks(near[c], to: x, centred: true, record: record.baseAddress!)
                    }

                    if rtps != 0 {
                        for v in inflated {
                            let posterior = spread(x + v * members, members: members)
                            guard posterior > 0 else { continue }
                            // σ ← α σ^b + (1 - α) σ^a (Whitaker and Hamill 2012, Eq. 4)
                            let factor = (rtps * priorSpread[v] + (1 - rtps) * posterior) / posterior
                            for m in 0..<members { x[v * members + m] *= factor }
                        }
                    }
                    for v in 0..<nv {
                        let row = column + v * members
                        for m in 0..<members { row[m] = mean[v] + x[v * members + m] }
                    }
                }
            }
        }
    }

    /// The distinct per-variable cut-offs and each variable's index among
    /// them (nil without per-variable cut-offs).
    var cutoffGroups: (cutoffs: [Double], group: [Int])? {
        guard let cutoffs = configuration.variableCutoffs else { return nil }
        let distinct = Array(Set(cutoffs)).sorted()
        let index = Dictionary(uniqueKeysWithValues: distinct.enumerated().map { ($1, $0) })
        return (distinct, cutoffs.map { index[$0]! })
    }

    /// At most this many observations go into one `applyBlocked` call: its
    /// scalar recursion costs nv k² / 2 per column, so long lists are applied
    /// in consecutive blocks (the same algorithm, restarted from the updated column).
    static let observationBlock = 16

    /// Scratch space of `applyBlocked`, sized for the largest block. It keeps
    /// the last block's [U; 1] and Gram matrix: neighbouring columns often see
    /// the same observations, and both depend on nothing else.
    struct BlockedWorkspace {
        var u: [Double], a: [Double], gram: [Double], b: [Double]
        /// Per observation of the block: gain scale ρ / ((N − 1) d) (ρ-free with
        /// per-variable cut-offs), innovation, α.
        var scale: [Double], innovation: [Double], alpha: [Double]
        /// Per observation of the block and variable: the lag-aware horizontal
        /// weight (only with per-variable cut-offs).
        var horizontal: [Double]
        /// The observations `u` and `gram` were made for (empty: none yet).
        var cachedBlock: [Int] = []
        /// Sink of `streamIntoCache`'s loads.
        var streamed: UInt64 = 0

        mutating func streamIntoCache(_ values: UnsafePointer<Double>, count: Int) {
            var sink: UInt64 = 0
            for i in stride(from: 0, to: count, by: 8) { sink ^= values[i].bitPattern }
            streamed ^= sink
        }

        init(variables nv: Int, members: Int, maximumObservations k: Int) {
            u = [Double](repeating: 0, count: (k + 1) * members)
            a = [Double](repeating: 0, count: nv * (k + 1))
            gram = [Double](repeating: 0, count: (k + 1) * (k + 1))
            b = [Double](repeating: 0, count: nv * (k + 1))
            scale = [Double](repeating: 0, count: k)
            innovation = scale
            alpha = scale
            horizontal = [Double](repeating: 0, count: k * nv)
            cachedBlock.reserveCapacity(k)
        }
    }

    /// Applies the k observations `list` (in order) to one column with two
    /// matrix products instead of k matrix-vector pairs (A and B are kept
    /// transposed, one row per observation). With X'_0 the
    /// perturbations before the first of them, u_t the recorded
    /// simulated-observation perturbations (rows of U) and B[v, t] = α_t K_t[v]
    /// (so that X'_t = X'_0 − Σ_{i≤t} B[·, i] u_iᵀ):
    ///     A = X'_0 Uᵀ,  G = U Uᵀ                                   (dgemm)
    ///     X'_{t−1,v} · u_t = A[v, t] − Σ_{i<t} B[v, i] G[i, t]
    ///     K_t[v] = ρ_t[v] (X'_{t−1,v} · u_t) / ((N − 1) d_t),  x̄_v += K_t[v] (y_t − H x̄_t)
    ///     X' ← X'_0 − B U                                          (dgemm)
    /// which is the serial EnSRF of Whitaker and Hamill (2002) rewritten, not
    /// an approximation. Every step depends only on the column and the record.
    ///
    /// `centred`: `matrix` holds the perturbations and `mean` the mean, both
    /// updated. Otherwise `matrix` holds the members themselves (X = x̄ 1ᵀ + X'):
    /// a column of ones appended to Uᵀ gives the row sums, so x̄ = X 1 / N and
    /// X' Uᵀ = X Uᵀ − x̄ (U 1)ᵀ come from the same product, and the update is
    /// X ← X − [B | −Δx̄] [U; 1] = X − B U + Δx̄ 1ᵀ; `mean` is scratch.
    func applyBlocked(_ list: ArraySlice<(observation: Int, distance: Double)>, to matrix: UnsafeMutablePointer<Double>,
                      centred: Bool, mean: UnsafeMutablePointer<Double>, variables nv: Int,
                      record: UnsafePointer<Double>, update: ObservationSpaceUpdate, verticalWeights: [[Double]?],
                      cutoffGroups: (cutoffs: [Double], group: [Int])?, workspace: inout BlockedWorkspace) {
        let members = memberCount
        let k = list.count
        let k1 = k + 1
        let nm1 = Double(members - 1)
        let sameBlock = workspace.cachedBlock.elementsEqual(list.lazy.map(\.observation))
        if !sameBlock {
            workspace.cachedBlock.removeAll(keepingCapacity: true)
            workspace.cachedBlock.append(contentsOf: list.lazy.map(\.observation))
        }
        for (t, entry) in list.enumerated() {
            let j = entry.observation
            if let groups = cutoffGroups {
                // ρ per distinct cut-off, then per variable.
                let weights = groups.cutoffs.map { gaspariCohn(distance: entry.distance, cutoff: $0) }
                for v in 0..<nv { workspace.horizontal[t * nv + v] = weights[groups.group[v]] }
                workspace.scale[t] = 1 / (nm1 * update.innovationVariances[j])
            } else {
                let w = horizontalWeight(distance: entry.distance, threshold: nil) { 0 }
                workspace.scale[t] = w / (nm1 * update.innovationVariances[j])
            }
            workspace.innovation[t] = update.innovations[j]
            workspace.alpha[t] = update.squareRootFactors[j]
        }
        workspace.u.withUnsafeMutableBufferPointer { u in
        workspace.a.withUnsafeMutableBufferPointer { a in
        workspace.gram.withUnsafeMutableBufferPointer { gram in
        workspace.b.withUnsafeMutableBufferPointer { b in
            let u = u.baseAddress!, a = a.baseAddress!, gram = gram.baseAddress!, b = b.baseAddress!
            if !sameBlock {
                for (t, entry) in list.enumerated() {
                    (u + t * members).update(from: record + entry.observation * members, count: members)
                }
                (u + k * members).update(repeating: 1, count: members)
                // [[G, U 1], [.., N]] = [U; 1][U; 1]ᵀ
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(k1), Int32(k1), Int32(members), 1, u,
                            Int32(members), u, Int32(members), 0, gram, Int32(k1))
            }
            // [A | X 1]ᵀ = [U; 1] Xᵀ, stored by observation (row t = X u_t, row k = X 1)
            // so that every loop below runs along the variables.
            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(k1), Int32(nv), Int32(members), 1, u,
                        Int32(members), matrix, Int32(members), 0, a, Int32(nv))
            if !centred {
                let sums = a + k * nv
                for t in 0..<k {
                    let row = a + t * nv, ones = gram[t * k1 + k]
                    for v in 0..<nv { row[v] -= sums[v] / Double(members) * ones }
                }
                mean.update(repeating: 0, count: nv)  // accumulates Δx̄
            }
            for t in 0..<k {
                let scale = workspace.scale[t], innovation = workspace.innovation[t], alpha = workspace.alpha[t]
                let projection = a + t * nv, gain = b + t * nv
                for i in 0..<t {
                    let g = gram[i * k1 + t], earlier = b + i * nv
                    for v in 0..<nv { projection[v] -= earlier[v] * g }
                }
                for v in 0..<nv { gain[v] = scale * projection[v] }
                if cutoffGroups != nil {
                    workspace.horizontal.withUnsafeBufferPointer { h in
                        let row = h.baseAddress! + t * nv
                        for v in 0..<nv { gain[v] *= row[v] }
                    }
                }
                if let vertical = verticalWeights[list[list.startIndex + t].observation] {
                    vertical.withUnsafeBufferPointer { w in for v in 0..<nv { gain[v] *= w[v] } }
                }
                for v in 0..<nv {
                    mean[v] += gain[v] * innovation
                    gain[v] *= alpha
                }
            }
            if centred {
                // X' −= B U
                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(nv), Int32(members), Int32(k), -1, b,
                            Int32(nv), u, Int32(members), 1, matrix, Int32(members))
            } else {
                // X −= [B | −Δx̄] [U; 1], i.e. X − B U + Δx̄ 1ᵀ in one product
                for v in 0..<nv { b[k * nv + v] = -mean[v] }
                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(nv), Int32(members), Int32(k1), -1, b,
                            Int32(nv), u, Int32(members), 1, matrix, Int32(members))
            }
        }}}}
    }

    /// Serial convenience: both passes on a block holding all columns and members.
    @discardableResult
    public func assimilate(_ block: inout ColumnEnsemble, observations: ObservationBatch, priors: [Double],
                           geometry: some LocalizationGeometry) -> ObservationSpaceUpdate {
        let update = assimilateObservationSpace(observations, priors: priors, geometry: geometry)
        updateColumns(&block, observations: observations, update: update, geometry: geometry)
        return update
    }
}

/// Keeps loads whose only purpose is to bring data into cache from being
/// optimised away.
@inline(never) func keep(_ value: UInt64) {}

/// Sample standard deviation (N - 1) of row `row` of a [row][member] matrix.
@inline(__always)
func spread(_ matrix: [Double], row: Int, members: Int) -> Double {
    matrix.withUnsafeBufferPointer { spread($0.baseAddress! + row * members, members: members) }
}

/// Sample standard deviation (N - 1) of `members` consecutive values.
@inline(__always)
func spread(_ values: UnsafePointer<Double>, members: Int) -> Double {
    var mean = 0.0
    for m in 0..<members { mean += values[m] }
    mean /= Double(members)
    var ss = 0.0
    for m in 0..<members { let e = values[m] - mean; ss += e * e }
    return (ss / Double(members - 1)).squareRoot()
}
