/// A configuration value as its owner prints it: each settings type that reads
/// a section with ``ConfigMapping`` also describes its resolved values (defaults
/// included) as a `ConfigNode`, so the parser and the printer live side by side
/// and cannot drift. ``yaml`` renders the node as YAML that ``ConfigMapping``
/// reads back to the same values.
public indirect enum ConfigNode: Sendable, Equatable {
    case text(String)
    case number(Double)
    case integer(Int)
    case flag(Bool)
    case list([ConfigNode])
    /// Keys in the order they are printed.
    case mapping([(String, ConfigNode)])

    public static func == (a: ConfigNode, b: ConfigNode) -> Bool {
        switch (a, b) {
        case (.text(let x), .text(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.integer(let x), .integer(let y)): x == y
        case (.flag(let x), .flag(let y)): x == y
        case (.list(let x), .list(let y)): x == y
        case (.mapping(let x), .mapping(let y)): x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    /// Block-style YAML for a top-level mapping (nested mappings of scalars
    /// print in flow style on one line, deeper structure in block style).
    public var yaml: String {
        guard case .mapping(let entries) = self else { return flow + "\n" }
        return Self.block(entries, indent: "")
    }

    private static func block(_ entries: [(String, ConfigNode)], indent: String) -> String {
        var text = ""
        for (key, value) in entries {
            if case .mapping(let inner) = value, inner.contains(where: { $0.1.isNested }) {
                text += "\(indent)\(quoted(key)):\n" + block(inner, indent: indent + "  ")
            } else {
                text += "\(indent)\(quoted(key)): \(value.flow)\n"
            }
        }
        return text
    }

    private var isNested: Bool {
        switch self {
        case .mapping(let entries): !entries.isEmpty
        case .list(let items): items.contains { $0.isNested }
        default: false
        }
    }

    /// The value on one line (YAML flow style).
    public var flow: String {
        switch self {
        case .text(let s): Self.quoted(s)
        case .number(let x): Self.number(x)
        case .integer(let n): String(n)
        case .flag(let b): b ? "true" : "false"
        case .list(let items): "[" + items.map(\.flow).joined(separator: ", ") + "]"
        case .mapping(let entries): "{" + entries.map { "\(Self.quoted($0.0)): \($0.1.flow)" }.joined(separator: ", ") + "}"
        }
    }

    /// Shortest text that reads back as the same Double ("1280.0" stays a number).
    static func number(_ x: Double) -> String {
        if x.isNaN { return ".nan" }
        if x.isInfinite { return x > 0 ? ".inf" : "-.inf" }
        return "\(x)"
    }

    /// Plain text when YAML reads it back as the same string, otherwise a
    /// double-quoted scalar with every control character escaped (so a name
    /// holding a newline or an escape sequence cannot break the document or
    /// a terminal).
    static func quoted(_ s: String) -> String {
        if isPlainSafe(s) { return s }
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f || (0x80...0x9f).contains(scalar.value) {
                    out += "\\x" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static let reservedWords: Set<String> = [
        "", "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES",
        "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
    ]

    private static func isPlainSafe(_ s: String) -> Bool {
        guard !reservedWords.contains(s), Double(s) == nil, Int(s) == nil else { return false }
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        if " -?:,[]{}#&*!|>'\"%@`.".unicodeScalars.contains(first) || last == " " { return false }
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if v < 0x20 || v == 0x7f || (0x80...0x9f).contains(v) { return false }
            if ",[]{}#\"'".unicodeScalars.contains(scalar) { return false }
        }
        return !s.contains(": ") && !s.contains(" #") && !s.hasSuffix(":")
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}

/// A settings type that prints its own resolved section (see ``ConfigNode``).
public protocol ConfigPrintable {
    /// Every value as used, defaults included, in the layout the reader takes.
    var configNode: ConfigNode { get }
}
