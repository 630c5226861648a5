import Geometry
import RandomStreams

/// The GCASv2 flux ensemble generator (Jiang2021 Eq. 1-5): per grid cell
/// E_i = E^f + λ (δ_i − δ̄) E_0 with δ_i ~ N(0, 1) independent per cell, member
/// and draw period, drawn from `KeyedRandom` with key (member, period, cell,
/// component), or spatially correlated (``CorrelatedNoise``). E_0 is the
/// prior and E^f the forecast mean (the prior moved by the memory). Jiang2021
/// draws E_0 (1 + λ δ_i), whose ensemble mean is E_0 (1 + λ δ̄), not the
/// prior: the draws are re-centred (δ_i − δ̄) so the ensemble mean is the
/// forecast mean exactly, and a shift of the mean is never counted as skill.
public struct GCASv2FluxPerturbation: Sendable, Equatable {
    /// Which fluxes form the state vector (Jiang2021 Eq. 2-5).
    public enum Scheme: String, Sendable, CaseIterable {
        /// Eq. 2: biosphere only.
        case biosphere
        /// Eq. 3: biosphere and ocean (the scheme Jiang2021 used).
        case biosphereOcean
        /// Eq. 4: biosphere, ocean and fossil.
        case biosphereOceanFossil
        /// Eq. 5: the net flux (sum of all four) as one component.
        case netFlux

        /// The perturbed (optimised) components; the others stay at their prior.
        public var components: [FluxComponent] {
            switch self {
            case .biosphere: return [.biosphere]
            case .biosphereOcean: return [.biosphere, .ocean]
            case .biosphereOceanFossil: return [.biosphere, .ocean, .fossil]
            case .netFlux: return [.net]
            }
        }

        /// The scheme's name in configurations.
        public var configName: String {
            switch self {
            case .biosphere: "biosphere"
            case .biosphereOcean: "biosphere-ocean"
            case .biosphereOceanFossil: "biosphere-ocean-fossil"
            case .netFlux: "net-flux"
            }
        }
    }

    public let scheme: Scheme
    /// λ per perturbed component (Jiang2021: 3 for biosphere, 5 for ocean).
    public let scale: [FluxComponent: Double]
    public let seed: UInt64
    /// How many consecutive hours share one draw δ_i (Jiang2021 draws once per
    /// assimilation window; 1 draws every hour anew). Hours are grouped from
    /// 1970-01-01 00 UTC, so the grouping does not depend on the run's start.
    public let persistenceHours: Int
    /// Correlation length (m) of δ_i between cells; 0 draws every cell
    /// independently (Jiang2021).
    public let correlationLength: Double
    /// The keyed generator of δ (stream "gcasv2-flux" of `seed`).
    let random: KeyedRandom

    public init(scheme: Scheme, scale: [FluxComponent: Double] = [.biosphere: 3, .ocean: 5, .fossil: 1, .net: 3],
                seed: UInt64, persistenceHours: Int = 1, correlationLength: Double = 0) {
        for component in scheme.components { precondition(scale[component] != nil, "no λ for \(component)") }
        precondition(persistenceHours >= 1, "persistence must be at least one hour")
        precondition(correlationLength >= 0, "correlation length must not be negative")
        self.scheme = scheme
        self.scale = scale
        self.seed = seed
        self.persistenceHours = persistenceHours
        self.correlationLength = correlationLength
        random = KeyedRandom(seed: seed, stream: "gcasv2-flux")
    }

    /// The draw period holding `hour` (floor division from 1970-01-01 00 UTC).
    public func period(ofHour hour: Int) -> Int {
        hour >= 0 ? hour / persistenceHours : -((-hour - 1) / persistenceHours) - 1
    }

    /// The white noise behind δ: standard normal, keyed by member, draw
    /// period, cell and component.
    func white(member: Int, period: Int, cell: Int, component: FluxComponent) -> Double {
        random.normal(member: member, hour: period, cell: cell, draw: FluxComponent.allCases.firstIndex(of: component)!)
    }

    /// δ_i of `member` on the whole grid (grid order) for the period holding
    /// `hour`: the white noise smoothed by `noise`.
    public func pattern(member: Int, component: FluxComponent, hour: Int, noise: CorrelatedNoise) -> [Double] {
        pattern(member: member, component: component, hour: hour, noise: noise, iRange: 0..<noise.nx, jRange: 0..<noise.ny)
    }

    /// δ_i of `member` on the rectangle `iRange` x `jRange` (row-major), equal
    /// to the whole-grid pattern there: each cell's value is the same sum in
    /// the same order whatever the rectangle, so a rank needs only its tile.
    public func pattern(member: Int, component: FluxComponent, hour: Int, noise: CorrelatedNoise,
                        iRange: Range<Int>, jRange: Range<Int>) -> [Double] {
        let p = period(ofHour: hour)
        return noise.field(iRange: iRange, jRange: jRange) { i, j in
            white(member: member, period: p, cell: noise.cellKey(i, j), component: component)
        }
    }

    /// Jiang2021 Eq. 1 for one cell, re-centred: E_i = E^f + λ δ E_0 with δ the
    /// member's centred draw.
    @inline(__always) public func member(forecast ef: Double, prior e0: Double, delta: Double, lambda: Double) -> Double {
        ef + lambda * delta * e0
    }

    /// λ of `component` (0 for a component the scheme does not perturb).
    public func lambda(_ component: FluxComponent) -> Double { scale[component] ?? 0 }
}

extension GCASv2FluxPerturbation {
    /// The generator of this scheme for the cycling engine on `grid`. Correlated
    /// draws are made once per draw period and component, for every member.
    public final class Generator: FluxEnsembleGenerator {
        public let perturbation: GCASv2FluxPerturbation
        public let components: [FluxComponent]
        public let memory: FluxMemory
        let windowHours: Int
        let grid: HorizontalGrid
        /// A factor per grid cell on the members' deviations λ δ E_0 (a
        /// buffer's prior error scale outside a region of interest); nil: 1.
        public let cellScale: [Double]?
        private lazy var noise = CorrelatedNoise(grid: grid, length: perturbation.correlationLength)
        private var cache: (period: Int, cells: [Int], fields: [[[Double]]])?

        /// The generator of `perturbation` on `grid` with `memory` (the state
        /// vector is the scheme's) and a factor per grid cell on the
        /// deviations (`cellScale`, nil: none).
        public init(_ perturbation: GCASv2FluxPerturbation, grid: HorizontalGrid, memory: FluxMemory = .none,
                    windowHours: Int = 24, cellScale: [Double]? = nil) {
            self.perturbation = perturbation
            self.cellScale = cellScale
            components = perturbation.scheme.components
            self.memory = memory
            self.windowHours = windowHours
            self.grid = grid
        }

        public var needsLowestLayer: Bool { false }
        public var memoryHours: Int { memory.hours(windowHours: windowHours) }

        /// δ of every member on `cells` (a rank's columns), [component][c][member],
        /// for the draw period holding `hour`: made on the cells' bounding
        /// rectangle only, once per draw period.
        func correlatedPatterns(hour: Int, memberCount: Int, cells: [Int]) -> [[[Double]]] {
            let period = perturbation.period(ofHour: hour)
            if let cache, cache.period == period, cache.cells == cells { return cache.fields }
            let nx = grid.nx
            let iRange = (cells.map { $0 % nx }.min() ?? 0)..<((cells.map { $0 % nx }.max() ?? -1) + 1)
            let jRange = (cells.map { $0 / nx }.min() ?? 0)..<((cells.map { $0 / nx }.max() ?? -1) + 1)
            let local = cells.map { ($0 / nx - jRange.lowerBound) * iRange.count + ($0 % nx - iRange.lowerBound) }
            let fields = components.map { component in
                var columns = [[Double]](repeating: [Double](repeating: 0, count: memberCount), count: cells.count)
                for member in 0..<memberCount {
                    let rectangle = perturbation.pattern(member: member, component: component, hour: hour, noise: noise,
                                                         iRange: iRange, jRange: jRange)
                    for (c, index) in local.enumerated() { columns[c][member] = rectangle[index] }
                }
                return columns
            }
            cache = (period, cells, fields)
            return fields
        }

        public func forecast(_ request: FluxForecastRequest) -> FluxEnsembleForecast {
            let period = perturbation.period(ofHour: request.hour)
            let patterns = perturbation.correlationLength > 0
                ? correlatedPatterns(hour: request.hour, memberCount: request.memberCount, cells: request.cells) : nil
            let means = memory.forecastMeans(prior: request.prior, hour: request.hour, windowHours: windowHours,
                                             past: request.past)
            // One buffer each for a cell's δ and its N members, reused over cells.
            var deltas = [Double](repeating: 0, count: request.memberCount), all = deltas
            let held = request.members.count, firstHeld = request.members.lowerBound
            var members: [[Double]] = [], spreads: [[Double]] = [], forecastMeans: [[Double]] = []
            for (index, component) in components.enumerated() {
                var packed = [Double](repeating: 0, count: request.cells.count * held)
                var spread: [Double] = [], mean: [Double] = []
                spread.reserveCapacity(request.cells.count)
                mean.reserveCapacity(request.cells.count)
                let lambda = perturbation.lambda(component)
                for (c, cell) in request.cells.enumerated() {
                    let e0 = request.prior[index][c], ef = means[index][c]
                    if let patterns {
                        deltas = patterns[index][c]
                    } else {
                        for m in deltas.indices {
                            deltas[m] = perturbation.white(member: m, period: period, cell: cell, component: component)
                        }
                    }
                    let centre = ensembleMean(deltas)
                    let factor = cellScale?[cell] ?? 1
                    for m in all.indices {
                        all[m] = perturbation.member(forecast: ef, prior: e0, delta: factor * (deltas[m] - centre), lambda: lambda)
                    }
                    packed.withUnsafeMutableBufferPointer { packed in
                        for m in 0..<held { packed[c * held + m] = all[firstHeld + m] }
                    }
                    let statistics = meanAndSpread(all)
                    mean.append(statistics.mean)
                    spread.append(statistics.spread)
                }
                members.append(packed)
                spreads.append(spread)
                forecastMeans.append(mean)
            }
            // Re-centring moves every member by the same amount: the forecast spread is the prior's.
            return FluxEnsembleForecast(packedMembers: members, heldCount: held, priorSpread: spreads,
                                        forecastMean: forecastMeans, forecastSpread: spreads)
        }
    }
}
