import Foundation
import ModelTime
import NetCDFIO

/// A resumed run's configuration against the one its checkpoint was written
/// with. `rcas run --resume` refuses a change (the first hours would have
/// used one configuration and the rest another, with outputs claiming one);
/// with `--allow-changed-configuration` it continues and the change is
/// recorded in every output file (``AssimilationRun/recordConfiguration(_:)``).
public struct ConfigurationChange: Sendable {
    /// The checkpoint's time: where the new configuration takes over.
    public let resumedAt: ModelHour
    /// The resolved configuration the checkpoint recorded.
    public let before: String
    /// This run's resolved configuration.
    public let after: String
    /// The keys that differ (empty: the same configuration).
    public let differences: [ConfigurationFingerprint.Difference]

    /// True when the configurations are the same.
    public var isEmpty: Bool { differences.isEmpty }

    /// What differs, one key per line, for messages.
    public var summary: String {
        differences.prefix(20).map { "  \($0)" }.joined(separator: "\n")
            + (differences.count > 20 ? "\n  ... and \(differences.count - 20) more keys" : "")
    }

    /// Global attribute of the output files listing every accepted change: a
    /// YAML stream, one document per changed resume, with the hour, the keys
    /// and the full configuration used from that hour on.
    public static let historyAttribute = "rcas_configuration_changes"

    /// ``historyAttribute`` after a resume at `resumedAt` with this change:
    /// records of hours at or after it (from an earlier attempt that did not
    /// reach its next checkpoint) are dropped, then this one is added if
    /// non-empty. Nil when the attribute stays as it was.
    func updatedHistory(_ existing: String?) -> String? {
        let marker = "--- # resumed at "
        let documents = (existing ?? "").components(separatedBy: "\n" + marker)
            .map { $0.hasPrefix(marker) ? String($0.dropFirst(marker.count)) : $0 }
            .filter { !$0.isEmpty }
        let kept = documents.filter { document in
            ModelHour(iso: String(document.prefix { $0 != "\n" })).map { $0 < resumedAt } ?? true
        }
        var added: [String] = []
        if !isEmpty {
            let configuration = after.split(separator: "\n", omittingEmptySubsequences: false)
                .map { $0.isEmpty ? "" : "  " + $0 }.joined(separator: "\n")
            added = ["\(resumedAt.iso)\nresumed_at: \(resumedAt.iso)\nchanged_keys:\n"
                     + differences.map { "  - \(yamlQuoted($0.description))\n" }.joined()
                     + "configuration:\n\(configuration)"]
        }
        guard kept.count != documents.count || !added.isEmpty else { return nil }
        let all = kept + added
        return all.isEmpty ? "" : all.map { marker + $0 }.joined(separator: "\n")
    }

    /// A double-quoted YAML scalar (the change descriptions hold ':' and '->').
    private func yamlQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7f: out += String(format: "\\x%02x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension ConfigurationChange {
    /// Reads the configuration and time recorded in `folder/checkpoint.nc`
    /// and compares it with `config`.
    public init(checkpointIn folder: URL, config: ExperimentConfig) throws {
        let path = folder.appendingPathComponent(AssimilationRun.checkpointName).path
        let root = try NetCDFFile.open(path).root
        guard let recorded = try root.attribute("rcas_configuration")?.text else {
            throw ExperimentError.invalidInput("\(path): attribute 'rcas_configuration' is missing: the checkpoint does not "
                                               + "say which configuration wrote it")
        }
        let time = try root.variable("now").read(Int64.self)
        guard time.count == 1, let hour = Int(exactly: time[0]) else {
            throw ExperimentError.invalidInput("\(path): variable 'now' does not hold one hour")
        }
        resumedAt = ModelHour(hour)
        before = recorded
        after = config.resolvedText
        differences = ConfigurationFingerprint.differences(from: recorded, to: after)
    }
}

extension AssimilationRun {
    /// Records in every output file which configuration the run continued
    /// with after a resume (rank 0; the others return at once): updates
    /// ``ConfigurationChange/historyAttribute``. Call once, after the resume,
    /// before cycling. `rcas_configuration` keeps the configuration the files
    /// were started with.
    public func recordConfiguration(_ change: ConfigurationChange) throws {
        guard let outputs else { return }
        let files = [outputs.fluxes?.file, outputs.observations.file, outputs.concentrations?.file, outputs.diagnostics?.file]
            .compactMap { $0 }
        for file in files {
            let existing = try file.root.attribute(ConfigurationChange.historyAttribute)?.text
            guard let history = change.updatedHistory(existing) else { continue }
            try file.redefine()
            try file.root.setAttribute(ConfigurationChange.historyAttribute, .text(history))
            try file.endDefinitions()
            try file.sync()
        }
    }
}
