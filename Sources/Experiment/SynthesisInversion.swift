import Assimilation
import Foundation
import ModelTime
import Observations
import Parallel

/// Choices of `rcas synthesis` beyond the configuration.
public struct SynthesisOptions: Sendable {
    public var partition: JacobianBasis.Partition = .cells
    /// nil: the prior's draw periods (``SynthesisPrior/naturalPeriods``).
    public var periods: JacobianBasis.Periods?
    /// nil: the GCASv2 ensemble's statistics, or the twin truth's when the
    /// configuration uses the JDAS generator.
    public var prior: SynthesisPrior.Source?
    /// nil: chosen by shape (``BayesianSynthesis/solve(_:form:)``).
    public var form: SynthesisSolution.Form?
    /// A stored Jacobian to reuse instead of running the tracers.
    public var jacobian: String?
    /// A twin run folder whose synthetic observations to use instead of
    /// making the truth run again.
    public var twinRun: URL?
    public var batchSize = 2000
    /// Also simulate the independent validation observations (their fit is
    /// reported; they can outnumber the assimilated ones a hundredfold).
    public var validation = false

    public init() {}
}

/// The Bayesian synthesis inversion of a configuration (InversionSlides,
/// Docs/jacobians.md): the transport Jacobian of prior-shape basis functions
/// by tagged tracers (or a stored one), B from the statistics of the flux
/// draws, R from the observation error model, and the exact posterior mean
/// and covariance. Writes `jacobian.nc` (when computed), `fluxes.nc`,
/// `posterior_covariance.nc` and returns the summary (rank 0). Collective:
/// the tracers are split over the ranks, the dense solve runs on rank 0.
public final class SynthesisInversion {
    public let config: ExperimentConfig
    public let output: URL
    public let options: SynthesisOptions
    public let prior: SynthesisPrior
    let world: any Communicator
    /// The twin experiment of a synthetic-observation configuration (its truth).
    let twin: TwinExperiment?
    /// Called on rank 0 with progress messages.
    public var progress: ((String) -> Void)?

    public init(config: ExperimentConfig, world: any Communicator, output: URL, options: SynthesisOptions) throws {
        self.config = config
        self.world = world
        self.output = output
        self.options = options
        twin = config.satellite.source == .synthetic ? try TwinExperiment(config: config, output: output, world: world) : nil
        let standard: SynthesisPrior.Source
        if case .gcasv2 = config.assimilation.fluxGenerator { standard = .ensemble } else { standard = .truth }
        prior = try SynthesisPrior(config: config, source: options.prior ?? standard)
    }

    /// Runs the inversion (collective); the summary on rank 0, nil elsewhere.
    public func run() throws -> SynthesisSummary? {
        let jacobian: Jacobian?
        if let path = options.jacobian {
            jacobian = world.rank == 0 ? try JacobianFile.read(path, config: config) : nil
        } else {
            let observations: [any ObservationType]
            if let folder = options.twinRun {
                observations = try TwinExperiment.observations(in: folder, config: config)
            } else if var twin {
                twin.progress = progress
                observations = try twin.syntheticObservations()
            } else {
                observations = try ObservationInput.load(config: config)
            }
            let basis = try JacobianBasis.make(config: config, partition: options.partition,
                                               periods: options.periods ?? prior.naturalPeriods, shape: .prior)
            progress?("Jacobian of \(basis.count) basis functions (\(basis.partition) x \(basis.periods)) by tagged tracers")
            let run = try JacobianRun(config: config, basis: basis, world: world, observations: observations,
                                      batchSize: options.batchSize, includeValidation: options.validation)
            run.progress = progress
            jacobian = try run.run()
            if let jacobian { try JacobianFile.write(jacobian, config: config, to: output.appendingPathComponent("jacobian.nc").path) }
        }
        world.barrier()
        guard let jacobian else { return nil }
        return try solve(jacobian)
    }

    /// The dense solve and the outputs (rank 0).
    func solve(_ jacobian: Jacobian) throws -> SynthesisSummary {
        let basis = jacobian.basis
        guard basis.shape == .prior else {
            throw ExperimentError.invalidInput("the synthesis solves for scaling factors of the prior: the Jacobian must have "
                                               + "the prior shape, not '\(basis.shape.rawValue)'")
        }
        let offset = jacobian.offset, rows = jacobian.observations
        // The filter's selection: candidates that pass the OMB gate, here
        // against the prior's simulation c0 (the filter's background mean).
        let candidates = rows.indices.filter { rows[$0].role == .candidate }
        let used = candidates.filter { abs(rows[$0].value - offset[$0]) <= rows[$0].ombThreshold }
        guard !used.isEmpty else {
            throw ExperimentError.invalidInput("no assimilation candidate passes the OMB gate: nothing to invert")
        }
        let n = basis.count, columns = jacobian.stateColumnCount, matrix = jacobian.stateMatrix
        let b = try prior.covariance(of: basis, grid: config.domain.grid)
        let problem = try SynthesisProblem(
            jacobian: used.flatMap { matrix[($0 * columns)..<(($0 + 1) * columns)] }, observationCount: used.count, basisCount: columns,
            errorVariances: used.map { rows[$0].error * rows[$0].error }, departures: used.map { rows[$0].value - offset[$0] },
            prior: try b.withBoundaryBias(config.boundaryBias, count: jacobian.boundaryCount))
        progress?("solving: \(used.count) observations, \(n) basis functions, prior \(prior.description)")
        let clock = ContinuousClock(), started = clock.now
        let full = try BayesianSynthesis.solve(problem, form: options.form)
        let solution = full.leading(n)
        let duration = clock.now - started
        let seconds = duration.inSeconds
        progress?(String(format: "solved (%@ form) in %.2f s", solution.form.rawValue, seconds))
        try SynthesisOutputs.writeFluxes(config: config, basis: basis, solution: solution, prior: b, truth: twin?.truthSource,
                                         to: output.appendingPathComponent("fluxes.nc").path)
        try SynthesisOutputs.writeCovariance(config: config, basis: basis, solution: solution, prior: b,
                                             to: output.appendingPathComponent("posterior_covariance.nc").path)
        return try SynthesisSummary(config: config, jacobian: jacobian, used: used, rejected: candidates.count - used.count,
                                    problem: problem, solution: full, prior: prior, solveSeconds: seconds,
                                    truth: twin?.truthSource)
    }
}
