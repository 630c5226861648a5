import Foundation

/// A sensitivity sweep of the synthesis inversion (IMI 2.0's reruns with
/// other error settings from one stored Jacobian): one solve per setting,
/// and the table of region totals and DOFS against the settings
/// (`sweep.csv`, `sweep.json`; Docs/jacobians.md "Sensitivity inversions").
public struct SynthesisSweep: Sendable {
    public struct Row: Sendable {
        /// The setting's subfolder (`setting_NN`).
        public let folder: String
        public let settings: SynthesisErrorSettings
        public let summary: SynthesisSummary
    }

    public let rows: [Row]

    init(rows: [(folder: String, settings: SynthesisErrorSettings, summary: SynthesisSummary)]) {
        self.rows = rows.map { Row(folder: $0.folder, settings: $0.settings, summary: $0.summary) }
    }

    /// Every combination of the axes' values on top of `base`, the first
    /// axis varying slowest; each setting checked. No axes: `base` alone.
    public static func settings(base: SynthesisErrorSettings,
                                axes: [(name: String, values: [Double])]) throws -> [SynthesisErrorSettings] {
        var seen: Set<String> = []
        var result = [base]
        for axis in axes {
            guard seen.insert(axis.name).inserted else {
                throw ExperimentError.invalidInput("--sweep \(axis.name) is given twice; list all its values in one")
            }
            guard !axis.values.isEmpty else { throw ExperimentError.invalidInput("--sweep \(axis.name) has no values") }
            result = try result.flatMap { setting in
                try axis.values.map { value in
                    var next = setting
                    try next.set(axis.name, to: value)
                    return next
                }
            }
        }
        for setting in result { try setting.validate() }
        return result
    }

    /// Reads one `--sweep` argument, `name=v1,v2,...`.
    public static func axis(_ argument: String) throws -> (name: String, values: [Double]) {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, SynthesisErrorSettings.sweepNames.contains(parts[0]) else {
            throw ExperimentError.invalidInput("--sweep '\(argument)': expected NAME=V1,V2,... with NAME one of "
                                               + SynthesisErrorSettings.sweepNames.joined(separator: ", "))
        }
        let values = try parts[1].split(separator: ",", omittingEmptySubsequences: false).map { text -> Double in
            guard let value = Double(text.trimmingCharacters(in: .whitespaces)), value > 0, value.isFinite else {
                throw ExperimentError.invalidInput("--sweep \(parts[0]): value '\(text)' is not a positive finite number")
            }
            return value
        }
        return (parts[0], values)
    }

    static func number(_ x: Double?) -> String { x.map { $0.isFinite ? String(format: "%.6g", $0) : "" } ?? "" }

    /// One line per setting and region: the settings, the region's prior,
    /// posterior, both σ and truth (Tg C over the assessed period), DOFS and χ²/n.
    public var csv: String {
        var lines = [(["setting"] + SynthesisErrorSettings.sweepNames
                      + ["region_of_interest", "dofs", "dofs_region_of_interest", "chi2_per_observation", "region", "prior_tgc",
                         "posterior_tgc", "prior_sigma_tgc", "posterior_sigma_tgc", "truth_tgc"]).joined(separator: ",")]
        for row in rows {
            let s = row.summary
            let head = [row.folder] + row.settings.sweepValues.map(SynthesisErrorSettings.format)
                + [row.settings.regionOfInterest?.description ?? "", Self.number(s.degreesOfFreedomForSignal),
                   Self.number(s.degreesOfFreedomInRegionOfInterest), Self.number(s.chi2PerObservation)]
            for r in s.regionTotals {
                lines.append((head + [r.region, Self.number(r.prior), Self.number(r.posterior), Self.number(r.priorSigma),
                                      Self.number(r.posteriorSigma), Self.number(r.truth)]).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same as a JSON object: `settings` per row with its summary's
    /// `dofs`, `chi2_per_observation` and `region_totals`.
    public var json: String {
        func number(_ x: Double?) -> String { x.map { $0.isFinite ? String(format: "%.6g", $0) : "null" } ?? "null" }
        let entries = rows.map { row -> String in
            let s = row.summary
            let totals = s.regionTotals.map { r in
                "\"\(r.region)\": {\"prior\": \(number(r.prior)), \"posterior\": \(number(r.posterior)), "
                    + "\"prior_sigma\": \(number(r.priorSigma)), \"posterior_sigma\": \(number(r.posteriorSigma))"
                    + (r.truth.map { ", \"truth\": \(number($0))" } ?? "") + "}"
            }.joined(separator: ", ")
            return "    {\"folder\": \"\(row.folder)\", \"settings\": \(row.settings.json), "
                + "\"dofs\": \(number(s.degreesOfFreedomForSignal)), "
                + "\"dofs_region_of_interest\": \(number(s.degreesOfFreedomInRegionOfInterest)), "
                + "\"chi2_per_observation\": \(number(s.chi2PerObservation)), \"region_totals\": {\(totals)}}"
        }
        return "{\n  \"region_totals_units\": \"Tg C over the assessed period\",\n  \"rows\": [\n"
            + entries.joined(separator: ",\n") + "\n  ]\n}\n"
    }

    /// A readable table: per setting, DOFS, χ²/n and the land and domain totals.
    public var table: String {
        let width = max(8, rows.map(\.settings.label.count).max() ?? 0) + 2
        var lines = ["setting     " + "settings".padding(toLength: width, withPad: " ", startingAt: 0)
                     + "  DOFS  chi2/n   land post ± σ (Tg C)   domain post ± σ (Tg C)"]
        for row in rows {
            let s = row.summary
            func total(_ name: String) -> String {
                guard let r = s.regionTotals.first(where: { $0.region == name }) else { return "".padding(toLength: 22, withPad: " ", startingAt: 0) }
                return String(format: "%10.3f ± %-9.3f", r.posterior, r.posteriorSigma)
            }
            lines.append(row.folder.padding(toLength: 12, withPad: " ", startingAt: 0)
                         + row.settings.label.padding(toLength: width, withPad: " ", startingAt: 0)
                         + String(format: "%6.2f %7.3f  ", s.degreesOfFreedomForSignal, s.chi2PerObservation)
                         + total("land") + "  " + total("domain"))
        }
        return lines.joined(separator: "\n")
    }
}
