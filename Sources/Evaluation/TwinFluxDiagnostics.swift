import Foundation
import NetCDFIO

/// Whether a twin experiment's flux corrections go the right way, from its
/// `fluxes.nc` (forecast mean E^f, final analysis mean E^a, truth E^t of each
/// optimised component). Over every (cell, record) of the chosen cells and
/// period, summed over the components:
///     increment correlation = corr(E^a − E^f, E^t − E^f)
/// (positive when the analysis moves toward the truth, 1 when it moves
/// exactly along the needed correction), and the ensemble's forecast spread
/// against the forecast's actual error,
///     spread = sqrt(mean σ_f²),   error = sqrt(mean (E^t − E^f)²),
/// which agree in a well-dispersed flux ensemble.
public struct TwinFluxDiagnostics: Sendable, Equatable {
    public let incrementCorrelation: Double
    public let forecastSpread: Double
    public let forecastError: Double
    /// Samples used (cells x records).
    public let samples: Int

    /// The diagnostics of `file` over the records starting at or after
    /// `from` (hours since 1970) in `cells` (all cells when nil).
    public init(file: FluxFile, from: Double, cells: [Int]? = nil) throws {
        let chosen = cells ?? Array(0..<(file.nx * file.ny))
        var sxx = 0.0, syy = 0.0, sxy = 0.0, sx = 0.0, sy = 0.0, spread = 0.0, n = 0
        for (t, period) in file.periods.enumerated() where period.start >= from {
            var increment = [Double](repeating: 0, count: chosen.count), needed = increment, variance = increment
            for component in file.components {
                guard file.has("\(component)_truth") else {
                    throw NetCDFError(path: file.path, object: "\(component)_truth", operation: "twin diagnostics",
                                      message: "variable missing: the file is not a twin experiment's")
                }
                let forecast = try file.record("\(component)_forecast_mean", t)
                let analysis = try file.record("\(component)_analysis_mean", t)
                let truth = try file.record("\(component)_truth", t)
                let sigma = try file.record("\(component)_forecast_spread", t)
                for (k, cell) in chosen.enumerated() {
                    increment[k] += analysis[cell] - forecast[cell]
                    needed[k] += truth[cell] - forecast[cell]
                    variance[k] += sigma[cell] * sigma[cell]
                }
            }
            for k in chosen.indices {
                sx += increment[k]; sy += needed[k]
                sxx += increment[k] * increment[k]; syy += needed[k] * needed[k]; sxy += increment[k] * needed[k]
                spread += variance[k]
                n += 1
            }
        }
        samples = n
        let N = Double(n)
        let covariance = sxy / N - (sx / N) * (sy / N)
        let varianceX = sxx / N - (sx / N) * (sx / N), varianceY = syy / N - (sy / N) * (sy / N)
        incrementCorrelation = varianceX > 0 && varianceY > 0 ? covariance / (varianceX * varianceY).squareRoot() : .nan
        forecastSpread = n > 0 ? (spread / N).squareRoot() : .nan
        forecastError = n > 0 ? (syy / N).squareRoot() : .nan
    }
}

/// The count-weighted filter diagnostics of a run's `diagnostics.nc` over the
/// analyses at or after `from` (hours since 1970).
public struct RunFilterDiagnostics: Sendable, Equatable {
    public let observations: Int
    public let chiSquarePerObservation: Double
    public let meanInnovation: Double
    public let meanSpread: Double
    public let desroziersHBH: Double
    public let desroziersR: Double
    public let backgroundVariance: Double
    public let errorVariance: Double

    public init(path: String, from: Double) throws {
        let file = try NetCDFFile.open(path)
        defer { file.close() }
        let root = file.root
        let time = try root.variable("time").read(Double.self)
        let count = try root.variable("observation_count").read(Double.self)
        func weighted(_ name: String) throws -> Double {
            let values = try root.variable(name).read(Double.self)
            var sum = 0.0, n = 0.0
            for t in time.indices where time[t] >= from && count[t] > 0 {
                sum += count[t] * values[t]
                n += count[t]
            }
            return n > 0 ? sum / n : .nan
        }
        observations = Int(time.indices.filter { time[$0] >= from }.reduce(0.0) { $0 + count[$1] })
        chiSquarePerObservation = try weighted("chi2_per_observation")
        meanInnovation = try weighted("mean_innovation_ppm")
        meanSpread = try weighted("simulated_spread_ppm")
        desroziersHBH = try weighted("desroziers_hbh_ppm2")
        desroziersR = try weighted("desroziers_r_ppm2")
        backgroundVariance = try weighted("background_variance_ppm2")
        errorVariance = try weighted("error_variance_ppm2")
    }
}
