import Assimilation
import Testing
import RandomStreams

/// A linear twin of the hourly smoother: two grid columns, two layers, one flux
/// component, a 24-hour window. Each hour t the concentrations are advanced by
///     C_t(c, k) = 0.9 C_{t−1}(c, k) + 0.05 C_{t−1}(1 − c, k) + g_k E_t(c)
/// and two column observations y = 0.6 C(c, 0) + 0.4 C(c, 1) are assimilated.
private struct LinearSmootherTwin {
    let layout = ColumnStateLayout(layerCount: 2, windowHours: 24, fluxComponents: [.biosphere])
    let columns = 2, members = 30
    let g = [1.0, 0.3]
    let weights = [0.6, 0.4]
    let errorVariance = 0.5

    /// Advances the concentrations of one state vector (flat, column ensemble order) by hour `t`.
    func advance(_ z: inout [Double], hour t: Int) {
        let nv = layout.variableCount
        var next = z
        for c in 0..<columns {
            for k in 0..<layout.layerCount {
                next[c * nv + k] = 0.9 * z[c * nv + k] + 0.05 * z[(1 - c) * nv + k]
                    + g[k] * z[c * nv + layout.flux(slot: layout.slot(ofHour: t), component: 0)]
            }
        }
        z = next
    }

    func observe(_ z: [Double]) -> [Double] {
        let nv = layout.variableCount
        return (0..<columns).map { c in weights[0] * z[c * nv] + weights[1] * z[c * nv + 1] }
    }
}

@Test func laggedFluxUpdateEqualsBatchUpdateOfAugmentedState() {
    let twin = LinearSmootherTwin()
    let layout = twin.layout
    let nv = layout.variableCount, n = twin.columns * nv, members = twin.members
    var window = FluxWindow(layout: layout)
    for hour in 0..<24 { #expect(window.admit(hour) == hour) }

    // Prior ensemble of [C, E_0..E_23] per column.
    var block = ColumnEnsemble(columns: [0, 1], variableCount: nv, members: 0..<members)
    for c in 0..<2 {
        for v in 0..<nv {
            for m in 0..<members {
                let z = KeyedRandom(seed: 5, stream: "tests").normal(c, v, m)
                block[column: c, variable: v, member: m] = v < layout.layerCount ? 10 + 2 * z : -1 + 0.5 * z
            }
        }
    }
    let prior = block

    // Hour by hour: advance every member, assimilate that hour's two observations.
    let filter = SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .none), memberCount: members)
    let geometry = RingLocalizationGeometry(size: 2, observationSites: [0, 1])
    var observed: [Double] = []
    for hour in 0..<24 {
        var priors = [Double](repeating: 0, count: 2 * members)
        for m in 0..<members {
            var z = (0..<n).map { block.values[$0 * members + m] }
            twin.advance(&z, hour: hour)
            for i in 0..<n { block.values[i * members + m] = z[i] }
            let h = twin.observe(z)
            priors[m] = h[0]
            priors[members + m] = h[1]
        }
        let y = (0..<2).map { o in
            (0..<members).map { priors[o * members + $0] }.reduce(0, +) / Double(members)
                + KeyedRandom(seed: 6, stream: "tests").normal(hour, o)
        }
        observed += y
        filter.assimilate(&block, observations: ObservationBatch(values: y, errorVariances: [twin.errorVariance, twin.errorVariance]),
                          priors: priors, geometry: geometry)
    }

    // Batch: the linear map from the initial augmented state to all 48 observations.
    var hBatch = [Double](repeating: 0, count: 48 * n)
    for i in 0..<n {
        var z = [Double](repeating: 0, count: n)
        z[i] = 1
        for hour in 0..<24 {
            twin.advance(&z, hour: hour)
            let h = twin.observe(z)
            hBatch[(2 * hour) * n + i] = h[0]
            hBatch[(2 * hour + 1) * n + i] = h[1]
        }
    }
    let moments = Reference.moments(prior.values, variables: n, members: members)
    let expected = Reference.kalmanUpdate(mean: moments.mean, covariance: moments.covariance, h: hBatch,
                                          r: Array(repeating: twin.errorVariance, count: 48), y: observed)
    let analysis = Reference.moments(block.values, variables: n, members: members)

    // Compare every flux of the window (all columns, all 24 hours): means and full covariance.
    let fluxIndices = (0..<2).flatMap { c in (0..<24).map { c * nv + layout.flux(slot: $0, component: 0) } }
    let gotMean = fluxIndices.map { analysis.mean[$0] }
    let wantMean = fluxIndices.map { expected.mean[$0] }
    let gotCovariance = fluxIndices.flatMap { i in fluxIndices.map { analysis.covariance[i * n + $0] } }
    let wantCovariance = fluxIndices.flatMap { i in fluxIndices.map { expected.covariance[i * n + $0] } }
    #expect(Reference.relativeError(gotMean, wantMean) < 1e-10)
    #expect(Reference.relativeError(gotCovariance, wantCovariance) < 1e-10)
    // The oldest flux hour (about to leave the window as final E^a) was really constrained.
    let oldest = layout.flux(slot: 0, component: 0)
    #expect(expected.covariance[oldest * n + oldest] < 0.9 * moments.covariance[oldest * n + oldest])
}

@Test func fluxWindowAdmitsHoursInOrderAndReleasesThemAfter24Hours() {
    let layout = ColumnStateLayout(layerCount: 15, windowHours: 24, fluxComponents: [.biosphere, .ocean])
    #expect(layout.variableCount == 15 + 48)
    #expect(layout.flux(slot: 3, component: 1) == 15 + 3 * 2 + 1)
    var window = FluxWindow(layout: layout)
    for hour in 100..<124 {
        #expect(window.departing(whenAdmitting: hour) == nil)
        _ = window.admit(hour)
    }
    #expect(window.activeHours == Array(100..<124))
    #expect(window.departing(whenAdmitting: 124) == 100)
    #expect(window.admit(124) == layout.slot(ofHour: 100))
    #expect(window.activeHours == Array(101..<125))
}
