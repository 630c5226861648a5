import Foundation
import Yams

/// A problem in a configuration or domain file, naming the file, the key path
/// (e.g. `grid.nx`) and, where known, the line.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let key: String?
    public let line: Int?
    public let message: String

    public init(file: String, key: String?, line: Int? = nil, message: String) {
        self.file = file
        self.key = key
        self.line = line
        self.message = message
    }

    public var description: String {
        var location = file
        if let line { location += ":\(line)" }
        if let key { return "\(location): key '\(key)': \(message)" }
        return "\(location): \(message)"
    }
}

/// Values a configuration key can hold.
public protocol ConfigScalar {
    static var typeName: String { get }
    init?(configNode: Node)
}

extension Double: ConfigScalar {
    public static var typeName: String { "number" }
    public init?(configNode node: Node) {
        guard node.scalar != nil, let value = node.float ?? node.int.map(Double.init), value.isFinite else {
            return nil
        }
        self = value
    }
}
extension Int: ConfigScalar {
    public static var typeName: String { "integer" }
    public init?(configNode node: Node) {
        guard node.scalar != nil, let value = node.int else { return nil }
        self = value
    }
}
extension Bool: ConfigScalar {
    public static var typeName: String { "true/false" }
    public init?(configNode node: Node) {
        guard node.scalar != nil, let value = node.bool else { return nil }
        self = value
    }
}
extension String: ConfigScalar {
    public static var typeName: String { "text" }
    public init?(configNode node: Node) {
        guard let scalar = node.scalar else { return nil }
        self = scalar.string
    }
}

/// A YAML mapping read strictly: every key must be asked for (a key nobody
/// reads is an "unknown key" error from ``finish()``), every value must have
/// the expected type, and every error names the file and the key path.
public final class ConfigMapping {
    /// The file the mapping came from.
    public let file: String
    /// Dotted path of this mapping inside the file ("" for the top level).
    public let keyPath: String
    private let entries: [(key: String, value: Node)]
    private var consumed: Set<String> = []
    private let line: Int?

    init(file: String, keyPath: String, node: Node) throws(ConfigError) {
        self.file = file
        self.keyPath = keyPath
        line = node.mark.map { $0.line }
        guard case .mapping(let mapping) = node else {
            throw ConfigError(file: file, key: keyPath.isEmpty ? nil : keyPath, line: line,
                              message: "expected a mapping of keys to values")
        }
        var seen: Set<String> = []
        var list: [(String, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                throw ConfigError(file: file, key: keyPath, line: keyNode.mark?.line, message: "keys must be text")
            }
            guard seen.insert(key).inserted else {
                throw ConfigError(file: file, key: Self.join(keyPath, key), line: keyNode.mark?.line,
                                  message: "appears twice")
            }
            list.append((key, value))
        }
        entries = list
    }

    /// Reads and parses a YAML file whose top level is a mapping.
    public static func load(file path: String) throws(ConfigError) -> ConfigMapping {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ConfigError(file: path, key: nil, message: "file does not exist")
        }
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigError(file: path, key: nil, message: "cannot be read: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    /// Parses YAML text whose top level is a mapping; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> ConfigMapping {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigError(file: file, key: nil, message: "is not valid YAML: \(error)")
        }
        guard let node else { throw ConfigError(file: file, key: nil, message: "is empty") }
        return try ConfigMapping(file: file, keyPath: "", node: node)
    }

    private static func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// The full dotted path of `key` in this mapping.
    public func path(of key: String) -> String { Self.join(keyPath, key) }

    /// An error about `key` of this mapping.
    public func error(_ key: String, _ message: String) -> ConfigError {
        ConfigError(file: file, key: path(of: key), line: node(key)?.mark?.line, message: message)
    }

    private func node(_ key: String) -> Node? { entries.first { $0.key == key }?.value }

    /// True when the key is present.
    public func contains(_ key: String) -> Bool { node(key) != nil }

    /// The keys present, in file order.
    public var keys: [String] { entries.map(\.key) }

    private func take(_ key: String) -> Node? {
        consumed.insert(key)
        guard let value = node(key), value.null == nil else { return nil }
        return value
    }

    /// An optional value; nil when the key is absent or null.
    public func optional<T: ConfigScalar>(_ key: String, as _: T.Type = T.self) throws(ConfigError) -> T? {
        guard let value = take(key) else { return nil }
        guard let result = T(configNode: value) else {
            throw error(key, "expected \(T.typeName), found '\(describe(value))'")
        }
        return result
    }

    /// A required value.
    public func value<T: ConfigScalar>(_ key: String, as _: T.Type = T.self) throws(ConfigError) -> T {
        guard let result: T = try optional(key) else { throw error(key, "is required but missing") }
        return result
    }

    /// A value with a default used when the key is absent.
    public func value<T: ConfigScalar>(_ key: String, default fallback: T) throws(ConfigError) -> T {
        try optional(key) ?? fallback
    }

    /// A number that must lie in `range`.
    public func value<T: ConfigScalar & Comparable>(_ key: String, default fallback: T? = nil,
                                                    in range: ClosedRange<T>) throws(ConfigError) -> T {
        guard let result: T = try optional(key) ?? fallback else { throw error(key, "is required but missing") }
        guard range.contains(result) else {
            throw error(key, "value \(result) is out of range \(range.lowerBound)...\(range.upperBound)")
        }
        return result
    }

    /// A text value that must be one of `choices`.
    public func choice(_ key: String, default fallback: String? = nil, from choices: [String]) throws(ConfigError) -> String {
        guard let result: String = try optional(key) ?? fallback else { throw error(key, "is required but missing") }
        guard choices.contains(result) else {
            throw error(key, "'\(result)' is not one of: \(choices.joined(separator: ", "))")
        }
        return result
    }

    /// An optional list of values.
    public func optionalList<T: ConfigScalar>(_ key: String, of _: T.Type = T.self) throws(ConfigError) -> [T]? {
        guard let value = take(key) else { return nil }
        guard case .sequence(let sequence) = value else {
            throw error(key, "expected a list of \(T.typeName)")
        }
        var items: [T] = []
        for (index, item) in sequence.enumerated() {
            guard let parsed = T(configNode: item) else {
                throw error(key, "item \(index + 1): expected \(T.typeName), found '\(describe(item))'")
            }
            items.append(parsed)
        }
        return items
    }

    /// A required list of values.
    public func list<T: ConfigScalar>(_ key: String, of _: T.Type = T.self) throws(ConfigError) -> [T] {
        guard let items: [T] = try optionalList(key) else { throw error(key, "is required but missing") }
        return items
    }

    /// A nested mapping, or nil when absent.
    public func optionalMapping(_ key: String) throws(ConfigError) -> ConfigMapping? {
        guard let value = take(key) else { return nil }
        return try ConfigMapping(file: file, keyPath: path(of: key), node: value)
    }

    /// A required nested mapping.
    public func mapping(_ key: String) throws(ConfigError) -> ConfigMapping {
        guard let result = try optionalMapping(key) else { throw error(key, "is required but missing") }
        return result
    }

    /// Fails on the first key that nothing asked for: a misspelt or unsupported
    /// option must never be ignored silently.
    public func finish() throws(ConfigError) {
        for (key, _) in entries where !consumed.contains(key) {
            let known = consumed.sorted().joined(separator: ", ")
            throw error(key, "unknown key (known keys here: \(known))")
        }
    }

    private func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let s): s.string
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }
}
