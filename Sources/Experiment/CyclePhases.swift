import ModelTime

/// Wall time spent in each phase of the assimilation cycle on this rank
/// (`rcas bench cycle`, Docs/performance.md). Phases nest: time inside an
/// inner phase counts for it alone, so the phases add up to the cycle.
public final class CyclePhases {
    public enum Phase: String, CaseIterable, Sendable {
        /// Meteorology, prior fluxes and boundary values of the hour, and
        /// each member's inflow made from them.
        case inputs
        /// The transport model advancing every member one hour (nothing else).
        case transport
        /// The flux ensemble of the next hour from its generator, and each
        /// member's total surface flux assembled from the state for the transport.
        case fluxEnsemble = "flux_ensemble"
        /// Simulating the hour's observations (before and after the analysis).
        case observationOperators = "observation_operators"
        /// The EnKS update, with the transposes to and from the column layout.
        case analysis
        /// Statistics, gathers and streamed records.
        case output
        case checkpoint
    }

    /// Seconds per phase so far.
    public private(set) var seconds: [Phase: Double] = [:]
    private var current: Phase?
    private var started = ContinuousClock.now

    public init() {}

    /// Runs `body`, counting its time (less that of phases inside it) for `phase`.
    public func measure<T>(_ phase: Phase, _ body: () throws -> T) rethrows -> T {
        let outer = current
        switch_(to: phase)
        defer { switch_(to: outer) }
        return try body()
    }

    private func switch_(to next: Phase?) {
        let now = ContinuousClock.now
        if let current {
            let elapsed = now - started
            seconds[current, default: 0] += elapsed.inSeconds
        }
        current = next
        started = now
    }
}
