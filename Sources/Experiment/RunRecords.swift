import Assimilation
import Foundation
import ModelTime
import Observations

/// The flux statistics of one finished flux hour on the whole grid (cells in
/// grid order), per state component in state order.
public struct FluxHourRecord: Sendable {
    public let hour: ModelHour
    /// [component][cell], µmol m-2 s-1.
    public var priorMean: [[Double]]
    public var priorSpread: [[Double]]
    public var forecastMean: [[Double]]
    public var forecastSpread: [[Double]]
    public var analysisMean: [[Double]]
    public var analysisSpread: [[Double]]
    /// The prescribed (not optimised) prior components of the hour, in the
    /// state vector's `prescribed` order.
    public var prescribed: [[Double]]
    /// The truth (twin experiments only), [component][cell].
    public var truth: [[Double]]?
    /// The EnKS's averaging-kernel diagonal estimate
    /// (``EnsembleAveragingKernel``), [component][cell], when configured.
    public var averagingKernel: [[Double]]? = nil

    /// Every field in the order of the flux file's variables.
    var fields: [[Double]] {
        var all: [[Double]] = []
        for c in priorMean.indices {
            all += [priorMean[c], priorSpread[c], forecastMean[c], forecastSpread[c], analysisMean[c], analysisSpread[c]]
            if let truth { all.append(truth[c]) }
            if let averagingKernel { all.append(averagingKernel[c]) }
        }
        return all + prescribed
    }
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
    public enum Status: Int8, Sendable, CaseIterable {
        case assimilated = 0, rejectedOMBGate = 1, validation = 2

        public var flagMeaning: String {
            switch self {
            case .assimilated: "assimilated"
            case .rejectedOMBGate: "rejected_omb_gate"
            case .validation: "validation"
            }
        }
    }
    public var time: Double
    public var analysisHour: ModelHour
    public var latitude: Double
    public var longitude: Double
    public var kind: ObservationKind
    public var role: ObservationRole
    public var status: Status
    public var site: String
    public var instrument: String
    public var value: Double
    public var error: Double
    public var backgroundMean: Double
    public var backgroundSpread: Double
    public var analysisMean: Double
    public var analysisSpread: Double

    /// The row of `observation` seen at `analysisHour` with its background and
    /// analysis statistics.
    init(_ observation: any ModelObservation, analysisHour: ModelHour, status: Status,
         background: (mean: Double, spread: Double), analysis: (mean: Double, spread: Double)) {
        time = observation.time
        self.analysisHour = analysisHour
        latitude = observation.position.latitude
        longitude = observation.position.longitude
        kind = observation.kind
        role = observation.role
        self.status = status
        site = observation.site
        instrument = observation.instrument
        value = observation.value
        error = observation.error
        backgroundMean = background.mean
        backgroundSpread = background.spread
        analysisMean = analysis.mean
        analysisSpread = analysis.spread
    }
}
