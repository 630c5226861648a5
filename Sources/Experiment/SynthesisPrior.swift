import Assimilation
import Geometry
import ModelTime

/// The prior covariance B of prior-shape basis coefficients (Docs/jacobians.md,
/// "The prior covariance"), from the statistics that make the flux draws:
///
///     E(c, t) = E^p_k(c, t) (1 + λ_k δ_k(c, π(t))),
///
/// δ unit-variance fields with the correlation of ``CorrelatedNoise``
/// (ρ(c, c') = ρx(Δi) ρy(Δj) ≈ exp(−d²/2L²)), one draw per persistence
/// period π (hours grouped from 1970-01-01 as GCASv2 groups them, or one for
/// the whole run), independent between components or shared by all.
///
/// A basis function f = (k, g, p) scales E^p_k over the cells of g and the
/// hours of p by one coefficient x_f, taken as λ_k times the mean of δ over
/// those cells and hours:
///
///     cov(x_f, x_f') = λ_k λ_k' κ(k, k') S(g, g') τ(p, p'),
///     S(g, g') = mean over c ∈ g, c' ∈ g' of ρ(c, c'),
///     τ(p, p') = Σ_π h_p(π) h_p'(π),  h_p(π) = share of p's hours in π,
///
/// κ = 1 for shared draws or k = k', else 0. For single cells and periods
/// that each lie inside one persistence period this is exactly the
/// covariance of the draws (x_f = λ δ); for larger groups or periods it is
/// the covariance of the mean δ, an aggregation that ties the flux inside a
/// function to one factor (``isExact`` says which).
public struct SynthesisPrior: Sendable {
    /// Where the statistics come from.
    public enum Source: String, Sendable, CaseIterable {
        /// The configured GCASv2 flux ensemble (λ, correlation_km, persistence_hours).
        case ensemble
        /// A twin experiment's truth: truth = prior × (1 + a δ), δ one
        /// correlated field for the whole period shared by every component,
        /// so the truth is a draw from this prior.
        case truth
    }

    public let source: Source
    /// λ per state component, in state order.
    public let scales: [Double]
    /// Correlation length L (m, projected distance).
    public let correlationLength: Double
    /// Hours per draw, nil: one draw for the whole period.
    public let persistenceHours: Int?
    /// Whether every component uses the same δ.
    public let componentsShareDraws: Bool

    /// The statistics of `source` in `config`.
    public init(config: ExperimentConfig, source: Source) throws {
        self.source = source
        let components = config.assimilation.stateVector.components
        switch source {
        case .ensemble:
            guard case .gcasv2(let generator) = config.assimilation.fluxGenerator else {
                throw ExperimentError.invalidInput("\(config.file): the JDAS flux ensemble (Kou et al. 2023 Eq. 1) has no closed-form "
                                                   + "covariance (its spread follows the concentrations); use the gcasv2 "
                                                   + "generator, or the twin truth's statistics (--prior truth) in a twin experiment")
            }
            scales = components.map { generator.scale[$0] ?? 0 }
            correlationLength = generator.correlationLength
            persistenceHours = generator.persistenceHours
            componentsShareDraws = false
        case .truth:
            guard config.satellite.source == .synthetic else {
                throw ExperimentError.invalidInput("\(config.file): --prior truth needs a twin experiment "
                                                   + "(observations.satellite.source: synthetic)")
            }
            scales = components.map { _ in config.truthAmplitude }
            correlationLength = config.truthCorrelationLength
            persistenceHours = nil
            componentsShareDraws = true
        }
    }

    /// The persistence period π of `hour` (nil persistence: one period).
    func draw(of hour: ModelHour) -> Int {
        guard let n = persistenceHours else { return 0 }
        return hour.value >= 0 ? hour.value / n : -((-hour.value - 1) / n) - 1
    }

    /// The basis periods the prior draws are constant over: one per
    /// persistence period, or the whole period.
    public var naturalPeriods: JacobianBasis.Periods { persistenceHours.map { .aligned($0) } ?? .all }

    /// True when B is the exact covariance of the draws for `basis`: single
    /// cells, and each period inside one persistence period.
    public func isExact(for basis: JacobianBasis) -> Bool {
        guard basis.partition == .cells || basis.groupCells.allSatisfy({ $0.count == 1 }) else { return false }
        return basis.periodStarts.indices.allSatisfy { draw(of: basis.periodStarts[$0]) == draw(of: basis.periodEnds[$0].advanced(by: -1)) }
    }

    /// B of `basis`'s coefficients on `grid`, one block per set of
    /// components and periods that share draws.
    public func covariance(of basis: JacobianBasis, grid: HorizontalGrid) throws -> BlockCovariance {
        guard basis.shape == .prior else {
            throw ExperimentError.invalidInput("a prior covariance of scaling factors needs the prior-shape basis, not '\(basis.shape)'")
        }
        let noise = CorrelatedNoise(grid: grid, length: correlationLength)
        // ρx, ρy by lag, and S between groups.
        let rhoX = (0..<grid.nx).map { noise.correlation(di: $0, dj: 0) }
        let rhoY = (0..<grid.ny).map { noise.correlation(di: 0, dj: $0) }
        let nx = grid.nx
        var spatial: [Int: Double] = [:]
        func s(_ g1: Int, _ g2: Int) -> Double {
            let key = min(g1, g2) * basis.groupNames.count + max(g1, g2)
            if let known = spatial[key] { return known }
            var sum = 0.0
            for c1 in basis.groupCells[g1] {
                for c2 in basis.groupCells[g2] { sum += rhoX[abs(c1 % nx - c2 % nx)] * rhoY[abs(c1 / nx - c2 / nx)] }
            }
            let value = sum / Double(basis.groupCells[g1].count * basis.groupCells[g2].count)
            spatial[key] = value
            return value
        }
        // h_p(π) per period, and the classes of periods that share a draw.
        let shares: [[Int: Double]] = basis.periodStarts.indices.map { p in
            var counts: [Int: Double] = [:]
            var t = basis.periodStarts[p]
            while t < basis.periodEnds[p] {
                counts[draw(of: t), default: 0] += 1
                t = t.advanced(by: 1)
            }
            let hours = Double(basis.periodStarts[p].distance(to: basis.periodEnds[p]))
            return counts.mapValues { $0 / hours }
        }
        var periodClass = Array(basis.periodStarts.indices)
        func root(_ p: Int) -> Int { periodClass[p] == p ? p : root(periodClass[p]) }
        var owner: [Int: Int] = [:]
        for (p, share) in shares.enumerated() {
            for π in share.keys.sorted() {
                if let q = owner[π] { periodClass[root(p)] = root(q) } else { owner[π] = p }
            }
        }
        func tau(_ p1: Int, _ p2: Int) -> Double {
            shares[p1].reduce(0) { $0 + $1.value * (shares[p2][$1.key] ?? 0) }
        }
        // Blocks: (component class, period class), functions in basis order.
        var members: [[Int]] = []
        var blockOf: [Int: Int] = [:]
        for (f, function) in basis.functions.enumerated() {
            let key = root(function.period) * (basis.componentNames.count + 1) + (componentsShareDraws ? 0 : function.component + 1)
            if let b = blockOf[key] { members[b].append(f) } else {
                blockOf[key] = members.count
                members.append([f])
            }
        }
        let blocks = members.map { indices -> BlockCovariance.Block in
            let size = indices.count
            var matrix = [Double](repeating: 0, count: size * size)
            for a in 0..<size {
                let fa = basis.functions[indices[a]]
                for b in a..<size {
                    let fb = basis.functions[indices[b]]
                    let value = scales[fa.component] * scales[fb.component] * s(fa.group, fb.group) * tau(fa.period, fb.period)
                    matrix[a * size + b] = value
                    matrix[b * size + a] = value
                }
            }
            return BlockCovariance.Block(indices: indices, matrix: matrix)
        }
        do {
            return try BlockCovariance(dimension: basis.count, blocks: blocks)
        } catch {
            throw ExperimentError.internalFailure("prior covariance: \(error)")
        }
    }

    /// The statistics as a line of text (logs, summary).
    public var description: String {
        let persistence = persistenceHours.map { "\($0) h per draw" } ?? "one draw for the whole period"
        return "\(source == .ensemble ? "GCASv2 flux ensemble" : "twin truth"): λ = \(scales), L = \(correlationLength / 1000) km, "
            + persistence + (componentsShareDraws ? ", shared by every component" : ", independent between components")
    }
}
