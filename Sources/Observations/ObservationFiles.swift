import Foundation

/// The files of an observation source as configured: file paths and folders.
public enum ObservationFiles {
    /// File name endings taken from folders: `.nc` and `.nc4` (every real
    /// OCO-2 and ACOS Lite file ends in `.nc4`, ObsPack files in `.nc`).
    public static let extensions = ["nc", "nc4"]

    /// Files named in `paths` (kept in the order given) with each folder
    /// replaced by its `*.nc` and `*.nc4` files, sorted by name (not
    /// recursive; hidden files such as RCAS's own `.partial` files skipped).
    /// Throws, naming `source` (the configuration key) and the path, when a
    /// path does not exist, a folder holds no such file, or the whole list
    /// yields no file: a configured source never silently gives nothing.
    public static func expand(_ paths: [String], source: String) throws(ObservationError) -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw ObservationError(file: path, variable: nil, message: "\(source): no such file or folder")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                throw ObservationError(file: path, variable: nil, message: "\(source): cannot list the folder: \(error.localizedDescription)")
            }
            let matching = names.filter { name in
                !name.hasPrefix(".") && extensions.contains(URL(fileURLWithPath: name).pathExtension.lowercased())
            }.sorted()
            guard !matching.isEmpty else {
                throw ObservationError(file: path, variable: nil,
                                       message: "\(source): the folder holds no *.nc or *.nc4 file")
            }
            files += matching.map { URL(fileURLWithPath: path).appendingPathComponent($0).path }
        }
        guard !files.isEmpty else {
            throw ObservationError(file: source, variable: nil, message: "no observation files are configured")
        }
        return files
    }
}
