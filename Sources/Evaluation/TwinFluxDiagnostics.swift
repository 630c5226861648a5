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
    /// `from` and before `to` (hours since 1970) in `cells` (all cells when nil).
    public init(file: FluxFile, from: Double, to: Double = .infinity, cells: [Int]? = nil) throws {
        let chosen = cells ?? Array(0..<(file.nx * file.ny))
        var sxx = 0.0, syy = 0.0, sxy = 0.0, sx = 0.0, sy = 0.0, spread = 0.0, n = 0
        for (t, period) in file.periods.enumerated() where period.start >= from && period.start < to {
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
