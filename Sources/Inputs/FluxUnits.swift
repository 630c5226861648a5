import Foundation
import NetCDFIO
import SyntheticWorld

/// Surface-flux units, converted to RCAS's µmol CO2 m⁻² s⁻¹.
///
/// A unit is a product of factors, each a name with an optional exponent
/// (`m-2`, `m^-2`, `m2` after `/`, `s-1`, `/s`; split by NetCDFIO's
/// ``CFUnits/factors(of:compounds:)``, the one unit reader): one amount (`mol`, `mmol`,
/// `umol`/`µmol`/`micromol`, `nmol`, `kmol`, of CO2 or of C, which count the
/// same) or one mass of carbon or of CO2 (`g`, `mg`, `kg`, `t`, `Gg`, `Tg`,
/// `Pg`, followed by `C` or `CO2`, or glued: `gC`, `kgCO2`), per area (`m-2`,
/// `km-2`, `cm-2`) per time (`s-1`, `min-1`, `h-1`/`hr-1`, `d-1`/`day-1`,
/// `yr-1`/`year-1`/`a-1`, a year being 365.2425 days). A mass without its
/// species and a month are refused: both are ambiguous.
public struct FluxUnits: Sendable, Equatable {
    /// The text as given.
    public let text: String
    /// Multiplies a value in these units to give µmol CO2 m⁻² s⁻¹.
    public let toMicromolesPerSquareMetrePerSecond: Double

    /// Grams of CO2 per mole (IUPAC 2013 atomic weights: 12.011 + 2 × 15.999).
    public static let gramsPerMoleCO2 = 44.009

    /// Parses `text`, or throws a message saying what is not understood.
    public init(_ text: String) throws(FluxUnitsError) {
        self.text = text
        let factors: [UnitFactor]
        do { factors = try CFUnits.factors(of: text, compounds: ["CO2"]) } catch {
            throw .init(text: text, problem: error.message)
        }
        var amount: Double?, mass: Double?, species: Double?   // µmol per unit; µmol per gram of the species
        var area: Double?, time: Double?
        for factor in factors {
            var name = factor.symbol
            let exponent = factor.exponent
            let rawToken = exponent == 1 ? name : "\(name)\(exponent)"
            // A species glued to a mass (kgC, gCO2) or an amount (molCO2).
            for suffix in ["CO2", "C"] where name.count > suffix.count && name.hasSuffix(suffix) {
                let stem = String(name.dropLast(suffix.count))
                if Self.massGrams[stem] != nil || Self.amountMicromoles[stem.lowercased()] != nil {
                    try Self.setSpecies(suffix, exponent: exponent, &species, text)
                    name = stem
                }
                break
            }
            if name == "C" || name == "CO2" {
                try Self.setSpecies(name, exponent: exponent, &species, text)
            } else if let micromoles = Self.amountMicromoles[name.lowercased()] {
                guard exponent == 1, amount == nil, mass == nil else { throw .init(text: text, problem: "the amount '\(rawToken)' must appear once, in the numerator") }
                amount = micromoles
            } else if let grams = Self.massGrams[name] {
                guard exponent == 1, amount == nil, mass == nil else { throw .init(text: text, problem: "the mass '\(rawToken)' must appear once, in the numerator") }
                mass = grams
            } else if let squareMetres = Self.lengthMetres[name] {
                guard exponent == -2, area == nil else { throw .init(text: text, problem: "'\(rawToken)' must be a per-area factor such as m-2") }
                area = squareMetres * squareMetres
            } else if let seconds = Self.timeSeconds[name.lowercased()] {
                guard exponent == -1, time == nil else { throw .init(text: text, problem: "'\(rawToken)' must be a per-time factor such as s-1") }
                time = seconds
            } else if ["mon", "month", "months"].contains(name.lowercased()) {
                throw .init(text: text, problem: "a month has no fixed length; convert the data to a rate per day or per second")
            } else {
                throw .init(text: text, problem: "'\(rawToken)' is not a unit this reader knows")
            }
        }
        guard let area else { throw .init(text: text, problem: "no per-area factor (m-2)") }
        guard let time else { throw .init(text: text, problem: "no per-time factor (s-1, d-1, yr-1, ...)") }
        let micromoles: Double
        if let amount {
            micromoles = amount
        } else if let mass {
            guard let species else {
                throw .init(text: text, problem: "a mass without its species: say whether of carbon or of CO2, e.g. 'kg C m-2 s-1' or 'kg CO2 m-2 s-1'")
            }
            micromoles = mass * species
        } else {
            throw .init(text: text, problem: "no amount (mol) or mass (g C, g CO2)")
        }
        toMicromolesPerSquareMetrePerSecond = micromoles / area / time
    }

    private static func setSpecies(_ name: String, exponent: Int, _ species: inout Double?, _ text: String) throws(FluxUnitsError) {
        guard exponent == 1, species == nil else { throw .init(text: text, problem: "the species '\(name)' must appear once") }
        // µmol of CO2 per gram: one mole of C makes one mole of CO2.
        species = name == "C" ? 1 / SyntheticPriorFlux.gramsCarbonPerMicromole : 1e6 / gramsPerMoleCO2
    }

    private static let amountMicromoles: [String: Double] = [
        "mol": 1e6, "mole": 1e6, "moles": 1e6, "kmol": 1e9, "mmol": 1e3, "umol": 1, "µmol": 1, "μmol": 1,
        "micromol": 1, "micromole": 1, "micromoles": 1, "nmol": 1e-3,
    ]
    /// Case-sensitive: Mg (megagram) and mg (milligram) differ.
    private static let massGrams: [String: Double] = [
        "mg": 1e-3, "g": 1, "kg": 1e3, "t": 1e6, "tonne": 1e6, "Gg": 1e9, "Tg": 1e12, "Pg": 1e15,
    ]
    private static let lengthMetres: [String: Double] = ["m": 1, "km": 1e3, "cm": 1e-2]
    private static let timeSeconds: [String: Double] = [
        "s": 1, "sec": 1, "second": 1, "min": 60, "minute": 60, "h": 3600, "hr": 3600, "hour": 3600,
        "d": 86_400, "day": 86_400, "yr": SyntheticPriorFlux.secondsPerYear, "year": SyntheticPriorFlux.secondsPerYear,
        "a": SyntheticPriorFlux.secondsPerYear, "y": SyntheticPriorFlux.secondsPerYear,
    ]
}

/// Flux units that cannot be understood.
public struct FluxUnitsError: Error, CustomStringConvertible, Sendable {
    public let text: String
    public let problem: String
    public var description: String { "units '\(text)': \(problem)" }
}
