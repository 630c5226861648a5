import Foundation
import ModelTime
import NetCDFIO

/// The CF time units (and calendar) of variable `name`, or an error naming
/// the file and the variable (NetCDFIO's ``CFTimeUnits`` reads the text).
func cfTimeUnits(_ file: InputFile, name: String) throws -> CFTimeUnits {
    let variable = try file.variable(name)
    guard let text = try variable.attribute("units")?.text else {
        throw InputFileError(path: file.path, variable: name, message: "time coordinate has no 'units' attribute")
    }
    let calendar = try variable.attribute("calendar")?.text
    do { return try CFTimeUnits(parsing: text, calendar: calendar) } catch {
        throw InputFileError(path: file.path, variable: name, message: "\(error.description) (CF time units are "
                             + "'<seconds|minutes|hours|days> since YYYY-MM-DD[ hh:mm:ss][ UTC]', Gregorian calendar)")
    }
}

/// Reads a file's time coordinate as hours since 1970 (strictly increasing,
/// finite, with CF units and a Gregorian calendar), or throws naming the file
/// and variable.
func readTimeCoordinate(_ file: InputFile, name: String) throws -> [Double] {
    let variable = try file.variable(name)
    let units = try cfTimeUnits(file, name: name)
    let shape = try variable.shape()
    guard shape.count == 1 else {
        throw InputFileError(path: file.path, variable: name, message: "time coordinate must have one dimension, found \(shape.count)")
    }
    let values = try variable.read(Double.self)
    var hours: [Double] = []
    hours.reserveCapacity(values.count)
    for (index, value) in values.enumerated() {
        guard value.isFinite, abs(value) < 1e15, !isNetCDFDefaultFill(value) else {
            throw InputFileError(path: file.path, variable: name, message: "value \(value) at index \(index) is not a valid time")
        }
        let h = units.secondsSince1970(value) / 3600
        if let previous = hours.last, h <= previous {
            throw InputFileError(path: file.path, variable: name,
                                 message: "times must increase: index \(index) (\(value)) is not after index \(index - 1)")
        }
        hours.append(h)
    }
    return hours
}

/// A whole hour as hours since 1970.
extension ModelHour {
    var hours: Double { Double(value) }
}

/// An ISO text for a time in hours since 1970 (whole minutes).
func isoText(hours: Double) -> String {
    let whole = ModelHour(Int(hours.rounded(.down)))
    let minutes = Int(((hours - hours.rounded(.down)) * 60).rounded())
    guard minutes > 0 else { return whole.iso }
    var text = whole.iso
    text.removeLast(7)   // ":00:00Z"
    return text + String(format: ":%02d:00Z", minutes)
}
