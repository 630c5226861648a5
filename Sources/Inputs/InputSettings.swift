import ConfigFormat
import Foundation
import Geometry
import SyntheticWorld

/// The `prior_flux:` section of an experiment configuration (Docs/inputs.md).
///
///     prior_flux:
///       source: synthetic          # the built-in prior (default)
///
///     prior_flux:
///       source: carbontracker      # CT2019B / CT2022 3-hourly 1x1 flux files
///       directory: ct/fluxes       # or files: [...]
///       pattern: "CT2019B.flux1x1.2016*.nc"
///
///     prior_flux:
///       source: files              # any CF lat/lon flux files, per component
///       components:
///         biosphere: {directory: sib4, pattern: "*.nc", variable: nee, time_resolution: 3-hourly}
///         ocean: {files: [ocean.nc], variable: fgco2, units: "mol m-2 s-1", time_resolution: monthly,
///                 positive: down, missing_as_zero: true}
///         fossil: {files: [odiac.nc], variable: land, time_resolution: monthly}
///         fire: zero               # or leave it out
public struct PriorFluxSettings: Sendable, Equatable, ConfigPrintable {
    public enum Source: Sendable, Equatable {
        case synthetic
        case carbonTracker(InputFiles)
        /// Components not in the dictionary are zero.
        case files([PriorFluxComponent: FluxFileSettings])
    }

    public var source: Source

    public static let synthetic = PriorFluxSettings(source: .synthetic)

    public init(source: Source) { self.source = source }

    /// Reads the section; relative paths are taken from `baseDirectory`.
    public init(_ section: ConfigMapping, baseDirectory: URL) throws(ConfigError) {
        switch try section.choice("source", default: "synthetic", from: ["synthetic", "carbontracker", "files"]) {
        case "carbontracker":
            source = .carbonTracker(try InputFiles.read(section, baseDirectory: baseDirectory))
        case "files":
            let table = try section.mapping("components")
            var components: [PriorFluxComponent: FluxFileSettings] = [:]
            for component in PriorFluxComponent.allCases where table.contains(component.rawValue) {
                // A component is the word `zero` or a mapping.
                if let word = try? table.optional(component.rawValue, as: String.self) {
                    guard word == "zero" else { throw table.error(component.rawValue, "expected a mapping or 'zero', found '\(word)'") }
                    continue
                }
                components[component] = try FluxFileSettings(try table.mapping(component.rawValue), baseDirectory: baseDirectory)
            }
            try table.finish()
            guard !components.isEmpty else {
                throw section.error("components", "lists no component with files (biosphere, ocean, fossil, fire); all would be zero")
            }
            source = .files(components)
        default:
            source = .synthetic
        }
        try section.finish()
    }

    public var configNode: ConfigNode {
        switch source {
        case .synthetic:
            return .mapping([("source", .text("synthetic"))])
        case .carbonTracker(let files):
            return .mapping([("source", .text("carbontracker"))] + files.configEntries)
        case .files(let components):
            let entries = PriorFluxComponent.allCases.map { component in
                (component.rawValue, components[component]?.configNode ?? .text("zero"))
            }
            return .mapping([("source", .text("files")), ("components", .mapping(entries))])
        }
    }

    /// The provider these settings describe, on `domain`; file sources check
    /// their files now, so a missing or unreadable file fails before a run.
    public func makeProvider(domain: Domain) throws -> any PriorFluxProvider {
        switch source {
        case .synthetic:
            return try SyntheticPriorFlux(domain: domain)
        case .carbonTracker(let files):
            return try GriddedFluxProvider.carbonTracker(files: files.paths(for: "prior_flux"), domain: domain)
        case .files(let components):
            let list = try PriorFluxComponent.allCases.compactMap { component -> (spec: FluxVariableSpec, files: [String])? in
                guard let settings = components[component] else { return nil }
                return (settings.spec(component), try settings.files.paths(for: "prior_flux.components.\(component.rawValue)"))
            }
            return try GriddedFluxProvider.files(list, domain: domain)
        }
    }
}

/// One component of `prior_flux: {source: files}`: its files and how to read them.
public struct FluxFileSettings: Sendable, Equatable, ConfigPrintable {
    public var files: InputFiles
    /// The flux variable, dimensions (time, latitude, longitude).
    public var variable: String
    /// Units replacing the variable's `units` attribute (nil: use the attribute).
    public var units: String?
    public var timeResolution: FluxTimeResolution
    /// True when positive values go up, into the atmosphere (RCAS's sign).
    public var positiveUp: Bool
    /// Read fill values and NaN as zero flux instead of failing.
    public var missingAsZero: Bool

    public init(files: InputFiles, variable: String, units: String? = nil, timeResolution: FluxTimeResolution,
                positiveUp: Bool = true, missingAsZero: Bool = false) {
        self.files = files
        self.variable = variable
        self.units = units
        self.timeResolution = timeResolution
        self.positiveUp = positiveUp
        self.missingAsZero = missingAsZero
    }

    public init(_ table: ConfigMapping, baseDirectory: URL) throws(ConfigError) {
        files = try InputFiles.read(table, baseDirectory: baseDirectory)
        variable = try table.value("variable", as: String.self)
        units = try table.optional("units", as: String.self)
        if let units {
            do { _ = try FluxUnits(units) } catch { throw table.error("units", error.description) }
        }
        let resolution = try table.choice("time_resolution", from: FluxTimeResolution.allCases.map(\.rawValue))
        timeResolution = FluxTimeResolution(rawValue: resolution)!
        positiveUp = try table.choice("positive", default: "up", from: ["up", "down"]) == "up"
        missingAsZero = try table.value("missing_as_zero", default: false)
        try table.finish()
    }

    public var configNode: ConfigNode {
        var entries = files.configEntries + [("variable", ConfigNode.text(variable))]
        if let units { entries.append(("units", .text(units))) }
        entries += [("time_resolution", .text(timeResolution.rawValue)), ("positive", .text(positiveUp ? "up" : "down")),
                    ("missing_as_zero", .flag(missingAsZero))]
        return .mapping(entries)
    }

    func spec(_ component: PriorFluxComponent) -> FluxVariableSpec {
        FluxVariableSpec(component: component, names: [variable], units: units, resolution: timeResolution,
                         positiveUp: positiveUp, missingAsZero: missingAsZero)
    }
}

/// The `background:` section: initial and lateral-boundary CO2.
///
///     background:
///       source: synthetic          # the built-in background (default)
///
///     background:
///       source: carbontracker      # CT2019B / CT2022 3-hourly mole fractions
///       directory: ct/molefractions    # or files: [...]
///       pattern: "CT2019B.molefrac_glb3x2_2016-*.nc"
public struct BackgroundSettings: Sendable, Equatable, ConfigPrintable {
    public enum Source: Sendable, Equatable {
        case synthetic
        case carbonTracker(InputFiles)
    }

    public var source: Source

    public static let synthetic = BackgroundSettings(source: .synthetic)

    public init(source: Source) { self.source = source }

    /// Reads the section; relative paths are taken from `baseDirectory`.
    public init(_ section: ConfigMapping, baseDirectory: URL) throws(ConfigError) {
        switch try section.choice("source", default: "synthetic", from: ["synthetic", "carbontracker"]) {
        case "carbontracker":
            source = .carbonTracker(try InputFiles.read(section, baseDirectory: baseDirectory))
        default:
            source = .synthetic
        }
        try section.finish()
    }

    public var configNode: ConfigNode {
        switch source {
        case .synthetic: .mapping([("source", .text("synthetic"))])
        case .carbonTracker(let files): .mapping([("source", .text("carbontracker"))] + files.configEntries)
        }
    }

    /// The provider these settings describe, on `domain`; file sources index
    /// their files now, so a missing or unreadable file fails before a run.
    public func makeProvider(domain: Domain) throws -> any BackgroundProvider {
        switch source {
        case .synthetic: SyntheticBackground(domain: domain)
        case .carbonTracker(let files): try CarbonTrackerBackground(files: files.paths(for: "background"), domain: domain)
        }
    }
}
