import Foundation
import NetCDFIO

/// The count-weighted filter diagnostics of a run's `diagnostics.nc` (one
/// record per analysis hour, Docs/assimilation.md "Is the answer right?")
/// over the analyses inside a window: each hour's statistic weighted by its
/// number of assimilated observations.
public struct RunFilterDiagnostics: Sendable, Equatable {
    /// The variables read, in the order of the stored statistics.
    static let statistics = ["chi2_per_observation", "mean_innovation_ppm", "simulated_spread_ppm", "desroziers_hbh_ppm2",
                             "desroziers_r_ppm2", "background_variance_ppm2", "error_variance_ppm2"]

    public let observations: Int
    /// Analysis hours with at least one assimilated observation.
    public let analysisHours: Int
    /// mean d² / (HPHᵀ + R): near 1 when the spread and R explain the innovations.
    public let chiSquarePerObservation: Double
    /// mean d = y − H(x̄ᶠ) (ppm).
    public let meanInnovation: Double
    /// Ensemble spread of the simulated observations (ppm).
    public let meanSpread: Double
    /// Desroziers estimate E[(y − Hxᵃ)(Hxᵃ − Hxᶠ)] of HBHᵀ, and the filter's HBHᵀ beside it (ppm²).
    public let desroziersHBH: Double
    public let backgroundVariance: Double
    /// Desroziers estimate E[(y − Hxᵃ)(y − Hxᶠ)] of R, and the R the filter used (ppm²).
    public let desroziersR: Double
    public let errorVariance: Double

    /// The diagnostics of the analyses at or after `from` and before `to`
    /// (hours since 1970-01-01). Throws naming the file and variable when
    /// one is missing, has another length than `time`, or a count is not a
    /// non-negative whole number.
    public init(path: String, from: Double = -.infinity, to: Double = .infinity) throws {
        let file = try NetCDFFile.open(path)
        defer { file.close() }
        let root = file.root
        func fail(_ object: String, _ message: String) -> NetCDFError {
            NetCDFError(path: path, object: object, operation: "read filter diagnostics", message: message)
        }
        func series(_ name: String) throws -> [Double] {
            guard root.hasVariable(name) else { throw fail(name, "variable missing") }
            return try root.variable(name).read(Double.self)
        }
        let units: CFTimeUnits
        do {
            units = try CFTimeUnits(parsing: try root.variable("time").attribute("units")?.text ?? "")
        } catch {
            throw fail("time", "\(error)")
        }
        let time = try series("time").map { units.secondsSince1970($0) / 3600 }
        let count = try series("observation_count")
        guard count.count == time.count else { throw fail("observation_count", "\(count.count) values for \(time.count) times") }
        if let bad = count.firstIndex(where: { !($0 >= 0 && $0 < 1e15 && $0.rounded() == $0) }) {
            throw fail("observation_count", "record \(bad) is \(count[bad]), not a count")
        }
        let chosen = time.indices.filter { time[$0] >= from && time[$0] < to && count[$0] > 0 }
        var means: [Double] = []
        for name in Self.statistics {
            let values = try series(name)
            guard values.count == time.count else { throw fail(name, "\(values.count) values for \(time.count) times") }
            if let bad = chosen.first(where: { !values[$0].isFinite }) {
                throw fail(name, "record \(bad) is \(values[bad]) although \(count[bad]) observations were assimilated")
            }
            let n = chosen.reduce(0.0) { $0 + count[$1] }
            means.append(n > 0 ? chosen.reduce(0.0) { $0 + count[$1] * values[$1] } / n : .nan)
        }
        observations = chosen.reduce(0) { $0 + Int(count[$1]) }
        analysisHours = chosen.count
        chiSquarePerObservation = means[0]
        meanInnovation = means[1]
        meanSpread = means[2]
        desroziersHBH = means[3]
        desroziersR = means[4]
        backgroundVariance = means[5]
        errorVariance = means[6]
    }
}
