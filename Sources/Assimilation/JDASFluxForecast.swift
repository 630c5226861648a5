import RandomStreams

/// The JDAS flux forecast model (Kou2023 Eq. 1, SCIENCE.md §5), per grid cell:
///     κ_j       = C^f_j / mean C^f                   (lowest-layer concentrations of member j)
///     E^p_i     = E^p + β (κ_π(i) − mean κ) E^p
///     E^f_i     = E^p_i + (mean E^f − E^p)            (mean E^f from the memory: Eq. 1's M-day smoothing)
/// Taken literally (π(i) = i), a member's new flux depends on its own
/// concentrations, which its own past fluxes made: wherever E^p < 0 (by day
/// over land) a member with more CO2 gets a stronger sink, so a positive XCO2
/// innovation strengthens the sink (increments against the needed
/// correction), and with |E^p| instead the coupling feeds on itself and the
/// spread explodes (Docs/assimilation.md, "JDAS"). The corrected generator
/// (`jdas`) keeps the paper's idea — flux perturbations with the spread and
/// spatial structure of the concentration ensemble, scaled by β, around the
/// M-day smoothed mean — but takes member i's anomaly from another member
/// π(i), a keyed cyclic permutation drawn once per draw period, so the new
/// flux hour is independent of member i's own concentrations and the analysis
/// corrects it only through what it does to the concentrations once it has
/// acted. Negative fluxes are kept (no clipping).
public struct JDASFluxForecast: Sendable, Equatable {
    /// Which member's concentrations shape member i's flux.
    public enum Coupling: String, Sendable, CaseIterable {
        /// π(i): a keyed cyclic permutation per draw period (the default).
        case permuted = "jdas"
        /// π(i) = i, Kou2023 Eq. 1 as printed (for reproduction).
        case literal = "jdas-literal"
    }

    /// Covariance inflation factor β (Kou2023: 80).
    public let beta: Double
    public let coupling: Coupling
    /// Seed and draw period (hours) of the permutation.
    public let seed: UInt64
    public let persistenceHours: Int

    public init(beta: Double = 80, coupling: Coupling = .permuted, seed: UInt64 = 1, persistenceHours: Int = 24) {
        precondition(persistenceHours >= 1, "persistence must be at least one hour")
        self.beta = beta
        self.coupling = coupling
        self.seed = seed
        self.persistenceHours = persistenceHours
    }

    /// E^p_j − E^p of one cell's members from their lowest-layer C^f, before
    /// the permutation: β (κ_j − mean κ) E^p.
    public func anomalies(prior: Double, concentrations: [Double]) -> [Double] {
        let (kappa, meanKappa) = relativeConcentrations(concentrations)
        return kappa.map { anomaly(kappa: $0, meanKappa: meanKappa, prior: prior) }
    }

    /// κ_j = C^f_j / mean C^f of one cell's members, and mean κ.
    func relativeConcentrations(_ concentrations: [Double]) -> (kappa: [Double], mean: Double) {
        var kappa = concentrations
        let mean = kappa.withUnsafeMutableBufferPointer { relativeConcentrations(concentrations[...], into: $0) }
        return (kappa, mean)
    }

    /// The same into `kappa` (as many values as `concentrations`), returning mean κ.
    func relativeConcentrations(_ concentrations: ArraySlice<Double>, into kappa: UnsafeMutableBufferPointer<Double>) -> Double {
        let meanC = ensembleMean(concentrations)
        for (j, c) in zip(kappa.indices, concentrations) { kappa[j] = c / meanC }
        return ensembleMean(kappa)
    }

    /// One member's β (κ_j − mean κ) E^p.
    @inline(__always) func anomaly(kappa: Double, meanKappa: Double, prior: Double) -> Double {
        beta * (kappa - meanKappa) * prior
    }

    /// π for an ensemble of `count` members in the draw period holding
    /// `hour`: member i takes the anomaly of member π[i]. A cyclic shift
    /// along a keyed random order, so no member keeps its own (N ≥ 2).
    public func permutation(count: Int, hour: Int) -> [Int] {
        guard coupling == .permuted, count > 1 else { return Array(0..<count) }
        let period = hour >= 0 ? hour / persistenceHours : -((-hour - 1) / persistenceHours) - 1
        let random = KeyedRandom(seed: seed, stream: "jdas-permutation")
        let order = (0..<count).sorted {
            (random.uniform(member: $0, hour: period, cell: 0), $0) < (random.uniform(member: $1, hour: period, cell: 0), $1)
        }
        var pi = [Int](repeating: 0, count: count)
        for (k, member) in order.enumerated() { pi[member] = order[(k + 1) % count] }
        return pi
    }
}

extension JDASFluxForecast {
    /// The generator of this model for the cycling engine.
    public final class Generator: FluxEnsembleGenerator {
        public let model: JDASFluxForecast
        public let memory: FluxMemory
        let windowHours: Int
        /// A factor per grid cell on the anomalies β (κ − κ̄) E^p (a buffer's
        /// prior error scale outside a region of interest); nil: 1.
        public let cellScale: [Double]?

        public init(_ model: JDASFluxForecast, memory: FluxMemory, windowHours: Int, cellScale: [Double]? = nil) {
            self.model = model
            self.memory = memory
            self.windowHours = windowHours
            self.cellScale = cellScale
        }

        public var needsLowestLayer: Bool { true }
        public var memoryHours: Int { memory.hours(windowHours: windowHours) }

        public func forecast(_ request: FluxForecastRequest) -> FluxEnsembleForecast {
            guard let lowest = request.lowestLayer else {
                preconditionFailure("the JDAS flux forecast needs the lowest-layer concentrations")
            }
            let means = memory.forecastMeans(prior: request.prior, hour: request.hour, windowHours: windowHours,
                                             past: request.past)
            let pi = model.permutation(count: request.memberCount, hour: request.hour)
            let componentCount = request.prior.count, cellCount = request.cells.count, N = request.memberCount
            let held = request.members.count, firstHeld = request.members.lowerBound
            // κ and mean κ of every column, once for all components.
            var meanKappa = [Double](repeating: 0, count: cellCount)
            let kappa = [Double](unsafeUninitializedCapacity: cellCount * N) { kappa, count in
                for c in 0..<cellCount {
                    meanKappa[c] = model.relativeConcentrations(
                        lowest[(c * N)..<((c + 1) * N)], into: UnsafeMutableBufferPointer(rebasing: kappa[(c * N)..<((c + 1) * N)]))
                }
                count = cellCount * N
            }
            var members: [[Double]] = [], spreads: [[Double]] = [], forecastMeans: [[Double]] = []
            var forecastSpreads: [[Double]] = []
            // One buffer each for a column's anomalies and its N members, reused over columns.
            var anomalies = [Double](repeating: 0, count: N), all = anomalies
            for component in 0..<componentCount {
                let prior = request.prior[component], mean = means[component]
                var spread: [Double] = [], forecastMean: [Double] = [], forecastSpread: [Double] = []
                spread.reserveCapacity(cellCount)
                forecastMean.reserveCapacity(cellCount)
                forecastSpread.reserveCapacity(cellCount)
                let packed = [Double](unsafeUninitializedCapacity: cellCount * held) { packed, count in
                    kappa.withUnsafeBufferPointer { kappa in
                        anomalies.withUnsafeMutableBufferPointer { anomalies in
                            all.withUnsafeMutableBufferPointer { all in
                                for (c, cell) in request.cells.enumerated() {
                                    let e = prior[c], k0 = c * N, mk = meanKappa[c]
                                    // s β (κ_j − κ̄) E^p, s the buffer's factor
                                    if let factor = cellScale?[cell] {
                                        for j in 0..<N { anomalies[j] = factor * model.anomaly(kappa: kappa[k0 + j], meanKappa: mk, prior: e) }
                                    } else {
                                        for j in 0..<N { anomalies[j] = model.anomaly(kappa: kappa[k0 + j], meanKappa: mk, prior: e) }
                                    }
                                    // E^f_i = E^p_i + (E^f − E^p) = E^f + s β (κ_π(i) − κ̄) E^p
                                    for i in 0..<N { all[i] = mean[c] + anomalies[pi[i]] }
                                    for m in 0..<held { packed[c * held + m] = all[firstHeld + m] }
                                    spread.append(meanAndSpread(anomalies).spread)
                                    let statistics = meanAndSpread(all)
                                    forecastMean.append(statistics.mean)
                                    forecastSpread.append(statistics.spread)
                                }
                            }
                        }
                    }
                    count = cellCount * held
                }
                members.append(packed)
                spreads.append(spread)
                forecastMeans.append(forecastMean)
                forecastSpreads.append(forecastSpread)
            }
            return FluxEnsembleForecast(packedMembers: members, heldCount: held, priorSpread: spreads,
                                        forecastMean: forecastMeans, forecastSpread: forecastSpreads)
        }
    }
}
