import Foundation

extension NetCDFVariable {
    /// The variable's `units` attribute, trimmed; an error naming the
    /// variable when it has none.
    public func units() throws(NetCDFError) -> String {
        guard let text = try attribute("units")?.text else {
            throw NetCDFError(path: path, object: name, operation: "read units", message: "has no 'units' attribute")
        }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// The variable's CF time units (with its `calendar`); an error naming
    /// the file and the variable when they are missing or not understood.
    public func timeUnits() throws(NetCDFError) -> CFTimeUnits {
        let text = try units()
        let calendar = try attribute("calendar")?.text
        do { return try CFTimeUnits(parsing: text, calendar: calendar) } catch {
            throw NetCDFError(path: path, object: name, operation: "read time units", message: error.description)
        }
    }

    /// The conversion of the variable's values to the canonical unit of
    /// `quantity`, from its `units` attribute (which only dimensionless
    /// variables may lack); errors name the file, the variable, the unit
    /// found and the unit needed.
    public func unitConversion(to quantity: PhysicalQuantity, operation: String = "read units") throws(NetCDFError) -> UnitConversion {
        let attribute = try attribute("units")
        guard attribute == nil || attribute?.text != nil else {
            throw NetCDFError(path: path, object: name, operation: operation, message: "the 'units' attribute is not text")
        }
        let units = attribute?.text
        guard let conversion = quantity.conversion(from: units) else {
            let found = units.map { "units '\($0)'" } ?? "no 'units' attribute"
            throw NetCDFError(path: path, object: name, operation: operation,
                              message: "\(found): not a \(quantity.name) unit RCAS knows; expected \(quantity.canonicalUnit) "
                                  + "or a unit convertible to it without ambiguity (Docs/inputs.md, \"Units\")")
        }
        return conversion
    }

    /// The factor from the variable's mole-fraction units to ppm.
    public func moleFractionToPPM() throws(NetCDFError) -> Double {
        try unitConversion(to: .moleFraction).scale * 1e6
    }

    /// The factor from the variable's pressure units to Pa.
    public func pressureToPascal() throws(NetCDFError) -> Double {
        try unitConversion(to: .pressure).scale
    }
}
