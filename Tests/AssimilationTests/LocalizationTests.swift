import Assimilation
import Geometry
import Testing
import RandomStreams

@Test func gaspariCohnValuesAtKnownDistances() {
    let cutoff = 1_280_000.0
    #expect(gaspariCohn(distance: 0, cutoff: cutoff) == 1)
    // At half the cut-off, z = r/c = 1: −1/4 + 1/2 + 5/8 − 5/3 + 1 = 5/24.
    #expect(abs(gaspariCohn(distance: cutoff / 2, cutoff: cutoff) - 5.0 / 24.0) < 1e-15)
    #expect(abs(5.0 / 24.0 - 0.2083333333333333) < 1e-15)
    #expect(gaspariCohn(distance: cutoff, cutoff: cutoff) == 0)
    #expect(gaspariCohn(distance: 1.5 * cutoff, cutoff: cutoff) == 0)
    // Both branches meet at z = 1 and the outer one vanishes smoothly at z = 2.
    let below = gaspariCohn(distance: cutoff / 2 * (1 - 1e-9), cutoff: cutoff)
    let above = gaspariCohn(distance: cutoff / 2 * (1 + 1e-9), cutoff: cutoff)
    #expect(abs(below - above) < 1e-8)
    #expect(gaspariCohn(distance: cutoff * 0.999, cutoff: cutoff) < 1e-7)
    // Monotone decreasing.
    let values = stride(from: 0.0, through: cutoff, by: cutoff / 100).map { gaspariCohn(distance: $0, cutoff: cutoff) }
    #expect(zip(values, values.dropFirst()).allSatisfy { $0 >= $1 })
}

@Test func taperOfOneReproducesUnlocalizedResultExactly() {
    // All observations and columns at one place: the Gaspari-Cohn weights are exactly 1.
    let problem = LinearProblem(seed: 31)
    let geometry = RingLocalizationGeometry(size: 1, observationSites: Array(repeating: 0, count: 6))
    var unlocalized = problem.block
    var tapered = problem.block
    let a = SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .none), memberCount: problem.members)
        .assimilate(&unlocalized, observations: problem.batch, priors: problem.priors, geometry: geometry)
    let b = SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .gaspariCohn(cutoff: 3)), memberCount: problem.members)
        .assimilate(&tapered, observations: problem.batch, priors: problem.priors, geometry: geometry)
    #expect(unlocalized.values == tapered.values)
    #expect(a.posteriorMeans == b.posteriorMeans)
}

@Test func localizationLimitsTheUpdateToTheCutoff() {
    // Ring of 40 columns, one observation at index 0, cut-off 10: columns 10..30 untouched.
    let members = 20
    var block = ColumnEnsemble(columns: Array(0..<40), variableCount: 1, members: 0..<members)
    for c in 0..<40 { for m in 0..<members { block[column: c, variable: 0, member: m] = KeyedRandom(seed: 3, stream: "tests").normal(c, m) } }
    let before = block
    let priors = (0..<members).map { before[column: 0, variable: 0, member: $0] }
    SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .gaspariCohn(cutoff: 10)), memberCount: members)
        .assimilate(&block, observations: ObservationBatch(values: [2], errorVariances: [1]), priors: priors,
                    geometry: RingLocalizationGeometry(size: 40, observationSites: [0]))
    for c in 0..<40 {
        let changed = (0..<members).contains { block[column: c, variable: 0, member: $0] != before[column: c, variable: 0, member: $0] }
        #expect(changed == (c < 10 || c > 30), "column \(c)")
    }
}

@Test func criticalCorrelationMatchesStudentT() {
    // scipy: t.ppf(0.975, 48) = 2.010634757624232 -> r_c = t / sqrt(48 + t^2).
    #expect(abs(criticalCorrelation(memberCount: 50, pValue: 0.05) - 0.2787105932305166) < 1e-9)
    #expect(abs(criticalCorrelation(memberCount: 30, pValue: 0.05) - 0.3610069077332332) < 1e-9)
}

@Test func significanceRuleAcceptsAndRejectsPairs() {
    // Observation on the equator at 0°E; columns at 100 km (positively and
    // negatively correlated), 1500 km (strongly and weakly correlated) and 3500 km.
    let members = 50
    let kilometre = 1000.0
    let degree = cmaqEarthRadius * .pi / 180
    let distances = [100 * kilometre, 100 * kilometre, 1500 * kilometre, 1500 * kilometre, 3500 * kilometre]
    let centers = distances.map { GeoPoint(latitude: 0, longitude: $0 / degree) }
    let geometry = SphericalLocalizationGeometry(columnCenters: centers, observationPoints: [GeoPoint(latitude: 0, longitude: 0)])
    let u = (0..<members).map { KeyedRandom(seed: 8, stream: "tests").normal(0, $0) }
    // Noise made exactly uncorrelated with u (its projection on u removed),
    // so the insignificant column does not depend on the draw.
    let raw = (0..<members).map { KeyedRandom(seed: 8, stream: "tests").normal(1, $0) }
    let mu = u.reduce(0, +) / Double(members), mr = raw.reduce(0, +) / Double(members)
    var sur = 0.0, suu = 0.0
    for m in 0..<members {
        sur += (u[m] - mu) * (raw[m] - mr)
        suu += (u[m] - mu) * (u[m] - mu)
    }
    let projection = sur / suu
    let noise: [Double] = (0..<members).map { raw[$0] - mr - projection * (u[$0] - mu) }
    // Correlations: +strong, −strong, +strong, ~0 (pure noise), +strong.
    let related: [Double] = zip(u, noise).map { $0 + 0.3 * $1 }
    let opposed: [Double] = zip(u, noise).map { -$0 + 0.3 * $1 }
    let columns: [[Double]] = [related, opposed, related, noise, related]
    var block = ColumnEnsemble(columns: Array(0..<5), variableCount: 1, members: 0..<members,
                               values: columns.flatMap { $0 })
    let before = block
    #expect(abs(correlation(u, noise)) < criticalCorrelation(memberCount: members, pValue: 0.05), "the noise column must be insignificant")
    SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .significance(nearDistance: 500 * kilometre,
                                                                               farDistance: 3000 * kilometre,
                                                                               pValue: 0.05)),
                memberCount: members)
        .assimilate(&block, observations: ObservationBatch(values: [1], errorVariances: [0.5]), priors: u, geometry: geometry)
    // Rejected pairs leave the column as it was up to the rounding of x̄ + x'.
    let changed = (0..<5).map { c in
        (0..<members).contains { abs(block[column: c, variable: 0, member: $0] - before[column: c, variable: 0, member: $0]) > 1e-12 }
    }
    #expect(changed == [true, false, true, false, false])
}

/// Pearson correlation of two samples.
private func correlation(_ a: [Double], _ b: [Double]) -> Double {
    let ma = a.reduce(0, +) / Double(a.count)
    let mb = b.reduce(0, +) / Double(b.count)
    var sab = 0.0, saa = 0.0, sbb = 0.0
    for (x, y) in zip(a, b) {
        sab += (x - ma) * (y - mb)
        saa += (x - ma) * (x - ma)
        sbb += (y - mb) * (y - mb)
    }
    return sab / (saa * sbb).squareRoot()
}

@Test func verticalLocalizationScalesEachVariablesIncrement() {
    // One observation at the surface, variables at 0, 1000 and 5000 m, vertical
    // cut-off 2000 m: increments are the unlocalized ones times GC(Δz) = 1, 5/24, 0.
    let members = 20
    var block = ColumnEnsemble(columns: [0], variableCount: 3, members: 0..<members)
    for v in 0..<3 { for m in 0..<members { block[column: 0, variable: v, member: m] = KeyedRandom(seed: 4, stream: "tests").normal(v, m) } }
    let prior = block
    let priors = (0..<members).map { prior[column: 0, variable: 0, member: $0] + 0.5 * prior[column: 0, variable: 2, member: $0] }
    let geometry = RingLocalizationGeometry(size: 1, observationSites: [0])
    let observation = ObservationBatch(values: [1.5], errorVariances: [0.4], heights: [0])
    var plain = prior
    var localized = prior
    SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .none), memberCount: members)
        .assimilate(&plain, observations: observation, priors: priors, geometry: geometry)
    SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .none,
                                                     vertical: VerticalLocalization(cutoff: 2000, variableHeights: [0, 1000, 5000])),
                memberCount: members)
        .assimilate(&localized, observations: observation, priors: priors, geometry: geometry)
    func meanIncrement(_ block: ColumnEnsemble, _ v: Int) -> Double {
        (0..<members).map { block[column: 0, variable: v, member: $0] - prior[column: 0, variable: v, member: $0] }
            .reduce(0, +) / Double(members)
    }
    let expected = [1.0, 5.0 / 24.0, 0]
    for v in 0..<3 {
        #expect(abs(meanIncrement(localized, v) - expected[v] * meanIncrement(plain, v)) < 1e-12, "variable \(v)")
    }
    #expect(abs(meanIncrement(plain, 2)) > 1e-3)
}

@Test func sphericalGeometryDistancesEqualTheHaversineFormula() {
    // Pairs from coincident to antipodal, including the 1280 km cut-off scale.
    let points = (0..<40).map { GeoPoint(latitude: -80 + 4 * Double($0), longitude: 70 + 7.3 * Double($0 % 9)) }
        + [GeoPoint(latitude: 35, longitude: 110), GeoPoint(latitude: -35, longitude: -70)]
    let geometry = SphericalLocalizationGeometry(columnCenters: points, observationPoints: points)
    for j in points.indices {
        for c in points.indices {
            let exact = greatCircleDistance(points[j], points[c])
            #expect(abs(geometry.columnDistance(observation: j, column: c) - exact) < 1e-6)
            #expect(abs(geometry.observationDistance(j, c) - exact) < 1e-6)
        }
        let near = geometry.columns(near: j, among: Array(points.indices), below: 1_280_000)
        #expect(near.map(\.index) == points.indices.filter { greatCircleDistance(points[j], points[$0]) < 1_280_000 })
    }
}

@Test func lagAwareCutoffsTaperEachVariableWithItsOwnDistance() {
    // One column 900 km from the observation with three variables: cut-offs
    // 1000 km (weight GC(900; 1000) > 0), 800 km (weight 0) and 3000 km.
    let members = 30
    let degree = cmaqEarthRadius * .pi / 180
    let geometry = SphericalLocalizationGeometry(columnCenters: [GeoPoint(latitude: 0, longitude: 900_000 / degree)],
                                                 observationPoints: [GeoPoint(latitude: 0, longitude: 0)])
    let u = (0..<members).map { KeyedRandom(seed: 12, stream: "tests").normal(0, $0) }
    let values = (0..<3).flatMap { v in (0..<members).map { u[$0] * Double(v + 1) + KeyedRandom(seed: 12, stream: "tests").normal(1, v, $0) } }
    let batch = ObservationBatch(values: [1], errorVariances: [0.5])
    func analyse(_ cutoffs: [Double]?, base: Double) -> ColumnEnsemble {
        var block = ColumnEnsemble(columns: [0], variableCount: 3, members: 0..<members, values: values)
        SerialEnSRF(configuration: AnalysisConfiguration(horizontal: .gaspariCohn(cutoff: base), variableCutoffs: cutoffs),
                    memberCount: members)
            .assimilate(&block, observations: batch, priors: u, geometry: geometry)
        return block
    }
    let lagged = analyse([1_000_000, 800_000, 3_000_000], base: 800_000)
    let moved = (0..<3).map { v in (0..<members).map { abs(lagged[column: 0, variable: v, member: $0] - values[v * members + $0]) }.max()! }
    #expect(moved[0] > 1e-6 && moved[1] < 1e-12 && moved[2] > moved[0])
    // Each variable's update equals the plain filter with that variable's cut-off.
    for (v, cutoff) in [(0, 1_000_000.0), (2, 3_000_000.0)] {
        let plain = analyse(nil, base: cutoff)
        for m in 0..<members {
            #expect(abs(plain[column: 0, variable: v, member: m] - lagged[column: 0, variable: v, member: m]) < 1e-12)
        }
    }
    // The cut-off grows with the flux hour's age up to the maximum.
    let lag = LagLocalization(growth: 30_000, maximum: 2_000_000)
    #expect(lag.cutoff(base: 1_280_000, age: 0) == 1_280_000 && lag.cutoff(base: 1_280_000, age: 10) == 1_580_000)
    #expect(lag.cutoff(base: 1_280_000, age: 100) == 2_000_000)
}
