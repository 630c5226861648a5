import Foundation
import Parallel

/// How much memory a node offers a run: its physical memory (`MemTotal` of
/// /proc/meminfo), lowered by the control group's limit when the process runs
/// under one (SLURM's `--mem` is enforced that way), or a limit the user gives
/// (`--max-memory`).
public enum MemoryLimit {
    /// Bytes this node offers, or nil when neither /proc/meminfo nor a
    /// control-group limit can be read.
    public static func node() -> Int? {
        let physical = meminfo("MemTotal")
        let limits = [physical, controlGroupLimit()].compactMap { $0 }
        return limits.min()
    }

    /// A /proc/meminfo entry in bytes.
    static func meminfo(_ key: String) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key + ":") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2, let kib = Int(fields[1]) else { return nil }
            return kib * 1024
        }
        return nil
    }

    /// The cgroup v2 `memory.max` of this process's group, when it is a number.
    static func controlGroupLimit() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return nil }
        let group = line.dropFirst(3)
        guard let value = try? String(contentsOfFile: "/sys/fs/cgroup\(group)/memory.max", encoding: .utf8) else { return nil }
        return Int(value.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Parses a size such as `8G`, `512M` or `1.5T` (binary units K, M, G, T,
    /// as SLURM's --mem; an optional trailing `B` or `iB` is allowed).
    public static func parse(_ text: String) -> Int? {
        var digits = text.trimmingCharacters(in: .whitespaces).uppercased()
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) { digits.removeLast(suffix.count); break }
        guard let unit = digits.last, let power = ["K": 1, "M": 2, "G": 3, "T": 4][String(unit)],
              let value = Double(digits.dropLast()), value.isFinite, value > 0 else { return nil }
        let bytes = value * pow(1024, Double(power))
        return bytes < 9e18 ? Int(bytes) : nil
    }

    /// Refuses the run when the ranks sharing a node together need more than
    /// that node offers (`limit`, else ``node()``): throws the same error on
    /// every rank, naming the node, the estimate and the limit (collective).
    /// Nodes are told apart by host name.
    public static func check(_ estimate: MemoryEstimate, limit: Int?, world: any Communicator) throws {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        let name = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let hostKey = SHA256Digest(text: name).integers[0]
        let offered = limit ?? node() ?? Int.max
        let all = world.allgather([hostKey, estimate.peakPerRank[world.rank], offered])
        let names = world.allgather(Array(name.utf8))
        var needs: [Int: (ranks: [Int], bytes: Int, offered: Int)] = [:]
        for (rank, values) in all.enumerated() {
            var entry = needs[values[0]] ?? ([], 0, values[2])
            entry.ranks.append(rank)
            entry.bytes += values[1]
            entry.offered = min(entry.offered, values[2])
            needs[values[0]] = entry
        }
        let over = needs.values.filter { $0.bytes > $0.offered }.sorted { $0.ranks[0] < $1.ranks[0] }
        guard let first = over.first else { return }
        let node = String(decoding: names[first.ranks[0]], as: UTF8.self)
        let source = limit == nil ? "the node's memory" : "--max-memory"
        throw MemoryLimitError(message: "the run needs about \(MemoryEstimate.format(first.bytes)) on node \(node) "
            + "(\(first.ranks.count) rank(s): \(first.ranks.map(String.init).joined(separator: ", "))) but \(source) is "
            + "\(MemoryEstimate.format(first.offered)); use fewer members, more nodes, or a larger --max-memory if the "
            + "limit is wrong\n\(estimate)")
    }
}

/// A run refused because its memory estimate exceeds what a node offers.
public struct MemoryLimitError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
}
