import ConfigFormat
import Foundation
import Geometry
import SyntheticWorld

/// The `prior_flux:` section of an experiment configuration.
///
///     prior_flux:
///       source: synthetic          # the built-in prior (default)
public struct PriorFluxSettings: Sendable, Equatable, ConfigPrintable {
    public enum Source: Sendable, Equatable {
        case synthetic
    }

    public var source: Source

    public static let synthetic = PriorFluxSettings(source: .synthetic)

    public init(source: Source) { self.source = source }

    /// Reads the section; relative paths are taken from `baseDirectory`.
    public init(_ section: ConfigMapping, baseDirectory: URL) throws(ConfigError) {
        _ = try section.choice("source", default: "synthetic", from: ["synthetic"])
        source = .synthetic
        try section.finish()
    }

    public var configNode: ConfigNode {
        switch source {
        case .synthetic: .mapping([("source", .text("synthetic"))])
        }
    }

    /// The provider these settings describe, on `domain`; file sources check
    /// their files now, so a missing or unreadable file fails before a run.
    public func makeProvider(domain: Domain) throws -> any PriorFluxProvider {
        switch source {
        case .synthetic: try SyntheticPriorFlux(domain: domain)
        }
    }
}

/// The `background:` section: initial and lateral-boundary CO2.
///
///     background:
///       source: synthetic          # the built-in background (default)
public struct BackgroundSettings: Sendable, Equatable, ConfigPrintable {
    public enum Source: Sendable, Equatable {
        case synthetic
    }

    public var source: Source

    public static let synthetic = BackgroundSettings(source: .synthetic)

    public init(source: Source) { self.source = source }

    /// Reads the section; relative paths are taken from `baseDirectory`.
    public init(_ section: ConfigMapping, baseDirectory: URL) throws(ConfigError) {
        _ = try section.choice("source", default: "synthetic", from: ["synthetic"])
        source = .synthetic
        try section.finish()
    }

    public var configNode: ConfigNode {
        switch source {
        case .synthetic: .mapping([("source", .text("synthetic"))])
        }
    }

    /// The provider these settings describe, on `domain`.
    public func makeProvider(domain: Domain) throws -> any BackgroundProvider {
        switch source {
        case .synthetic: SyntheticBackground(domain: domain)
        }
    }
}
