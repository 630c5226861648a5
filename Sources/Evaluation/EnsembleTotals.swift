import Foundation
import NetCDFIO

/// The optional `ensemble_totals.nc` of a run directory: every member's
/// regional total per flux record, from which the spread of a regional total
/// is the ensemble's own (covariances included), unlike the per-cell spreads
/// of `fluxes.nc` (Docs/evaluation.md).
///
/// Layout: dimensions `time` (the records of `fluxes.nc`, same `time` values),
/// `member`, `region`; `region(region)` string names; for each natural
/// component c, `c_prior(time, member, region)` and
/// `c_analysis(time, member, region)`: carbon (Tg C) over the record, as
/// ``FluxBudget/regionTotals(flux:cellAreas:regions:seconds:)`` gives for one
/// member's field.
public enum EnsembleTotals {
    /// Its name in a run directory.
    public static let fileName = "ensemble_totals.nc"

    /// Time-mean ensemble σ of each region's flux rate, prior and analysis
    /// (Tg C yr⁻¹, 365-day year), by component then region name.
    /// A record cut by the edge of `window` counts with the fraction of its
    /// hours inside (its σ of the record total scales with its duration).
    public static func sigmas(path: String, fluxes: FluxFile,
                              window: TimeWindow = .all) throws -> [String: [String: (prior: Double, posterior: Double)]] {
        let file = try NetCDFFile.open(path)
        defer { file.close() }
        let root = file.root
        func fail(_ object: String, _ message: String) -> NetCDFError {
            NetCDFError(path: path, object: object, operation: "read ensemble totals", message: message)
        }
        guard root.hasVariable("region") else { throw fail("region", "variable missing") }
        let names = try root.variable("region").readStrings()
        guard root.hasVariable("time") else { throw fail("time", "variable missing") }
        let time = try root.variable("time").read(Double.self)
        guard time == fluxes.periods.map(\.start) else {
            throw fail("time", "\(time.count) records that are not the \(fluxes.periods.count) records of \(fluxes.path)")
        }
        let members = try root.dimensionLength("member")
        guard members >= 2 else { throw fail("member", "\(members) members: a spread needs at least 2") }
        let secondsPerYear = 365.0 * 86400
        let inside = fluxes.periods.map { record in
            window.clip(start: record.start, end: record.end).map { ($0.end - $0.start) / (record.end - record.start) } ?? 0
        }
        let totalSeconds = zip(fluxes.periods, inside).reduce(0) { $0 + ($1.0.end - $1.0.start) * 3600 * $1.1 }
        var result: [String: [String: (prior: Double, posterior: Double)]] = [:]
        for c in fluxes.components {
            var sums: [[Double]] = []   // [estimate][region] Σ_t σ_t (Tg C per record)
            for estimate in ["prior", "analysis"] {
                let name = "\(c)_\(estimate)"
                guard root.hasVariable(name) else { throw fail(name, "variable missing") }
                let variable = try root.variable(name)
                let shape = try variable.shape()
                guard shape == [time.count, members, names.count] else {
                    throw fail(name, "shape \(shape), expected (time, member, region) = [\(time.count), \(members), \(names.count)]")
                }
                var sum = [Double](repeating: 0, count: names.count)
                for t in time.indices where inside[t] > 0 {
                    let values = try variable.read(Double.self, start: [t, 0, 0], count: [1, members, names.count])
                    if let bad = values.firstIndex(where: { !$0.isFinite }) {
                        throw fail(name, "record \(t), member \(bad / names.count), region \(names[bad % names.count]) is \(values[bad])")
                    }
                    for r in names.indices {
                        let column = (0..<members).map { values[$0 * names.count + r] }
                        let mean = column.reduce(0, +) / Double(members)
                        // Sample standard deviation (N − 1), as the spreads of fluxes.nc.
                        sum[r] += (column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(members - 1)).squareRoot() * inside[t]
                    }
                }
                sums.append(sum)
            }
            // Σ_t σ_t / Σ_t seconds is the duration-weighted mean σ of the rate.
            for (r, region) in names.enumerated() {
                result[c, default: [:]][region] = (sums[0][r] / totalSeconds * secondsPerYear,
                                                   sums[1][r] / totalSeconds * secondsPerYear)
            }
        }
        return result
    }
}
