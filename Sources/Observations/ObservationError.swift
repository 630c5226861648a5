import NetCDFIO

/// A problem with an observation file or an observation setting, naming the
/// file, the variable (or option) and what is wrong.
public struct ObservationError: Error, CustomStringConvertible, Sendable {
    /// The file (or setting source) at fault.
    public let file: String
    /// The variable, group or option, when there is one.
    public let variable: String?
    /// What is wrong.
    public let message: String

    public init(file: String, variable: String?, message: String) {
        self.file = file
        self.variable = variable
        self.message = message
    }

    public var description: String {
        "\(file):" + (variable.map { " variable '\($0)':" } ?? "") + " \(message)"
    }
}

/// Opens `path` for reading; failure is an ObservationError naming the file.
func openObservationFile(_ path: String) throws(ObservationError) -> NetCDFFile {
    do { return try NetCDFFile.open(path) } catch {
        throw ObservationError(file: path, variable: nil, message: "cannot open as NetCDF: \(error.message)")
    }
}

/// Runs `body`, turning NetCDF and other failures into ObservationErrors that
/// name `path` (and the variable, when the NetCDF error has one).
func reportingErrors<T>(in path: String, _ body: () throws -> T) throws(ObservationError) -> T {
    do {
        return try body()
    } catch let error as ObservationError {
        throw error
    } catch let error as NetCDFError {
        throw ObservationError(file: path, variable: error.object, message: "\(error.operation) failed: \(error.message)")
    } catch {
        throw ObservationError(file: path, variable: nil, message: "\(error)")
    }
}
