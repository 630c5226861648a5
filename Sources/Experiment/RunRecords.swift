import Foundation
import ModelTime

/// The flux statistics of one finished flux hour on the whole grid (cells in
/// grid order), per natural component in state order.
public struct FluxHourRecord: Sendable {
    public let hour: ModelHour
    /// [component][cell], µmol m-2 s-1.
    public var priorMean: [[Double]]
    public var priorSpread: [[Double]]
    public var forecastMean: [[Double]]
    public var forecastSpread: [[Double]]
    public var analysisMean: [[Double]]
    public var analysisSpread: [[Double]]
    /// Prescribed fossil and fire fluxes of the hour.
    public var fossil: [Double]
    public var fire: [Double]
    /// The truth (twin experiments only), [component][cell].
    public var truth: [[Double]]?
}

/// The analysis concentrations of one hour at the configured levels, whole
/// grid: [level][cell], ppm.
public struct ConcentrationRecord: Sendable {
    public let time: ModelHour
    public var mean: [[Double]]
    public var spread: [[Double]]
}

/// One row of the observation-space output.
public struct ObservationRecord: Sendable, Equatable {
    public enum Status: Int8, Sendable { case assimilated = 0, rejectedOMBGate = 1, validation = 2 }
    public var time: Double
    public var analysisHour: ModelHour
    public var latitude: Double
    public var longitude: Double
    /// 0 satellite, 1 in situ.
    public var kind: Int8
    /// 0 assimilation candidate, 1 independent validation.
    public var set: Int8
    public var status: Status
    public var site: String
    public var instrument: String
    public var value: Double
    public var error: Double
    public var backgroundMean: Double
    public var backgroundSpread: Double
    public var analysisMean: Double
    public var analysisSpread: Double
}

/// Ensemble mean and standard deviation (N - 1) of `values`, summed in order
/// so that the result does not depend on how members were distributed.
func meanAndSpread(_ values: ArraySlice<Double>) -> (mean: Double, spread: Double) {
    let n = Double(values.count)
    var sum = 0.0
    for v in values { sum += v }
    let mean = sum / n
    guard values.count > 1 else { return (mean, 0) }
    var squares = 0.0
    for v in values { squares += (v - mean) * (v - mean) }
    return (mean, (squares / (n - 1)).squareRoot())
}
