import ConfigFormat

/// The identity of a resolved configuration (every parameter as used, the
/// text ``ExperimentConfig/resolvedText`` writes into every output): its
/// SHA-256, which checkpoints record and every rank compares at start, and a
/// key-by-key comparison that names what differs between two of them.
public struct ConfigurationFingerprint: Sendable, Equatable {
    /// The resolved configuration text.
    public let text: String
    public let digest: SHA256Digest

    public init(text: String) {
        self.text = text
        digest = SHA256Digest(text: text)
    }

    public init(_ config: ExperimentConfig) { self.init(text: config.resolvedText) }

    /// One key whose value differs: dotted path, and its value in each text
    /// (nil where the key is absent).
    public struct Difference: Sendable, Equatable, CustomStringConvertible {
        public let key: String
        public let before: String?
        public let after: String?

        public var description: String { "\(key): \(before ?? "(absent)") -> \(after ?? "(absent)")" }
    }

    /// The keys whose values differ between two resolved configurations,
    /// sorted by key path; empty when they are the same. A text that does not
    /// parse counts as one difference under the key "(whole configuration)".
    public static func differences(from before: String, to after: String) -> [Difference] {
        guard before != after else { return [] }
        guard let old = flatten(before), let new = flatten(after) else {
            return [Difference(key: "(whole configuration)", before: "unreadable or different text", after: nil)]
        }
        return Set(old.keys).union(new.keys).sorted().compactMap { key in
            old[key] == new[key] ? nil : Difference(key: key, before: old[key], after: new[key])
        }
    }

    /// Every leaf of a YAML mapping as dotted key path -> value text (lists
    /// of scalars as "[a, b]"), or nil when the text is not such a mapping.
    static func flatten(_ text: String) -> [String: String]? {
        guard let top = try? ConfigMapping.parse(text, file: "configuration") else { return nil }
        var leaves: [String: String] = [:]
        func walk(_ mapping: ConfigMapping) {
            for key in mapping.keys {
                let path = mapping.path(of: key)
                if let inner = try? mapping.optionalMapping(key) {
                    walk(inner)
                } else if let value = try? mapping.optional(key, as: String.self) {
                    leaves[path] = value
                } else if let list = try? mapping.optionalList(key, of: String.self) {
                    leaves[path] = "[" + list.joined(separator: ", ") + "]"
                } else {
                    leaves[path] = "null"
                }
            }
        }
        walk(top)
        return leaves
    }
}
