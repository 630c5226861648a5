import ConfigFormat
import Foundation
import Parallel

/// The start-up check that every rank of a run holds the same resolved
/// configuration and sees the same input files. Ranks started with different
/// configuration files or options (or on nodes whose file systems differ)
/// would otherwise fail in a collective with an index out of range, or,
/// worse, finish with outputs mixing two configurations.
public enum RankConsistency {
    /// Compares every rank's configuration fingerprint and input-file
    /// inventory with rank 0's (collective: one allgather); throws the same
    /// error on every rank, naming the ranks that differ.
    public static func verify(_ config: ExperimentConfig, world: any Communicator) throws {
        let inventory = InputInventory(config)
        let mine = ConfigurationFingerprint(config).digest.integers + inventory.digest.integers
        let all = world.allgather(mine)
        let configuration = all.indices.filter { Array(all[$0].prefix(4)) != Array(all[0].prefix(4)) }
        let inputs = all.indices.filter { all[$0] != all[0] && !configuration.contains($0) }
        guard !configuration.isEmpty || !inputs.isEmpty else { return }
        var problems: [String] = []
        if !configuration.isEmpty {
            problems.append("\(ranks(configuration, "holds", "hold")) a different configuration than rank 0 (the SHA-256 of the "
                            + "resolved configuration differs): start every rank with the same configuration file and options")
        }
        if !inputs.isEmpty {
            problems.append("\(ranks(inputs, "sees", "see")) different input files than rank 0 (names, sizes or modification times "
                            + "differ among the \(inventory.entries.count) files the configuration names): every rank "
                            + "must read the same files")
        }
        throw ExperimentError.invalidInput(problems.joined(separator: "; "))
    }

    /// "rank 1 holds" or "ranks 1, 3 hold".
    private static func ranks(_ list: [Int], _ singular: String, _ plural: String) -> String {
        list.count == 1 ? "rank \(list[0]) \(singular)" : "ranks \(list.map(String.init).joined(separator: ", ")) \(plural)"
    }
}

/// The input files a configuration names, as this process sees them: every
/// path under a `files`, `directory` or `domain` key of the resolved
/// configuration, folders replaced by their visible files, each with its
/// size and modification time.
public struct InputInventory: Sendable {
    /// "path size mtime" per file ("path missing" for a path that does not exist), sorted.
    public let entries: [String]

    public init(_ config: ExperimentConfig) {
        var paths: [String] = []
        func walk(_ node: ConfigNode, key: String?) {
            switch node {
            case .mapping(let entries): for (k, value) in entries { walk(value, key: k) }
            case .list(let items): for item in items { walk(item, key: key) }
            case .text(let text) where ["files", "directory", "domain"].contains(key ?? ""): paths.append(text)
            default: break
            }
        }
        walk(config.configNode, key: nil)
        var entries: [String] = []
        for path in Set(paths) {
            var status = stat()
            guard stat(path, &status) == 0 else {
                entries.append("\(path) missing")
                continue
            }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                entries.append(Self.entry(path, status))
                continue
            }
            let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
            for name in names where !name.hasPrefix(".") {
                let file = URL(fileURLWithPath: path).appendingPathComponent(name).path
                var fileStatus = stat()
                if stat(file, &fileStatus) == 0, fileStatus.st_mode & S_IFMT == S_IFREG {
                    entries.append(Self.entry(file, fileStatus))
                }
            }
        }
        self.entries = entries.sorted()
    }

    private static func entry(_ path: String, _ status: stat) -> String {
        "\(path) \(status.st_size) \(status.st_mtim.tv_sec).\(status.st_mtim.tv_nsec)"
    }

    /// SHA-256 of the entries.
    public var digest: SHA256Digest { SHA256Digest(text: entries.joined(separator: "\n")) }
}
