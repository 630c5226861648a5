import ConfigFormat
import Foundation

/// The error of an in-situ observation in the analysis (ppm):
/// r = max(floor, √(fixed² + (scale · value_unc)²)), the terms present
/// combined in quadrature (a representation error and the measurement's own
/// uncertainty are independent).
public struct InSituErrorModel: Sendable, Equatable {
    /// A fixed error (ppm), e.g. the model's representation error; nil for none.
    public var fixed: Double?
    /// Factor on the file's `value_unc`; nil to ignore `value_unc`.
    public var uncertaintyScale: Double?
    /// The smallest error used (ppm).
    public var floor: Double

    /// RCAS's defaults (its own choice, not a seed's): 1 ppm fixed combined
    /// with `value_unc` as reported, at least 0.5 ppm.
    public static let standard = InSituErrorModel(fixed: 1, uncertaintyScale: 1, floor: 0.5)

    public init(fixed: Double?, uncertaintyScale: Double?, floor: Double) {
        self.fixed = fixed
        self.uncertaintyScale = uncertaintyScale
        self.floor = floor
    }

    /// The error for a record with `valueUncertainty` (ppm, nil when the file
    /// gives none). A record without `value_unc` takes the fixed term alone;
    /// nil when the model has only the `value_unc` term and the record none.
    public func error(valueUncertainty: Double?) -> Double? {
        let measured = uncertaintyScale.flatMap { scale in valueUncertainty.map { scale * $0 } }
        guard fixed != nil || measured != nil else { return nil }
        let fixedTerm = fixed ?? 0, measuredTerm = measured ?? 0
        return max(floor, (fixedTerm * fixedTerm + measuredTerm * measuredTerm).squareRoot())
    }
}

/// Which ObsPack `qcflag` values are kept. The flag has three characters,
/// each "." when the record passed: (1) rejection, (2) selection (e.g. not
/// background conditions), (3) information only.
public enum QCFlagRule: String, Sendable, CaseIterable {
    /// Do not look at `qcflag`.
    case ignore
    /// The first character is "." (the record is not rejected).
    case notRejected = "not-rejected"
    /// The first two characters are "." (not rejected and selected).
    case passed

    /// True when `flag` (nil: the file has none) passes the rule.
    public func accepts(_ flag: String?) -> Bool {
        switch self {
        case .ignore: true
        case .notRejected: flag.map { $0.first == "." } ?? true
        case .passed: flag.map { $0.prefix(2) == ".." } ?? true
        }
    }
}

/// The `in_situ:` section of an experiment configuration: ObsPack CO2 files
/// and how their records are used.
///
///     in_situ:
///       files: [obspack/]             # files or folders (their *.nc, *.nc4)
///       sites: [AMY, SDZ, WLG]        # site codes to use; omit for every site
///       use: validate                 # validate | assimilate
///       obs_flag: [1]                 # obs_flag values kept; [] ignores obs_flag
///       qcflag: not-rejected          # ignore | not-rejected | passed
///       error: {fixed_ppm: 1.0, value_unc_scale: 1.0, floor_ppm: 0.5}
///       omb_gate_ppm: 10              # assimilated samples further than this from H(x̄) are rejected
/// A twin experiment (`rcas osse`) samples its own synthetic site files and
/// takes every key here but `files`, which may then be omitted.
public struct InSituSettings: Sendable, Equatable, ConfigPrintable {
    /// What the records are for.
    public enum Use: String, Sendable, CaseIterable {
        /// Compared with the model only (Kou2023).
        case validate
        /// Assimilated with the point operator (GCASv2, He2023, Jiang2021).
        case assimilate
    }

    /// Files and folders (absolute, or relative to the configuration file).
    public var files: [String]
    /// Site codes (upper case) to use; nil for every site.
    public var sites: [String]?
    public var use: Use
    /// `obs_flag` values kept; empty to ignore the flag.
    public var obsFlags: [Int]
    public var qcFlag: QCFlagRule
    public var error: InSituErrorModel
    /// OMB gate (ppm) of assimilated samples.
    public var ombGate: Double

    public init(files: [String], sites: [String]? = nil, use: Use = .validate, obsFlags: [Int] = [1],
                qcFlag: QCFlagRule = .notRejected, error: InSituErrorModel = .standard, ombGate: Double = 10) {
        self.files = files
        self.sites = sites.map { $0.map { $0.uppercased() } }
        self.use = use
        self.obsFlags = obsFlags
        self.qcFlag = qcFlag
        self.error = error
        self.ombGate = ombGate
    }

    /// Reads the section; relative paths are taken from `baseDirectory`.
    public init(_ section: ConfigMapping, baseDirectory: URL) throws(ConfigError) {
        let listed: [String]? = try section.optionalList("files")
        if let listed, listed.isEmpty { throw section.error("files", "lists no file or folder (omit it in a twin experiment)") }
        let paths = listed ?? []
        files = paths.map { path in
            path.hasPrefix("/") ? path : baseDirectory.appendingPathComponent(path).standardizedFileURL.path
        }
        if let codes: [String] = try section.optionalList("sites") {
            guard !codes.isEmpty else { throw section.error("sites", "is empty (omit it to use every site)") }
            sites = codes.map { $0.uppercased() }
        } else {
            sites = nil
        }
        let useName = try section.choice("use", default: Use.validate.rawValue, from: Use.allCases.map(\.rawValue))
        use = Use(rawValue: useName) ?? .validate
        obsFlags = try section.optionalList("obs_flag") ?? [1]
        let rule = try section.choice("qcflag", default: QCFlagRule.notRejected.rawValue,
                                      from: QCFlagRule.allCases.map(\.rawValue))
        qcFlag = QCFlagRule(rawValue: rule) ?? .notRejected
        if let errorSection = try section.optionalMapping("error") {
            let fixed: Double? = try errorSection.optional("fixed_ppm")
            let scale: Double? = try errorSection.optional("value_unc_scale")
            let floor: Double = try errorSection.value("floor_ppm", default: 0, in: 0...100)
            for (key, value) in [("fixed_ppm", fixed), ("value_unc_scale", scale)] {
                if let value, !(value > 0 && value <= 100) {
                    throw errorSection.error(key, "must be in (0, 100], found \(value)")
                }
            }
            guard fixed != nil || scale != nil else {
                throw section.error("error", "needs fixed_ppm, value_unc_scale or both")
            }
            try errorSection.finish()
            error = InSituErrorModel(fixed: fixed, uncertaintyScale: scale, floor: floor)
        } else {
            error = .standard
        }
        ombGate = try section.value("omb_gate_ppm", default: 10.0, in: 0.01...1000)
        try section.finish()
    }

    public var configNode: ConfigNode {
        var errorEntries: [(String, ConfigNode)] = []
        if let fixed = error.fixed { errorEntries.append(("fixed_ppm", .number(fixed))) }
        if let scale = error.uncertaintyScale { errorEntries.append(("value_unc_scale", .number(scale))) }
        errorEntries.append(("floor_ppm", .number(error.floor)))
        var entries: [(String, ConfigNode)] = [("files", .list(files.map { .text($0) }))]
        if let sites { entries.append(("sites", .list(sites.map { .text($0) }))) }
        entries += [("use", .text(use.rawValue)), ("obs_flag", .list(obsFlags.map { .integer($0) })),
                    ("qcflag", .text(qcFlag.rawValue)), ("error", .mapping(errorEntries)), ("omb_gate_ppm", .number(ombGate))]
        return .mapping(entries)
    }
}
