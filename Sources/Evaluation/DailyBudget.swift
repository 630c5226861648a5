import Foundation
import ModelTime
import NetCDFIO

/// Carbon in a region over one UTC day, with the ensemble spread of that total.
public struct DailyBudget: Sendable {
    public let region: String
    /// `bio`, `ocn`, `natural` (= bio + ocn), `fossil`, `fire`.
    public let component: String
    /// `prior`, `forecast`, `analysis`, `truth` or `prescribed`.
    public let estimate: String
    /// The day's first hour.
    public let day: ModelHour
    /// Hours of the day the file covers (inside the window).
    public let coveredHours: Double
    /// Carbon over the covered hours (Tg C; positive = to the atmosphere).
    public let teragramsCarbon: Double
    /// σ of that total from the per-cell ensemble spreads, cell errors
    /// independent and fully correlated (Tg C); nil where the field has no
    /// spread (truth, prescribed, natural). Errors are taken as fully
    /// correlated through the day: σ_day = Σ_t σ_t Δt (Docs/evaluation.md).
    public let sigmaUncorrelated: Double?
    public let sigmaCorrelated: Double?
}

extension FluxBudget {
    /// Daily budgets of every field of `file` in every region (plus
    /// `natural` when bio and ocn are both present), in region, component,
    /// estimate, day order. A record that spans midnight or the edge of
    /// `window` counts with the share of its hours on each side.
    public static func daily(file: FluxFile, regions: [Region], window: TimeWindow = .all) throws -> [DailyBudget] {
        let toTeragrams = gramsCarbonPerMicromole * 1e-12
        let supports = regions.map(\.support)
        // Seconds of each record on each day (day index = hours since 1970 / 24).
        var pieces: [[(day: Int, seconds: Double)]] = []
        var days: [Int] = []
        for record in file.periods {
            var parts: [(Int, Double)] = []
            if let period = window.clip(start: record.start, end: record.end) {
                var t = period.start
                while t < period.end {
                    let day = Int((t / 24).rounded(.down))
                    let end = min(period.end, Double(day + 1) * 24)
                    parts.append((day, (end - t) * 3600))
                    if days.last != day, !days.contains(day) { days.append(day) }
                    t = end
                }
            }
            pieces.append(parts)
        }
        guard !days.isEmpty else {
            throw NetCDFError(path: file.path, object: "time", operation: "compute daily budgets",
                              message: "no flux record inside the evaluated period")
        }
        days.sort()
        let dayIndex = Dictionary(uniqueKeysWithValues: days.enumerated().map { ($1, $0) })
        var covered = [Double](repeating: 0, count: days.count)
        for parts in pieces { for (day, seconds) in parts { covered[dayIndex[day]!] += seconds } }

        struct Series { var total: [[Double]]; var sigma: [[(Double, Double)]]? }   // [day][region]
        var series: [(field: BudgetField, values: Series)] = []
        for field in fields(of: file) {
            let spreadName = FluxFile.ensembleEstimates.contains(field.estimate) ? "\(field.component)_\(field.estimate)_spread" : nil
            var values = Series(total: [[Double]](repeating: [Double](repeating: 0, count: regions.count), count: days.count),
                                sigma: spreadName == nil ? nil
                                    : [[(Double, Double)]](repeating: [(Double, Double)](repeating: (0, 0), count: regions.count),
                                                          count: days.count))
            for t in file.periods.indices where !pieces[t].isEmpty {
                let rates = regionTotals(flux: try file.record(field.variable, t), cellAreas: file.cellAreas,
                                         regions: regions, seconds: 1)   // Tg C per second
                let sigmas = try spreadName.map {
                    regionSigmas(sigma: try file.spreadRecord($0, t), cellAreas: file.cellAreas, supports: supports)
                }
                for (day, seconds) in pieces[t] {
                    let d = dayIndex[day]!
                    for r in regions.indices {
                        values.total[d][r] += rates[r] * seconds
                        if let sigmas {
                            values.sigma![d][r].0 += sigmas[r].uncorrelated * seconds * toTeragrams
                            values.sigma![d][r].1 += sigmas[r].correlated * seconds * toTeragrams
                        }
                    }
                }
            }
            series.append((field, values))
        }
        if file.components.count > 1 {
            for estimate in FluxFile.ensembleEstimates + ["truth"] {
                let parts = series.filter { $0.field.estimate == estimate && FluxFile.naturalComponents.contains($0.field.component) }
                guard parts.count == file.components.count else { continue }
                let total = days.indices.map { d in regions.indices.map { r in parts.reduce(0) { $0 + $1.values.total[d][r] } } }
                series.append((BudgetField(component: "natural", estimate: estimate, variable: ""), Series(total: total, sigma: nil)))
            }
        }

        var result: [DailyBudget] = []
        for (r, region) in regions.enumerated() {
            for (field, values) in series {
                for d in days.indices {
                    result.append(DailyBudget(region: region.name, component: field.component, estimate: field.estimate,
                                              day: ModelHour(days[d] * 24), coveredHours: covered[d] / 3600,
                                              teragramsCarbon: values.total[d][r],
                                              sigmaUncorrelated: values.sigma?[d][r].0, sigmaCorrelated: values.sigma?[d][r].1))
                }
            }
        }
        return result
    }
}
