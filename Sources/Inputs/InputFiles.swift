import ConfigFormat
import Foundation

/// The files of an input, as a configuration names them: a list, or a
/// folder and a shell pattern (`*`, `?`, `[...]`) expanded, sorted, when the
/// provider is made. Paths are absolute (relative ones are resolved against
/// the configuration file's folder when read).
///
///     files: [ct/CT2019B.flux1x1.20160101.nc, ct/CT2019B.flux1x1.20160102.nc]
///     # or
///     directory: ct/fluxes
///     pattern: "CT2019B.flux1x1.2016*.nc"     # default "*.nc"
public enum InputFiles: Sendable, Equatable {
    case list([String])
    case directory(String, pattern: String)

    /// The pattern used when a directory is given without one.
    public static let defaultPattern = "*.nc"

    /// Reads `files`, or `directory` and `pattern`, from `table`.
    public static func read(_ table: ConfigMapping, baseDirectory: URL) throws(ConfigError) -> InputFiles {
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : baseDirectory.appendingPathComponent(path).standardizedFileURL.path
        }
        let paths = try table.optionalList("files", of: String.self)
        let directory = try table.optional("directory", as: String.self)
        let pattern = try table.optional("pattern", as: String.self)
        switch (paths, directory) {
        case (let paths?, nil):
            guard pattern == nil else { throw table.error("pattern", "goes with 'directory', not with 'files'") }
            guard !paths.isEmpty else { throw table.error("files", "the list is empty") }
            return .list(paths.map(resolve))
        case (nil, let directory?):
            guard pattern.map({ !$0.isEmpty }) ?? true else { throw table.error("pattern", "is empty") }
            return .directory(resolve(directory), pattern: pattern ?? defaultPattern)
        default:
            throw table.error(paths == nil ? "files" : "directory",
                              "give either 'files' (a list) or 'directory' (with an optional 'pattern'), not both or neither")
        }
    }

    /// The keys as ``read(_:baseDirectory:)`` takes them.
    public var configEntries: [(String, ConfigNode)] {
        switch self {
        case .list(let paths): [("files", .list(paths.map { .text($0) }))]
        case .directory(let directory, let pattern): [("directory", .text(directory)), ("pattern", .text(pattern))]
        }
    }

    /// The files, sorted for a directory; fails naming the input when a file
    /// is missing or the pattern matches nothing.
    public func paths(for input: String) throws -> [String] {
        switch self {
        case .list(let paths):
            for path in paths where !FileManager.default.fileExists(atPath: path) {
                throw InputFileError(path: path, variable: nil, message: "file does not exist (\(input))")
            }
            return paths
        case .directory(let directory, let pattern):
            let names: [String]
            do {
                names = try FileManager.default.contentsOfDirectory(atPath: directory)
            } catch {
                throw InputFileError(path: directory, variable: nil, message: "cannot list the folder (\(input)): \(error.localizedDescription)")
            }
            let matching = names.filter { fnmatch(pattern, $0, 0) == 0 }.sorted()
            guard !matching.isEmpty else {
                throw InputFileError(path: directory, variable: nil, message: "no file matches '\(pattern)' (\(input))")
            }
            return matching.map { URL(fileURLWithPath: directory).appendingPathComponent($0).path }
        }
    }
}
