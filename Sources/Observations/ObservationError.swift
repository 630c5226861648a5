/// A problem with an observation file or an observation setting, naming the
/// file, the variable (or option) and what is wrong.
public struct ObservationError: Error, CustomStringConvertible, Sendable {
    public let file: String
    public let variable: String?
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
