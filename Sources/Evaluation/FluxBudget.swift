import Foundation
import ModelTime
import NetCDFIO

/// A run's `fluxes.nc` (run-directory contract): the record periods, the grid
/// description it carries and which flux fields it holds. Field data are read
/// record by record, so a year of hourly output never sits in memory.
public final class FluxFile {
    /// The file.
    public let path: String
    public let nx: Int
    public let ny: Int
    /// Record start and end, hours since 1970-01-01T00:00Z (`time_bnds`).
    public let periods: [(start: Double, end: Double)]
    /// Cell areas (m²), flat index `j * nx + i`.
    public let cellAreas: [Double]
    /// Cell-centre latitudes and longitudes (degrees), flat index.
    public let latitude: [Double]
    public let longitude: [Double]
    /// Optimised components present (of `bio`, `ocn`, `fossil`, `fire`, `net`), in that order.
    public let components: [String]
    /// The `domain` global attribute, when present.
    public let domainAttribute: String?
    let file: NetCDFFile

    /// The components a state vector may optimise (Docs/outputs.md).
    public static let naturalComponents = ["bio", "ocn", "fossil", "fire", "net"]
    /// The estimates of a natural component, each `c_<estimate>_mean` with
    /// `c_<estimate>_spread`.
    public static let ensembleEstimates = ["prior", "forecast", "analysis"]
    /// Prescribed (not optimised) fluxes, when present: the prior components
    /// outside the state vector.
    public static let prescribedFluxes = ["bio", "ocn", "fossil", "fire"]

    /// Opens `path` and checks the time axis, the grid variables and that
    /// every natural component present has all six mean/spread fields.
    public init(_ path: String) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw NetCDFError(path: path, object: nil, operation: "read fluxes", message: "file does not exist")
        }
        self.path = path
        file = try NetCDFFile.open(path)
        let root = file.root
        func fail(_ object: String, _ message: String) -> NetCDFError {
            NetCDFError(path: path, object: object, operation: "read fluxes", message: message)
        }
        func variable(_ name: String) throws -> NetCDFVariable {
            guard root.hasVariable(name) else { throw fail(name, "variable missing") }
            return try root.variable(name)
        }
        let nx = try root.dimensionLength("x"), ny = try root.dimensionLength("y")
        self.nx = nx
        self.ny = ny
        let timeVariable = try variable("time")
        let units = try timeVariable.attribute("units")?.text ?? ""
        guard units.hasPrefix("hours since 1970-01-01") else {
            throw fail("time", "units '\(units)', expected '\(ModelHour.cfUnits)'")
        }
        let time = try timeVariable.read(Double.self)
        guard !time.isEmpty else { throw fail("time", "no records") }
        let boundsVariable = try variable("time_bnds")
        guard try boundsVariable.shape() == [time.count, 2] else {
            throw fail("time_bnds", "shape \(try boundsVariable.shape()), expected (time, nv) = [\(time.count), 2]")
        }
        let bounds = try boundsVariable.read(Double.self)
        var periods: [(start: Double, end: Double)] = []
        for t in time.indices {
            let start = bounds[2 * t], end = bounds[2 * t + 1]
            guard start.isFinite, end.isFinite, end > start, start == time[t] else {
                throw fail("time_bnds", "record \(t) is [\(start), \(end)) for time \(time[t]): expected start = time < end")
            }
            if t > 0, start < periods[t - 1].end {
                throw fail("time_bnds", "record \(t) starts at \(start), before record \(t - 1) ends (\(periods[t - 1].end))")
            }
            periods.append((start, end))
        }
        self.periods = periods

        func gridField(_ name: String, _ valid: (Double) -> Bool, _ rule: String) throws -> [Double] {
            let v = try variable(name)
            guard try v.shape() == [ny, nx] else { throw fail(name, "shape \(try v.shape()), expected (y, x) = [\(ny), \(nx)]") }
            let values = try v.read(Double.self)
            if let bad = values.firstIndex(where: { !valid($0) }) {
                throw fail(name, "value \(values[bad]) at (y, x) = (\(bad / nx), \(bad % nx)) is not \(rule)")
            }
            return values
        }
        cellAreas = try gridField("cell_area", { $0 > 0 && $0.isFinite }, "a positive area")
        latitude = try gridField("lat", { $0.isFinite && abs($0) <= 90 }, "a latitude")
        longitude = try gridField("lon", { $0.isFinite }, "a finite longitude")

        var components: [String] = []
        for c in Self.naturalComponents where root.hasVariable("\(c)_analysis_mean") || root.hasVariable("\(c)_prior_mean") {
            for estimate in Self.ensembleEstimates {
                for statistic in ["mean", "spread"] { _ = try variable("\(c)_\(estimate)_\(statistic)") }
            }
            components.append(c)
        }
        guard !components.isEmpty else {
            throw fail("bio_analysis_mean", "no natural flux component (bio_* or ocn_* variables) in the file")
        }
        self.components = components
        domainAttribute = try root.attribute("domain")?.text
    }

    deinit { file.close() }

    /// True when the file holds variable `name`.
    public func has(_ name: String) -> Bool { file.root.hasVariable(name) }

    /// Record `t` of field `name(time, y, x)`, checked for shape and finiteness.
    public func record(_ name: String, _ t: Int) throws -> [Double] {
        let root = file.root
        guard root.hasVariable(name) else {
            throw NetCDFError(path: path, object: name, operation: "read fluxes", message: "variable missing")
        }
        let variable = try root.variable(name)
        let shape = try variable.shape()
        guard shape == [periods.count, ny, nx] else {
            throw NetCDFError(path: path, object: name, operation: "read fluxes",
                              message: "shape \(shape), expected (time, y, x) = [\(periods.count), \(ny), \(nx)]")
        }
        let values = try variable.read(Double.self, start: [t, 0, 0], count: [1, ny, nx])
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw NetCDFError(path: path, object: name, operation: "read fluxes",
                              message: "record \(t), (y, x) = (\(bad / nx), \(bad % nx)) is \(values[bad])")
        }
        return values
    }

    /// Record `t` of an ensemble spread field, checked as ``record(_:_:)``
    /// and to be non-negative.
    public func spreadRecord(_ name: String, _ t: Int) throws -> [Double] {
        let sigma = try record(name, t)
        if let bad = sigma.firstIndex(where: { $0 < 0 }) {
            throw NetCDFError(path: path, object: name, operation: "read fluxes",
                              message: "record \(t), (y, x) = (\(bad / nx), \(bad % nx)) is negative (\(sigma[bad]))")
        }
        return sigma
    }
}

/// The part of a run evaluated, e.g. the period after spin-up: [from, to),
/// hours since 1970-01-01T00:00Z; nil bounds are open.
public struct TimeWindow: Sendable, Equatable {
    public var from: ModelHour?
    public var to: ModelHour?

    public init(from: ModelHour? = nil, to: ModelHour? = nil) {
        self.from = from
        self.to = to
    }

    /// No restriction.
    public static let all = TimeWindow()

    /// The part of [start, end) (hours) inside the window, or nil when none is.
    public func clip(start: Double, end: Double) -> (start: Double, end: Double)? {
        let s = max(start, from.map { Double($0.value) } ?? -.infinity)
        let e = min(end, to.map { Double($0.value) } ?? .infinity)
        return e > s ? (s, e) : nil
    }

    /// True when the instant `seconds` after 1970-01-01T00:00Z is inside.
    public func contains(secondsSince1970 seconds: Double) -> Bool {
        (from.map { seconds >= $0.secondsSince1970 } ?? true) && (to.map { seconds < $0.secondsSince1970 } ?? true)
    }
}

/// One field of a budget: which variable holds it and how it is labelled.
public struct BudgetField: Sendable, Hashable {
    /// `bio`, `ocn`, `fossil` or `fire`.
    public let component: String
    /// `prior`, `forecast`, `analysis`, `truth` or `prescribed`.
    public let estimate: String
    /// The variable in `fluxes.nc`.
    public let variable: String
}

/// Carbon in a region over one calendar month.
public struct MonthlyBudget: Sendable {
    public let region: String
    /// `bio`, `ocn`, `natural` (= bio + ocn), `fossil`, `fire`.
    public let component: String
    public let estimate: String
    public let month: CalendarMonth
    /// Hours of the month the file covers.
    public let coveredHours: Double
    /// Carbon exchanged over the covered hours (Tg C; positive = to the atmosphere).
    public let teragramsCarbon: Double
}

/// Carbon in a region over one calendar year.
public struct AnnualBudget: Sendable {
    public let region: String
    public let component: String
    public let estimate: String
    public let year: Int
    /// Hours of the year the file covers.
    public let coveredHours: Double
    /// Carbon over the covered hours (Pg C).
    public let petagramsCarbon: Double
    /// `petagramsCarbon` scaled to the whole year, hours-in-year / covered
    /// hours (Pg C yr⁻¹); equal to it when the year is fully covered.
    public let petagramsCarbonPerYear: Double
    /// True when the year is only partly covered and the rate was scaled.
    public var isScaled: Bool { coveredHours < Double(hoursInYear(year)) }
}

/// Uncertainty reduction of a regional flux (Jiang2021 Eq. 19) under the two
/// limiting assumptions about error correlations between cells
/// (Docs/evaluation.md explains why one number cannot be derived).
public struct RegionalUncertaintyReduction: Sendable {
    public let region: String
    public let component: String
    /// Time mean of σ of the regional total assuming independent cells,
    /// sqrt(Σ (w a σ)²), prior and posterior (Tg C yr⁻¹, 365-day year).
    public let priorSigmaUncorrelated: Double
    public let posteriorSigmaUncorrelated: Double
    /// The same assuming fully correlated cells, Σ w a σ (Tg C yr⁻¹).
    public let priorSigmaCorrelated: Double
    public let posteriorSigmaCorrelated: Double
    /// UR (%) from the two assumptions; nil where σ_prior is zero.
    public var urUncorrelated: Double? { uncertaintyReduction(priorSigma: priorSigmaUncorrelated, posteriorSigma: posteriorSigmaUncorrelated) }
    public var urCorrelated: Double? { uncertaintyReduction(priorSigma: priorSigmaCorrelated, posteriorSigma: posteriorSigmaCorrelated) }
}

/// Regional carbon budgets and uncertainty reductions of a run's fluxes.
public struct FluxBudgetReport: Sendable {
    /// First record start and last record end (hours since 1970).
    public let periodStart: Double
    public let periodEnd: Double
    /// Hours the records cover (gaps between records excluded).
    public let coveredHours: Double
    public let monthly: [MonthlyBudget]
    public let annual: [AnnualBudget]
    public let uncertaintyReduction: [RegionalUncertaintyReduction]

    /// Carbon (Tg C) over the whole covered period in `region` for one
    /// component and estimate (e.g. "domain", "natural", "truth"); nil when
    /// the file has no such field.
    public func total(region: String, component: String, estimate: String) -> Double? {
        let rows = monthly.filter { $0.region == region && $0.component == component && $0.estimate == estimate }
        return rows.isEmpty ? nil : rows.reduce(0) { $0 + $1.teragramsCarbon }
    }
}

/// Integration of fluxes (µmol m⁻² s⁻¹) to carbon masses.
public enum FluxBudget {
    /// Grams of carbon per µmol of CO2 (SCIENCE.md section 8).
    public static let gramsCarbonPerMicromole = 12.011e-6

    /// Carbon (Tg C) exchanged in each region by `flux` (µmol m⁻² s⁻¹,
    /// flat index) held for `seconds`: Σ_cells w × flux × area × seconds ×
    /// 12.011e-6 g/µmol × 1e-12 Tg/g. In region order.
    public static func regionTotals(flux: [Double], cellAreas: [Double], regions: [Region], seconds: Double) -> [Double] {
        precondition(flux.count == cellAreas.count, "one flux per cell")
        return regions.map { region in
            precondition(region.weights.count == flux.count, "region \(region.name) is on another grid")
            var sum = 0.0
            for (cell, weight) in region.support { sum += weight * flux[cell] * cellAreas[cell] }
            return sum * seconds * gramsCarbonPerMicromole * 1e-12
        }
    }

    /// The fields of `file` that budgets are reported for.
    public static func fields(of file: FluxFile) -> [BudgetField] {
        var fields: [BudgetField] = []
        for c in file.components {
            for e in FluxFile.ensembleEstimates { fields.append(BudgetField(component: c, estimate: e, variable: "\(c)_\(e)_mean")) }
            if file.has("\(c)_truth") { fields.append(BudgetField(component: c, estimate: "truth", variable: "\(c)_truth")) }
        }
        for p in FluxFile.prescribedFluxes where file.has(p) {
            fields.append(BudgetField(component: p, estimate: "prescribed", variable: p))
        }
        return fields
    }

    /// Monthly and annual budgets of every field of `file` in every region,
    /// plus `natural` (= bio + ocn, when both are present) and the uncertainty
    /// reduction of each natural component. A record that spans a month
    /// boundary is split in proportion to its hours (the flux is its mean);
    /// so is a record cut by the edge of `window`, and records outside it are
    /// not read.
    public static func compute(file: FluxFile, regions: [Region], window: TimeWindow = .all) throws -> FluxBudgetReport {
        let cells = file.nx * file.ny
        for region in regions where region.weights.count != cells {
            throw NetCDFError(path: file.path, object: "cell_area", operation: "compute budgets",
                              message: "region \(region.name) has \(region.weights.count) cells, the fluxes \(cells)")
        }
        // Seconds of each record that fall in each calendar month.
        var months: [CalendarMonth] = []
        var monthIndex: [CalendarMonth: Int] = [:]
        var pieces: [[(month: Int, seconds: Double)]] = []
        var clipped: [(start: Double, end: Double)] = []
        for record in file.periods {
            var parts: [(Int, Double)] = []
            defer { pieces.append(parts) }
            guard let period = window.clip(start: record.start, end: record.end) else { continue }
            clipped.append(period)
            var t = period.start
            while t < period.end {
                let month = CalendarMonth(ModelHour(Int(t.rounded(.down))))
                let end = min(period.end, Double(month.next.start.value))
                if monthIndex[month] == nil {
                    monthIndex[month] = months.count
                    months.append(month)
                }
                parts.append((monthIndex[month]!, (end - t) * 3600))
                t = end
            }
        }
        guard let first = clipped.first, let last = clipped.last else {
            throw NetCDFError(path: file.path, object: "time", operation: "compute budgets",
                              message: "no flux record inside the evaluated period")
        }
        var coveredSeconds = [Double](repeating: 0, count: months.count)
        for parts in pieces { for (m, s) in parts { coveredSeconds[m] += s } }

        // Per field: per month, per cell Σ flux × seconds (µmol m⁻²), then regions.
        let fields = fields(of: file)
        var totals: [BudgetField: [[Double]]] = [:]   // [month][region] Tg C
        for field in fields {
            var integral = [Double](repeating: 0, count: months.count * cells)   // [month][cell]
            for t in file.periods.indices where !pieces[t].isEmpty {
                let flux = try file.record(field.variable, t)
                for (m, seconds) in pieces[t] {
                    integral.withUnsafeMutableBufferPointer { sum in
                        for n in 0..<cells { sum[m * cells + n] += flux[n] * seconds }
                    }
                }
            }
            totals[field] = months.indices.map { m in
                regionTotals(flux: Array(integral[(m * cells)..<((m + 1) * cells)]), cellAreas: file.cellAreas,
                             regions: regions, seconds: 1)
            }
        }

        var rows: [(component: String, estimate: String, values: [[Double]])] = fields.map { ($0.component, $0.estimate, totals[$0]!) }
        if file.components.contains("bio") && file.components.contains("ocn") {
            for estimate in FluxFile.ensembleEstimates + ["truth"] {
                let parts = fields.filter { $0.estimate == estimate && ["bio", "ocn"].contains($0.component) }
                guard parts.count == 2 else { continue }
                let sum = (0..<months.count).map { m in
                    (0..<regions.count).map { r in parts.reduce(0) { $0 + totals[$1]![m][r] } }
                }
                rows.append(("natural", estimate, sum))
            }
        }

        var monthly: [MonthlyBudget] = []
        var annual: [AnnualBudget] = []
        let order = months.indices.sorted { months[$0] < months[$1] }
        let years = Array(Set(months.map(\.year))).sorted()
        for (r, region) in regions.enumerated() {
            for row in rows {
                for m in order {
                    monthly.append(MonthlyBudget(region: region.name, component: row.component, estimate: row.estimate,
                                                 month: months[m], coveredHours: coveredSeconds[m] / 3600,
                                                 teragramsCarbon: row.values[m][r]))
                }
                for year in years {
                    let inYear = order.filter { months[$0].year == year }
                    let hours = inYear.reduce(0) { $0 + coveredSeconds[$1] } / 3600
                    let pg = inYear.reduce(0) { $0 + row.values[$1][r] } / 1000
                    annual.append(AnnualBudget(region: region.name, component: row.component, estimate: row.estimate,
                                               year: year, coveredHours: hours, petagramsCarbon: pg,
                                               petagramsCarbonPerYear: pg * Double(hoursInYear(year)) / hours))
                }
            }
        }
        let ur = try uncertaintyReductions(file: file, regions: regions, window: window)
        return FluxBudgetReport(periodStart: first.start, periodEnd: last.end,
                                coveredHours: coveredSeconds.reduce(0, +) / 3600, monthly: monthly, annual: annual,
                                uncertaintyReduction: ur)
    }

    /// σ of each region's total flux (µmol s⁻¹) from the per-cell σ
    /// (µmol m⁻² s⁻¹) under the two limiting assumptions about cell errors:
    /// independent, sqrt(Σ (w a σ)²), and fully correlated, Σ w a σ.
    static func regionSigmas(sigma: [Double], cellAreas: [Double],
                             supports: [[(cell: Int, weight: Double)]]) -> [(uncorrelated: Double, correlated: Double)] {
        supports.map { support in
            var squares = 0.0, linear = 0.0
            for (cell, weight) in support {
                let s = weight * cellAreas[cell] * sigma[cell]
                squares += s * s
                linear += s
            }
            return (squares.squareRoot(), linear)
        }
    }

    /// Duration-weighted time means of the regional σ of prior and analysis
    /// under the two correlation assumptions, then UR (Jiang2021 Eq. 19).
    static func uncertaintyReductions(file: FluxFile, regions: [Region], window: TimeWindow) throws -> [RegionalUncertaintyReduction] {
        // µmol s⁻¹ → Tg C yr⁻¹ over a 365-day year.
        let toTgPerYear = gramsCarbonPerMicromole * 1e-12 * 365 * 86400
        let supports = regions.map(\.support)
        let seconds = file.periods.map { record in window.clip(start: record.start, end: record.end).map { ($0.end - $0.start) * 3600 } ?? 0 }
        let totalSeconds = seconds.reduce(0, +)
        var result: [RegionalUncertaintyReduction] = []
        for c in file.components {
            // [estimate][region] accumulated (uncorrelated, correlated) σ × seconds.
            var sums = [[(Double, Double)]](repeating: [(Double, Double)](repeating: (0, 0), count: regions.count), count: 2)
            for (e, estimate) in ["prior", "analysis"].enumerated() {
                for t in file.periods.indices where seconds[t] > 0 {
                    let sigma = try file.spreadRecord("\(c)_\(estimate)_spread", t)
                    for (r, sigmas) in regionSigmas(sigma: sigma, cellAreas: file.cellAreas, supports: supports).enumerated() {
                        sums[e][r].0 += sigmas.uncorrelated * seconds[t]
                        sums[e][r].1 += sigmas.correlated * seconds[t]
                    }
                }
            }
            for (r, region) in regions.enumerated() {
                let scale = toTgPerYear / totalSeconds
                result.append(RegionalUncertaintyReduction(
                    region: region.name, component: c,
                    priorSigmaUncorrelated: sums[0][r].0 * scale, posteriorSigmaUncorrelated: sums[1][r].0 * scale,
                    priorSigmaCorrelated: sums[0][r].1 * scale, posteriorSigmaCorrelated: sums[1][r].1 * scale))
            }
        }
        return result
    }
}
