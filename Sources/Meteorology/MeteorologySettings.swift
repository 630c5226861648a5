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
///
///     meteorology:
///       source: wrf                # wrfout files on a domain from 'rcas domain from-wrf'
///       directory: wrf
///       pattern: "wrfout_d01_*"    # default
///       # or: files: [wrf/wrfout_d01_2016-07-01_00:00:00, ...]
///       kz: auto                   # auto (EXCH_H when present) | exch_h | diagnosed
///       kz_background_m2_s: 0.1    # diagnosed Kz above the boundary layer
public enum MeteorologySettings: Sendable, Equatable, ConfigPrintable {
    /// ``SyntheticMeteorology`` with this seed (and the domain's land/sea
    /// mask when it lists one).
    case synthetic(seed: UInt64)
    /// ``NetCDFMeteorology`` on these files (absolute paths, or a directory
    /// and a pattern resolved when the provider is made) and variable names.
    case files(paths: [String]?, directory: String?, pattern: String, names: [MetFileSchema.Field: String])
    /// ``WRFMeteorology`` on these wrfout files (paths, or a directory and a
    /// pattern), Kz from `kz` with `kzBackground` (m2 s-1) where diagnosed.
    case wrf(paths: [String]?, directory: String?, pattern: String, kz: WRFMeteorology.KzSource, kzBackground: Double)

    /// The default file pattern of each file source.
    public static let defaultFilesPattern = "*.nc", defaultWRFPattern = "wrfout_d01_*"

    /// Reads the section; relative paths are taken from `baseDirectory`
    /// (normally the configuration file's folder).
    public static func read(_ table: ConfigMapping, baseDirectory: URL) throws(ConfigError) -> MeteorologySettings {
        let source = try table.choice("source", default: "synthetic", from: ["synthetic", "files", "wrf"])
        let settings: MeteorologySettings
        switch source {
        case "synthetic":
            let seed: Int = try table.value("seed", default: Int(SyntheticMeteorology.defaultSeed), in: 0...Int.max)
            settings = .synthetic(seed: UInt64(seed))
        case "files":
            let (paths, directory, pattern) = try readFiles(table, baseDirectory: baseDirectory, defaultPattern: defaultFilesPattern)
            var names: [MetFileSchema.Field: String] = [:]
            if let renames = try table.optionalMapping("variables") {
                for field in MetFileSchema.Field.allCases {
                    if let name = try renames.optional(field.defaultName, as: String.self) { names[field] = name }
                }
                try renames.finish()
            }
            settings = .files(paths: paths, directory: directory, pattern: pattern, names: names)
        default:
            let (paths, directory, pattern) = try readFiles(table, baseDirectory: baseDirectory, defaultPattern: defaultWRFPattern)
            let kz = try table.choice("kz", default: WRFMeteorology.KzSource.auto.rawValue,
                                      from: WRFMeteorology.KzSource.allCases.map(\.rawValue))
            let background: Double = try table.value("kz_background_m2_s", default: BoundaryLayerDiffusivity.defaultBackground,
                                                     in: 0...100)
            settings = .wrf(paths: paths, directory: directory, pattern: pattern,
                            kz: WRFMeteorology.KzSource(rawValue: kz)!, kzBackground: background)
        }
        try table.finish()
        return settings
    }

    /// `files` (a list) or `directory` with an optional `pattern`.
    private static func readFiles(_ table: ConfigMapping, baseDirectory: URL, defaultPattern: String) throws(ConfigError)
        -> (paths: [String]?, directory: String?, pattern: String) {
        func resolve(_ path: String) -> String {
            path.hasPrefix("/") ? path : baseDirectory.appendingPathComponent(path).path
        }
        let paths: [String]? = try table.optionalList("files", of: String.self)?.map(resolve)
        let directory: String? = try table.optional("directory", as: String.self).map(resolve)
        let pattern: String = try table.value("pattern", default: defaultPattern)
        guard (paths == nil) != (directory == nil) else {
            throw table.error("files", "give either 'files' (a list) or 'directory' (with an optional 'pattern'), not both or neither")
        }
        if let paths, paths.isEmpty { throw table.error("files", "the list is empty") }
        return (paths, directory, pattern)
    }

    /// The resolved section (defaults included, paths absolute), in the
    /// layout ``read(_:baseDirectory:)`` takes.
    public var configNode: ConfigNode {
        func fileEntries(_ paths: [String]?, _ directory: String?, _ pattern: String) -> [(String, ConfigNode)] {
            if let paths { return [("files", .list(paths.map { .text($0) }))] }
            return [("directory", .text(directory ?? "")), ("pattern", .text(pattern))]
        }
        switch self {
        case .synthetic(let seed):
            return .mapping([("source", .text("synthetic")), ("seed", .integer(Int(seed)))])
        case let .files(paths, directory, pattern, names):
            var entries = [("source", ConfigNode.text("files"))] + fileEntries(paths, directory, pattern)
            let renames = MetFileSchema.Field.allCases.compactMap { field in names[field].map { (field.defaultName, ConfigNode.text($0)) } }
            if !renames.isEmpty { entries.append(("variables", .mapping(renames))) }
            return .mapping(entries)
        case let .wrf(paths, directory, pattern, kz, background):
            return .mapping([("source", .text("wrf"))] + fileEntries(paths, directory, pattern)
                            + [("kz", .text(kz.rawValue)), ("kz_background_m2_s", .number(background))])
        }
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
        case let .wrf(paths, directory, pattern, kz, background):
            let files = try paths ?? NetCDFMeteorology.files(inDirectory: directory!, matching: pattern)
            return try WRFMeteorology(domain: domain, files: files, kzSource: kz,
                                      diffusivity: BoundaryLayerDiffusivity(background: background))
        }
    }
}
