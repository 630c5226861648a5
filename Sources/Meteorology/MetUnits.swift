import Foundation
import NetCDFIO

/// The physical quantities meteorology readers take from files, with the
/// unit each must be converted to and the spellings accepted for it
/// (Docs/meteorology.md, "Units"). A variable's `units` attribute is
/// normalised (case, `/x` as `x-1`, `^`, `**`, `.` and `*` separators) and
/// looked up here; a unit that is not listed for the quantity is an error,
/// never a guess.
public enum MetQuantity: String, Sendable, CaseIterable {
    /// Wind components, friction velocity (m s-1).
    case speed
    /// Absolute temperature (K).
    case temperature
    /// A temperature difference, e.g. WRF's perturbation potential temperature (K).
    case temperatureDifference
    /// Pressure (Pa).
    case pressure
    /// Geopotential (m2 s-2).
    case geopotential
    /// Heights and lengths (m).
    case length
    /// Eddy diffusivity (m2 s-1).
    case diffusivity
    /// Water-vapour mass mixing ratio (kg kg-1).
    case massMixingRatio
    /// Mole fraction (mol mol-1).
    case moleFraction
    /// Molar density (mol m-3).
    case molarDensity
    /// Energy flux density (W m-2).
    case heatFlux
    /// Latitude (degrees north).
    case latitude
    /// Longitude (degrees east).
    case longitude
    /// Dimensionless numbers (map factors, eta, masks, categories).
    case dimensionless

    /// The unit values are converted to (UDUNITS spelling).
    public var canonicalUnit: String {
        switch self {
        case .speed: "m s-1"
        case .temperature, .temperatureDifference: "K"
        case .pressure: "Pa"
        case .geopotential: "m2 s-2"
        case .length: "m"
        case .diffusivity: "m2 s-1"
        case .massMixingRatio: "kg kg-1"
        case .moleFraction: "mol mol-1"
        case .molarDensity: "mol m-3"
        case .heatFlux: "W m-2"
        case .latitude: "degree_north"
        case .longitude: "degree_east"
        case .dimensionless: "1"
        }
    }

    /// Accepted spellings (normalised) and their conversion to the canonical
    /// unit: canonical = value × scale + offset.
    var accepted: [String: (scale: Double, offset: Double)] {
        var table: [String: (scale: Double, offset: Double)] = [:]
        func add(_ scale: Double, offset: Double = 0, _ names: [String]) {
            for name in names { table[name] = (scale, offset) }
        }
        let knot = 1852.0 / 3600
        switch self {
        case .speed:
            add(1, ["m s-1", "meter s-1", "meters s-1", "metre s-1", "metres s-1", "meter second-1",
                    "meters second-1", "metre second-1", "metres second-1"])
            add(1 / 3.6, ["km h-1", "km hr-1", "kph", "kmh"])
            add(0.01, ["cm s-1"])
            add(knot, ["knot", "knots", "kt", "kts"])
        case .temperature:
            add(1, ["k", "kelvin", "degk", "deg_k", "degree_k", "degrees_k"])
            add(1, offset: 273.15, ["degc", "deg_c", "degree_c", "degrees_c", "celsius", "degree_celsius", "degrees_celsius", "°c"])
        case .temperatureDifference:
            add(1, ["k", "kelvin"])
        case .pressure:
            add(1, ["pa", "pascal", "pascals"])
            add(100, ["hpa", "mb", "mbar", "millibar", "millibars"])
            add(1000, ["kpa"])
        case .geopotential:
            add(1, ["m2 s-2"])
        case .length:
            add(1, ["m", "meter", "meters", "metre", "metres"])
            add(1000, ["km"])
        case .diffusivity:
            add(1, ["m2 s-1"])
            add(1e-4, ["cm2 s-1"])
        case .massMixingRatio:
            add(1, ["kg kg-1", "g g-1"])
            add(1e-3, ["g kg-1"])
        case .moleFraction:
            add(1, ["mol mol-1", "1"])
            add(1e-6, ["ppm", "ppmv", "umol mol-1", "µmol mol-1"])
        case .molarDensity:
            add(1, ["mol m-3"])
        case .heatFlux:
            add(1, ["w m-2"])
        case .latitude:
            add(1, ["degree_north", "degrees_north", "degree_n", "degrees_n", "degreen", "degreesn"])
        case .longitude:
            add(1, ["degree_east", "degrees_east", "degree_e", "degrees_e", "degreee", "degreese"])
        case .dimensionless:
            add(1, ["", "1", "-", "none", "dimensionless", "flag"])
        }
        return table
    }

    /// The conversion of values in `units` to the canonical unit, or nil when
    /// `units` is not an accepted spelling for this quantity. A missing units
    /// attribute (`nil`) is accepted only for dimensionless numbers.
    public func conversion(from units: String?) -> (scale: Double, offset: Double)? {
        guard let units else { return self == .dimensionless ? (1, 0) : nil }
        return accepted[Self.normalised(units)]
    }

    /// Lower case, `a/b` as `a b-1`, exponent markers `^` and `**` removed,
    /// `.`, `*` and `·` between factors as spaces, single spaces.
    static func normalised(_ units: String) -> String {
        var text = units.trimmingCharacters(in: .whitespaces).lowercased()
        for marker in ["**", "^"] { text = text.replacingOccurrences(of: marker, with: "") }
        for separator in ["·", "*"] { text = text.replacingOccurrences(of: separator, with: " ") }
        // A '.' between letters/digits and letters separates factors ("m.s-1"); keep decimal points.
        var chars = Array(text)
        for n in chars.indices where chars[n] == "." && n > 0 && n + 1 < chars.count && chars[n + 1].isLetter {
            chars[n] = " "
        }
        text = String(chars)
        var factors: [String] = []
        for (n, part) in text.split(separator: "/", omittingEmptySubsequences: false).enumerated() {
            for factor in part.split(separator: " ") {
                guard n > 0 else { factors.append(String(factor)); continue }
                // After a '/': invert the exponent (s -> s-1, s2 -> s-2).
                let letters = factor.prefix { !$0.isNumber && $0 != "-" }
                let exponent = Int(factor.dropFirst(letters.count)) ?? 1
                factors.append("\(letters)\(-exponent)")
            }
        }
        return factors.joined(separator: " ")
    }
}

/// Reads and checks the `units` attribute of `variable` for `quantity`,
/// returning the conversion to the canonical unit; errors name the file, the
/// variable, the unit found and the unit needed.
func unitConversion(of variable: NetCDFVariable, path: String, quantity: MetQuantity) throws
    -> (scale: Double, offset: Double) {
    let attribute = try variable.attribute("units")
    guard attribute == nil || attribute?.text != nil else {
        throw NetCDFError(path: path, object: variable.name, operation: "read meteorology",
                          message: "the 'units' attribute is not text")
    }
    let units = attribute?.text
    guard let conversion = quantity.conversion(from: units) else {
        let found = units.map { "units '\($0)'" } ?? "no 'units' attribute"
        throw NetCDFError(path: path, object: variable.name, operation: "read meteorology",
                          message: "\(found): expected \(quantity.canonicalUnit) (\(quantity.rawValue)) or a unit convertible to it without ambiguity")
    }
    return conversion
}
