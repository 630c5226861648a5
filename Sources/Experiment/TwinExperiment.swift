import Assimilation
import Inputs
import Foundation
import Logging
import Geometry
import ModelTime
import NetCDFIO
import Observations
import Parallel
import RandomStreams
import SyntheticWorld

/// The twin experiment (OSSE, SCIENCE.md section 10): a truth flux, a truth
/// run that the synthetic satellite observations are sampled from, the
/// assimilation from the prior, CTRL (prior flux) and FC (posterior flux)
/// forward runs, and scores against the truth.
public struct TwinExperiment {
    public let config: ExperimentConfig
    public let output: URL
    let world: any Communicator
    let prior: any PriorFluxProvider
    /// Unit-variance spatially correlated field δ (grid order).
    let truthPattern: [Double]
    public var progress: ((String) -> Void)?
    /// Passed to the assimilation engine.
    public var logger = Logger(label: "rcas.osse")

    public init(config: ExperimentConfig, output: URL, world: any Communicator) throws {
        self.config = config
        self.output = output
        self.world = world
        prior = try config.priorFlux.makeProvider(domain: config.domain)
        truthPattern = Self.correlatedField(grid: config.domain.grid, length: config.truthCorrelationLength,
                                            seed: config.truthSeed)
    }

    /// The truth pattern: unit-variance noise with the configured correlation length.
    static func correlatedField(grid: HorizontalGrid, length: Double, seed: UInt64) -> [Double] {
        let random = RandomStreams.KeyedRandom(seed: seed, stream: "twin-truth-perturbation")
        return CorrelatedNoise(grid: grid, length: length).field { random.normal(member: 0, hour: 0, cell: $0) }
    }

    /// Truth of each state component: its prior scaled by (1 + a δ + b) per
    /// cell, so the truth differs from the prior the way the flux ensembles'
    /// perturbations do (proportional to E^p), with a spatial pattern the
    /// prior does not know and an optional domain-wide bias b.
    var truthSource: NaturalFluxSource {
        let prior = prior, pattern = truthPattern, a = config.truthAmplitude, b = config.truthBias
        let state = config.assimilation.stateVector
        return { hour in
            let p = try prior.fluxes(at: hour)
            return state.statePriors(p.field).map { field in zip(field, pattern).map { $0 * (1 + a * $1 + b) } }
        }
    }

    /// Runs everything (collective) and returns the summary (rank 0).
    public func run() throws -> TwinSummary? {
        let observations = try syntheticObservations()

        progress?("assimilation (\(config.members) members)")
        let analysis = try AssimilationRun(config: config, world: world, observations: observations, folder: output,
                                           truth: truthSource)
        analysis.logger = logger
        analysis.onHour = { hour in if hour.hourOfDay == 0 { progress?("  reached \(hour)") } }
        try analysis.run()

        progress?("CTRL (prior flux) and FC (posterior flux) forward runs")
        let posterior = try PosteriorFlux(path: output.appendingPathComponent("fluxes.nc").path, config: config)
        try forward(label: "CTRL", folder: "ctrl", observations: observations, natural: try config.priorFluxSource())
        let boundary = try config.boundaryBias.map {
            try PosteriorBoundaryBias(path: output.appendingPathComponent(BoundaryBiasFile.name).path, settings: $0)
        }
        try forward(label: "FC", folder: "fc", observations: observations, natural: posterior.source(config: config),
                    boundary: boundary)
        guard world.rank == 0 else { return nil }
        return try TwinSummary(config: config, folder: output, selection: ObservationInput.report(observations),
                               landFraction: try LandSeaMask(domain: config.domain).landFraction)
    }

    /// A forward run into `output/folder`; `boundary`: the analysed boundary
    /// biases added to its inflow (FC with boundary elements).
    func forward(label: String, folder: String, observations: [any ObservationType],
                 natural: @escaping NaturalFluxSource, boundary: PosteriorBoundaryBias? = nil) throws {
        let directory = output.appendingPathComponent(folder)
        if world.rank == 0 { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }
        world.barrier()
        let run = try ForwardRun(config: config, label: label, natural: natural, world: world, observations: observations,
                                 folder: directory)
        run.posteriorBoundaryBias = boundary
        try run.run()
    }
}

/// Hourly posterior-mean fluxes of the state components read back from a
/// run's `fluxes.nc` (hourly output), for the FC forward run.
public struct PosteriorFlux: Sendable {
    let hours: [Int: Int]
    /// [component][record][cell].
    let fields: [[[Double]]]

    public init(path: String, config: ExperimentConfig) throws {
        let file = try NetCDFFile.open(path)
        let times = try file.root.variable("time").read(Double.self)
        let averaging = try file.root.attribute("flux_averaging")?.text ?? "hourly"
        guard averaging == "hourly" else {
            throw ExperimentError.invalidInput("\(path): the FC run needs hourly fluxes, the file holds \(averaging) means")
        }
        var table: [Int: Int] = [:]
        for (index, t) in times.enumerated() where t.isFinite && abs(t) < 1e9 { table[Int(t)] = index }
        hours = table
        let n = config.domain.grid.cellCount
        var all: [[[Double]]] = []
        for component in config.assimilation.stateVector.components {
            let name = "\(component.shortName)_analysis_mean"
            let values = try file.root.variable(name).read(Double.self)
            guard values.count == times.count * n, !values.contains(where: { !$0.isFinite }) else {
                throw ExperimentError.invalidInput("\(path): variable '\(name)' has the wrong size or non-finite values")
            }
            all.append((0..<times.count).map { Array(values[($0 * n)..<(($0 + 1) * n)]) })
        }
        fields = all
    }

    /// [component][cell] of `hour`, or nil when the file does not hold it.
    public func fields(at hour: ModelHour) -> [[Double]]? {
        guard let index = hours[hour.value] else { return nil }
        return fields.map { $0[index] }
    }

    /// The posterior as a flux source over `config`'s period: every hour must
    /// be in the file (checked now, so a forward run never falls back silently).
    public func source(config: ExperimentConfig) throws -> NaturalFluxSource {
        for offset in 0..<config.hourCount {
            let hour = config.start.advanced(by: offset)
            guard hours[hour.value] != nil else {
                throw ExperimentError.invalidInput("the posterior fluxes end before \(hour.iso): the FC run covers "
                                                   + "\(config.start.iso) to \(config.end.iso)")
            }
        }
        let copy = self
        return { hour in copy.fields(at: hour)! }
    }
}
