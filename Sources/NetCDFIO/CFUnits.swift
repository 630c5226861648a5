import Foundation

/// A `units` (or `calendar`) text RCAS does not understand.
public struct CFUnitsError: Error, CustomStringConvertible, Sendable {
    /// The text as found.
    public let units: String
    /// What is wrong with it.
    public let message: String

    public init(units: String, message: String) {
        self.units = units
        self.message = message
    }

    public var description: String { "units '\(units)': \(message)" }
}

/// One factor of a unit: a symbol and its power (`m-2` is `m` to the −2).
public struct UnitFactor: Sendable, Equatable {
    /// The symbol as written (case kept: `Mg` and `mg` differ).
    public let symbol: String
    /// The power, negative for factors divided by.
    public let exponent: Int

    public init(symbol: String, exponent: Int) {
        self.symbol = symbol
        self.exponent = exponent
    }
}

/// The one reader of unit texts in RCAS (time units: ``CFTimeUnits``).
/// Every module takes its conversions from here: ``PhysicalQuantity`` for
/// the quantities read from files, ``factors(of:compounds:)`` for modules
/// that interpret the factors themselves (surface-flux units, where carbon
/// and CO2 masses need the molar masses).
public enum CFUnits {
    /// The factors of `units`, read as UDUNITS does: factors separated by
    /// blanks, `.`, `*` or `·`; a power written `m-2`, `m^-2`, `m**-2`,
    /// `m⁻²`; `/` (or the word `per`) divides by the one factor after it, or
    /// by a parenthesised group (`mol/(m2 s)`). `µ` and `μ` are read as `u`.
    /// A number (`1e-6`) stays whole, and so does a symbol ending with one of
    /// `compounds` (the 2 of `CO2` or `gCO2` is not a power).
    public static func factors(of units: String, compounds: [String] = []) throws(CFUnitsError) -> [UnitFactor] {
        var text = units.trimmingCharacters(in: .whitespacesAndNewlines)
        for (from, to) in [("µ", "u"), ("μ", "u"), ("⁻", "-"), ("¹", "1"), ("²", "2"), ("³", "3"), ("**", ""), ("^", ""),
                           ("·", " "), ("*", " "), ("/", " / "), ("(", " ( "), (")", " ) ")] {
            text = text.replacingOccurrences(of: from, with: to)
        }
        // A '.' before a letter separates factors ("m.s-1"); decimal points stay.
        var characters = Array(text)
        for n in characters.indices where characters[n] == "." && n > 0 && n + 1 < characters.count && characters[n + 1].isLetter {
            characters[n] = " "
        }
        var factors: [UnitFactor] = []
        var groupSigns: [Int] = []
        var divideNext = false
        for token in String(characters).split(separator: " ").map(String.init) {
            let sign = (groupSigns.last ?? 1) * (divideNext ? -1 : 1)
            switch token {
            case "/":
                guard !divideNext else { throw CFUnitsError(units: units, message: "two divisions in a row") }
                divideNext = true
            case "(":
                groupSigns.append(sign)
                divideNext = false
            case ")":
                guard groupSigns.popLast() != nil, !divideNext else {
                    throw CFUnitsError(units: units, message: "unbalanced parentheses")
                }
            default:
                if token.lowercased() == "per" {
                    divideNext = true
                    continue
                }
                let (symbol, power) = splitPower(token, compounds: compounds)
                factors.append(UnitFactor(symbol: symbol, exponent: sign * power))
                divideNext = false
            }
        }
        guard groupSigns.isEmpty else { throw CFUnitsError(units: units, message: "unbalanced parentheses") }
        guard !divideNext else { throw CFUnitsError(units: units, message: "nothing after the last division") }
        return factors
    }

    /// One spelling per unit: lower case, factors `symbol[power]` separated
    /// by one blank (`W/m2` and `w m^-2` both give `w m-2`); nil when the
    /// text cannot be read.
    public static func normalized(_ units: String) -> String? {
        guard let factors = try? factors(of: units) else { return nil }
        return factors.map { $0.symbol.lowercased() + ($0.exponent == 1 ? "" : "\($0.exponent)") }.joined(separator: " ")
    }

    /// `m-2` → (`m`, −2), `m2` → (`m`, 2), `kg` → (`kg`, 1); numbers,
    /// symbols ending with a compound and symbols whose power would follow a
    /// non-letter (`10-6`) are kept whole.
    private static func splitPower(_ token: String, compounds: [String]) -> (String, Int) {
        guard Double(token) == nil, !compounds.contains(where: { token.hasSuffix($0) }) else { return (token, 1) }
        var symbol = Substring(token)
        var digits = ""
        while let last = symbol.last, last.isASCII, last.isNumber {
            digits.insert(last, at: digits.startIndex)
            symbol.removeLast()
        }
        if !digits.isEmpty, let last = symbol.last, last == "-" || last == "+" {
            digits.insert(last, at: digits.startIndex)
            symbol.removeLast()
        }
        guard !digits.isEmpty, let last = symbol.last, last.isLetter, let power = Int(digits) else { return (token, 1) }
        return (String(symbol), power)
    }
}

/// A linear change of unit: canonical value = value × scale + offset.
public struct UnitConversion: Sendable, Equatable {
    public let scale: Double
    public let offset: Double

    public init(scale: Double, offset: Double = 0) {
        self.scale = scale
        self.offset = offset
    }

    /// `value` in the canonical unit.
    @inline(__always) public func callAsFunction(_ value: Double) -> Double { value * scale + offset }
}

/// The physical quantities RCAS reads from files, each with the unit values
/// are converted to and the spellings accepted for it (after
/// ``CFUnits/normalized(_:)``). A unit not listed for the quantity is an
/// error, never a guess; Docs/inputs.md lists them.
public enum PhysicalQuantity: String, Sendable, CaseIterable {
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
    /// Geopotential height (m; geopotential metres `gpm` taken as metres).
    case geopotentialHeight
    /// Eddy diffusivity (m2 s-1).
    case diffusivity
    /// Water-vapour mass mixing ratio (kg kg-1).
    case massMixingRatio
    /// Dry-air mole fraction (mol mol-1).
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

    /// The quantity's name in messages.
    public var name: String {
        switch self {
        case .temperatureDifference: "temperature difference"
        case .geopotentialHeight: "geopotential height"
        case .massMixingRatio: "mass mixing ratio"
        case .moleFraction: "mole fraction"
        case .molarDensity: "molar density"
        case .heatFlux: "heat flux"
        default: rawValue
        }
    }

    /// The unit values are converted to (UDUNITS spelling).
    public var canonicalUnit: String {
        switch self {
        case .speed: "m s-1"
        case .temperature, .temperatureDifference: "K"
        case .pressure: "Pa"
        case .geopotential: "m2 s-2"
        case .length, .geopotentialHeight: "m"
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

    /// The conversion of values in `units` to the canonical unit, or nil when
    /// `units` is not an accepted spelling for this quantity. A missing units
    /// attribute (`nil`) is accepted only for dimensionless numbers.
    public func conversion(from units: String?) -> UnitConversion? {
        guard let units else { return self == .dimensionless ? UnitConversion(scale: 1) : nil }
        return CFUnits.normalized(units).flatMap { Self.tables[self]?[$0] }
    }

    /// The accepted spellings of each quantity.
    private static let tables: [PhysicalQuantity: [String: UnitConversion]] = {
        var tables: [PhysicalQuantity: [String: UnitConversion]] = [:]
        func add(_ quantity: PhysicalQuantity, _ scale: Double, offset: Double = 0, _ names: [String]) {
            for name in names { tables[quantity, default: [:]][name] = UnitConversion(scale: scale, offset: offset) }
        }
        let metres = ["m", "meter", "meters", "metre", "metres"]
        add(.speed, 1, metres.flatMap { ["\($0) s-1", "\($0) second-1"] })
        add(.speed, 1 / 3.6, ["km h-1", "km hr-1", "kph", "kmh"])
        add(.speed, 0.01, ["cm s-1"])
        add(.speed, 1852.0 / 3600, ["knot", "knots", "kt", "kts"])
        add(.temperature, 1, ["k", "kelvin", "degk", "deg_k", "degree_k", "degrees_k"])
        add(.temperature, 1, offset: 273.15, ["degc", "deg_c", "degree_c", "degrees_c", "celsius", "degree_celsius",
                                              "degrees_celsius", "°c"])
        add(.temperatureDifference, 1, ["k", "kelvin"])
        add(.pressure, 1, ["pa", "pascal", "pascals"])
        add(.pressure, 100, ["hpa", "mb", "mbar", "millibar", "millibars", "hectopascal", "hectopascals"])
        add(.pressure, 1000, ["kpa", "kilopascal", "kilopascals"])
        add(.geopotential, 1, ["m2 s-2"])
        add(.length, 1, metres)
        add(.length, 1000, ["km"])
        add(.geopotentialHeight, 1, metres + ["gpm"])
        add(.geopotentialHeight, 1000, ["km"])
        add(.diffusivity, 1, ["m2 s-1"])
        add(.diffusivity, 1e-4, ["cm2 s-1"])
        add(.massMixingRatio, 1, ["kg kg-1", "g g-1"])
        add(.massMixingRatio, 1e-3, ["g kg-1"])
        add(.moleFraction, 1, ["mol mol-1", "mole mole-1", "1", "mol mol-1 dry air"])
        add(.moleFraction, 1e-6, ["ppm", "ppmv", "1e-6", "1.0e-6", "10-6", "umol mol-1", "micromol mol-1",
                                  "umole mole-1", "micromole mole-1"])
        add(.moleFraction, 1e-9, ["ppb", "ppbv", "1e-9", "1.0e-9", "10-9", "nmol mol-1", "nanomol mol-1"])
        add(.molarDensity, 1, ["mol m-3"])
        add(.heatFlux, 1, ["w m-2"])
        add(.latitude, 1, ["degree_north", "degrees_north", "degree_n", "degrees_n", "degreen", "degreesn"])
        add(.longitude, 1, ["degree_east", "degrees_east", "degree_e", "degrees_e", "degreee", "degreese"])
        add(.dimensionless, 1, ["", "1", "-", "none", "dimensionless", "flag"])
        return tables
    }()
}
