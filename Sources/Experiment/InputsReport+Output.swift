import Foundation
import Inputs
import ModelTime
import Observations

extension InputsReport {
    /// The report for people: one block per input, then the problems.
    public var text: String {
        var lines = ["rcas inputs check: \(config.name) on \(config.domain.name), \(config.start.iso) to \(config.end.iso) "
                     + "(\(config.hourCount) hours), configuration \(config.file)"]
        lines.append("satellite XCO2:")
        if let satellite {
            lines.append("  source: \(satellite.source)")
            for file in satellite.files {
                lines.append("  \(file.path): \(file.rows) rows, \(file.usable) usable soundings, \(file.inRun) in the period and domain")
            }
            lines.append("  \(satellite.files.count) file(s), \(satellite.soundings) usable soundings")
            if let selection = satellite.selection {
                lines.append("  selection (the OMB gate needs the model and is applied in the run):")
                lines.append(indented(selection.description))
            }
        } else {
            lines.append("  not read (see the problems below)")
        }
        lines.append("in-situ CO2:")
        if let inSitu {
            lines.append("  use: \(inSitu.use)")
            for file in inSitu.files { lines.append("  \(file.path): \(file.observations) samples selected") }
            lines.append("  \(inSitu.files.count) file(s), \(inSitu.samples) valid samples, \(inSitu.selected) selected")
            lines.append(indented(inSitu.selection.description))
        } else {
            lines.append(config.inSitu?.files.isEmpty ?? true ? "  none configured" : "  not read (see the problems below)")
        }
        lines.append("meteorology:")
        if let meteorology {
            lines.append("  source: \(meteorology.source)")
            let span = [meteorology.first, meteorology.last].map { $0?.iso ?? "-" }
            lines.append("  hours: \(span[0]) to \(span[1]), \(meteorology.count) hours"
                         + (meteorology.anyHour ? " (the run's hours)" : ""))
            lines.append("  gaps: " + (meteorology.gaps.isEmpty ? "none" : meteorology.gaps.prefix(12).map(Self.gapText).joined(separator: ", ")
                                       + (meteorology.gaps.count > 12 ? ", ... (\(meteorology.gaps.count) gaps)" : "")))
            lines.append("  the run reads \(meteorologyHours.lowerBound.iso) to \(meteorologyHours.upperBound.iso): "
                         + (meteorology.missingInRun == 0 ? "all present" : "\(meteorology.missingInRun) hours missing"))
        } else {
            lines.append("  not read (see the problems below)")
        }
        lines.append("prior flux at \(priorFluxHour.iso) (domain total, Tg C per year at that hour's rate):")
        for component in priorFlux {
            lines.append("  " + component.component.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)
                         + String(format: " %12.4f  ", component.domainTotalTgCPerYear) + component.source)
        }
        if priorFlux.isEmpty { lines.append("  not read (see the problems below)") }
        lines.append("background:")
        if let background {
            lines.append("  source: \(background.source)")
            lines.append(String(format: "  initial field at %@, layer 1 mean: %.4f ppm", config.start.iso, background.initialMeanLayer1))
        } else {
            lines.append("  not read (see the problems below)")
        }
        if let memoryEstimate {
            lines.append(memoryEstimate.description)
            let total = memoryEstimate.peakPerRank.reduce(0, +)
            if let nodeMemory {
                lines.append("  this machine offers \(MemoryEstimate.format(nodeMemory)): \(ranks) rank(s) on it "
                             + (total <= nodeMemory ? "fit" : "do not fit (rcas run would refuse; spread the ranks over nodes)"))
            }
        } else {
            lines.append("memory estimate: not computed (see the problems below)")
        }
        if problems.isEmpty {
            lines.append("every input is present and readable")
        } else {
            lines.append("\(problems.count) problem(s):")
            lines += problems.map { "  - " + $0.replacingOccurrences(of: "\n", with: "\n    ") }
        }
        return lines.joined(separator: "\n")
    }

    /// The report as a JSON object with the keys `satellite_files`,
    /// `satellite_soundings`, `in_situ_files`, `in_situ_samples`,
    /// `meteorology_hours` {first, last, count, gaps, missing_in_run,
    /// source}, `prior_flux` {component: {source, domain_total_tgc_per_year}},
    /// `background` {source, initial_mean_layer1_ppm}, plus the selection
    /// steps, `memory_estimate_ranks`, `memory_estimate_bytes` (each rank's
    /// peak), `memory_node_bytes` and `problems` (empty when every input is
    /// fine). A number that could not be computed is null.
    public func json() throws -> String {
        func steps(_ report: SelectionReport?) -> Any {
            report.map { $0.steps.map { ["step": $0.name, "kept": $0.kept, "dropped": $0.dropped] as [String: Any] } } ?? NSNull()
        }
        func number(_ x: Double?) -> Any { x.flatMap { $0.isFinite ? $0 : nil } ?? NSNull() }
        var meteorologyHours: [String: Any] = [:]
        if let meteorology {
            meteorologyHours = [
                "source": meteorology.source, "first": meteorology.first?.iso ?? NSNull(), "last": meteorology.last?.iso ?? NSNull(),
                "count": meteorology.count, "missing_in_run": meteorology.missingInRun,
                "gaps": meteorology.gaps.map { ["first": $0.lowerBound.iso, "last": $0.upperBound.iso] },
            ]
        }
        let object: [String: Any] = [
            "configuration": config.file,
            "period": ["start": config.start.iso, "end": config.end.iso],
            "satellite_source": satellite?.source ?? NSNull(),
            "satellite_files": satellite?.files.count ?? 0,
            "satellite_soundings": satellite?.soundings ?? 0,
            "satellite_selection": steps(satellite?.selection),
            "in_situ_files": inSitu?.files.count ?? 0,
            "in_situ_samples": inSitu?.samples ?? 0,
            "in_situ_selected": inSitu?.selected ?? 0,
            "in_situ_selection": steps(inSitu?.selection),
            "meteorology_hours": meteorologyHours,
            "prior_flux_hour": priorFluxHour.iso,
            "prior_flux": Dictionary(uniqueKeysWithValues: priorFlux.map {
                ($0.component.rawValue, ["source": $0.source, "domain_total_tgc_per_year": number($0.domainTotalTgCPerYear)] as [String: Any])
            }),
            "background": ["source": background?.source ?? NSNull(), "initial_mean_layer1_ppm": number(background?.initialMeanLayer1)],
            "memory_estimate_ranks": ranks,
            "memory_estimate_bytes": memoryEstimate?.peakPerRank ?? NSNull(),
            "memory_node_bytes": nodeMemory ?? NSNull(),
            "problems": problems,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    private static func gapText(_ gap: ClosedRange<ModelHour>) -> String {
        gap.lowerBound == gap.upperBound ? gap.lowerBound.iso : "\(gap.lowerBound.iso) to \(gap.upperBound.iso) (\(gap.count) hours)"
    }

    private func indented(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
    }
}
