import Evaluation
import Foundation
import NetCDFIO

/// The `boundary_bias_ppm` object of a summary.json: per element (edge, with
/// its layers when there are several bands) the prior, the posterior estimate
/// and its standard deviation, ppm, and the bias imposed on the truth where
/// it is known (twin experiments).
public struct BoundaryBiasSummary: Sendable, Equatable {
    public struct Element: Sendable, Equatable {
        public let name: String
        public let prior: Double
        public let posterior: Double
        public let sigma: Double
        /// The EnKS's analysis at the end of the run (nil for the synthesis inversion).
        public let final: Double?
        public let imposed: Double?

        public init(name: String, prior: Double, posterior: Double, sigma: Double, final: Double? = nil, imposed: Double? = nil) {
            self.name = name
            self.prior = prior
            self.posterior = posterior
            self.sigma = sigma
            self.final = final
            self.imposed = imposed
        }
    }

    public let elements: [Element]

    public init(elements: [Element]) { self.elements = elements }

    /// The EnKS estimate from `boundary_bias.nc`: the analysis mean and spread
    /// averaged over the hours from `firstHour` (the assessed period; a constant
    /// bias is estimated by the mean of the hourly analyses), the last
    /// analysis, and the imposed truth when the run had one.
    public init(file path: String, firstHour: Int, twin: Bool) throws {
        let root = try NetCDFFile.open(path).root
        let names = try root.variable("edge").readCharacterRows()
        let bottoms = try root.variable("band_bottom_layer").read(Int64.self)
        let tops = try root.variable("band_top_layer").read(Int64.self)
        let prior = try root.variable("prior_mean").read(Double.self)
        let imposed = try root.variable("imposed").read(Double.self)
        let time = try root.variable("time").read(Double.self)
        let n = names.count
        let mean = time.isEmpty ? [] : try root.variable("analysis_mean").read(Double.self)
        let spread = time.isEmpty ? [] : try root.variable("analysis_spread").read(Double.self)
        guard bottoms.count == n, tops.count == n, prior.count == n, imposed.count == n,
              mean.count == time.count * n, spread.count == time.count * n else {
            throw ExperimentError.invalidInput("\(path): the boundary-bias variables do not all have \(n) elements per record")
        }
        let assessed = time.indices.filter { time[$0] >= Double(firstHour) }
        guard !assessed.isEmpty else { throw ExperimentError.invalidInput("\(path): no analysis in the assessed period") }
        let several = Set(zip(bottoms, tops).map { "\($0)-\($1)" }).count > 1
        elements = (0..<n).map { e in
            func average(_ values: [Double]) -> Double { assessed.map { values[$0 * n + e] }.reduce(0, +) / Double(assessed.count) }
            return Element(name: several ? "\(names[e]) layers \(bottoms[e])-\(tops[e])" : names[e], prior: prior[e],
                           posterior: average(mean), sigma: average(spread), final: mean[(time.count - 1) * n + e],
                           imposed: twin ? imposed[e] : nil)
        }
    }

    /// The JSON object (no trailing newline), indented for a top-level key.
    public var json: String {
        func number(_ x: Double) -> String { x.isFinite ? String(format: "%.6g", x) : "null" }
        let rows = elements.map { e in
            var fields = ["\"prior\": \(number(e.prior))", "\"posterior\": \(number(e.posterior))", "\"sigma\": \(number(e.sigma))"]
            if let final = e.final { fields.append("\"final\": \(number(final))") }
            if let imposed = e.imposed { fields.append("\"imposed\": \(number(imposed))") }
            return "    \(jsonString(e.name)): {\(fields.joined(separator: ", "))}"
        }
        return "{\n" + rows.joined(separator: ",\n") + "\n  }"
    }
}
