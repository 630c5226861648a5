import ConfigFormat
import Foundation
import Geometry
import SyntheticWorld

/// Where a run's meteorology comes from: the `meteorology:` section of an
/// experiment configuration (Docs/meteorology.md, "Configuration").
///
///     meteorology:
///       source: synthetic          # the built-in generator (default)
///       seed: 1
///
///     meteorology:
///       source: files
///       directory: met             # relative to the configuration file
///       pattern: "met_2016*.nc"    # shell pattern, default "*.nc"
///       # or: files: [met/jan.nc, met/feb.nc]
///       variables: {temperature: TA, pbl_height: PBL}   # optional renames
public enum MeteorologySettings: Sendable, Equatable {
    /// ``SyntheticMeteorology`` with this seed (and the domain's land/sea
    /// mask when it lists one).
    case synthetic(seed: UInt64)
    /// ``NetCDFMeteorology`` on these files (absolute paths, or a directory
    /// and a pattern resolved when the provider is made) and variable names.
    case files(paths: [String]?, directory: String?, pattern: String, names: [MetFileSchema.Field: String])

    /// Reads the section; relative paths are taken from `baseDirectory`
    /// (normally the configuration file's folder).
    public static func read(_ table: ConfigMapping, baseDirectory: URL) throws(ConfigError) -> MeteorologySettings {
        let source = try table.choice("source", default: "synthetic", from: ["synthetic", "files"])
        let settings: MeteorologySettings
        if source == "synthetic" {
            let seed: Int = try table.value("seed", default: Int(SyntheticMeteorology.defaultSeed), in: 0...Int.max)
            settings = .synthetic(seed: UInt64(seed))
        } else {
            func resolve(_ path: String) -> String {
                path.hasPrefix("/") ? path : baseDirectory.appendingPathComponent(path).path
            }
            let paths: [String]? = try table.optionalList("files", of: String.self)?.map(resolve)
            let directory: String? = try table.optional("directory", as: String.self).map(resolve)
            let pattern: String = try table.value("pattern", default: "*.nc")
            guard (paths == nil) != (directory == nil) else {
                throw table.error("files", "give either 'files' (a list) or 'directory' (with an optional 'pattern'), not both or neither")
            }
            if let paths, paths.isEmpty { throw table.error("files", "the list is empty") }
            var names: [MetFileSchema.Field: String] = [:]
            if let renames = try table.optionalMapping("variables") {
                for field in MetFileSchema.Field.allCases {
                    if let name = try renames.optional(field.defaultName, as: String.self) { names[field] = name }
                }
                try renames.finish()
            }
            settings = .files(paths: paths, directory: directory, pattern: pattern, names: names)
        }
        try table.finish()
        return settings
    }

    /// The provider these settings describe, on `domain`. File sources index
    /// their files now, so missing or mismatched files fail before a run.
    public func makeProvider(domain: Domain) throws -> any MeteorologyProvider {
        switch self {
        case .synthetic(let seed):
            // The domain's land/sea mask, when it has one, shapes the boundary layer.
            let land = domain.maskFiles[LandSeaMask.maskName] == nil ? nil : try LandSeaMask(domain: domain).landFraction
            return SyntheticMeteorology(domain: domain, seed: seed, landFraction: land)
        case .files(let paths, let directory, let pattern, let names):
            let files = try paths ?? NetCDFMeteorology.files(inDirectory: directory!, matching: pattern)
            return try NetCDFMeteorology(domain: domain, files: files, names: names)
        }
    }
}
