/// A problem with an input file (a prior flux or background file): names the
/// file, the variable when there is one, and what is wrong, with the index
/// and the value for bad data.
public struct InputFileError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let variable: String?
    public let message: String

    public init(path: String, variable: String?, message: String) {
        self.path = path
        self.variable = variable
        self.message = message
    }

    public var description: String {
        "\(path): \(variable.map { "variable '\($0)': " } ?? "")\(message)"
    }
}

/// A problem with a set of input files as a whole (nothing to name but the
/// input), e.g. an hour no file covers.
public struct InputCoverageError: Error, CustomStringConvertible, Sendable {
    /// What the input is, e.g. "prior flux component biosphere".
    public let input: String
    public let message: String

    public init(input: String, message: String) {
        self.input = input
        self.message = message
    }

    public var description: String { "\(input): \(message)" }
}
