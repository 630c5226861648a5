import Foundation
import ModelTime
import NetCDFIO

/// The NetCDF layout of RCAS meteorology files (Docs/meteorology.md): the
/// dimension names, the variables with their dimensions and units, and the
/// time-coordinate conventions shared by ``NetCDFMeteorology`` and
/// ``MetFileWriter``.
public enum MetFileSchema {
    /// Value of the global attribute `rcas_met_schema` written by ``MetFileWriter``.
    public static let version = "rcas-met-1"

    /// Dimension names.
    public static let time = "time", layer = "z", interface = "z_interface"
    public static let x = "x", y = "y", xFace = "x_face", yFace = "y_face"

    /// A field of `MetFields` and how it is stored.
    public enum Field: String, CaseIterable, Sendable {
        case u, v, w, temperature, pressure, airMolarDensity, kz, pblHeight, waterVapour, surfacePressure

        /// Dimensions after `time`, outermost first.
        public var dimensions: [String] {
            switch self {
            case .u: [layer, y, xFace]
            case .v: [layer, yFace, x]
            case .w, .kz: [interface, y, x]
            case .temperature, .pressure, .airMolarDensity, .waterVapour: [layer, y, x]
            case .pblHeight, .surfacePressure: [y, x]
            }
        }

        /// Units (UDUNITS spelling).
        public var units: String {
            switch self {
            case .u, .v, .w: "m s-1"
            case .temperature: "K"
            case .pressure, .surfacePressure: "Pa"
            case .airMolarDensity: "mol m-3"
            case .kz: "m2 s-1"
            case .pblHeight: "m"
            case .waterVapour: "mol mol-1"
            }
        }

        /// Default variable name in the file.
        public var defaultName: String {
            switch self {
            case .airMolarDensity: "air_molar_density"
            case .pblHeight: "pbl_height"
            case .waterVapour: "water_vapour"
            case .surfacePressure: "surface_pressure"
            default: rawValue
            }
        }

        /// CF long name.
        public var longName: String {
            switch self {
            case .u: "wind component along the projection x axis on the west face of each cell"
            case .v: "wind component along the projection y axis on the south face of each cell"
            case .w: "upward wind on layer interfaces"
            case .temperature: "air temperature at cell centres"
            case .pressure: "air pressure at cell centres"
            case .airMolarDensity: "air molar density at cell centres"
            case .kz: "vertical eddy diffusivity on layer interfaces"
            case .pblHeight: "atmosphere boundary layer thickness"
            case .waterVapour: "water vapour mole fraction at cell centres"
            case .surfacePressure: "surface air pressure"
            }
        }

        /// The physical quantity, for the units check (``PhysicalQuantity``).
        public var quantity: PhysicalQuantity {
            switch self {
            case .u, .v, .w: .speed
            case .temperature: .temperature
            case .pressure, .surfacePressure: .pressure
            case .airMolarDensity: .molarDensity
            case .kz: .diffusivity
            case .pblHeight: .length
            case .waterVapour: .moleFraction
            }
        }

        /// Physically plausible values (after unit conversion); anything
        /// outside is rejected on read.
        public var validRange: ClosedRange<Double> {
            switch self {
            case .u, .v: -150...150
            case .w: -50...50
            case .temperature: 150...350
            case .pressure: 1...110_000
            case .airMolarDensity: 1e-4...60
            case .kz: 0...5000
            case .pblHeight: 0...10_000
            case .waterVapour: 0...0.1
            case .surfacePressure: 30_000...110_000
            }
        }

        /// Fields a file may leave out: `w` (transport then derives the
        /// vertical flux from continuity) and `air_molar_density` (computed
        /// as p / (R* T)).
        public var isOptional: Bool { self == .w || self == .airMolarDensity }
    }
}
