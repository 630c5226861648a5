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
    /// Prior and observation error scales, γ and the buffer (the reference: all 1, no buffer).
    public var errors = SynthesisErrorSettings()
    /// A sweep: each named setting (``SynthesisErrorSettings/sweepNames``)
    /// over its values, all combinations, each solved with the one Jacobian.
    public var sweep: [(name: String, values: [Double])] = []

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
        // The configuration's buffer section is the default of the buffer options.
        var options = options
        options.errors = options.errors.applying(config.buffer)
        try options.errors.validate()
        _ = try SynthesisSweep.settings(base: options.errors, axes: options.sweep)
        self.options = options
        twin = config.satellite.source == .synthetic ? try TwinExperiment(config: config, output: output, world: world) : nil
        let standard: SynthesisPrior.Source
        if case .gcasv2 = config.assimilation.fluxGenerator { standard = .ensemble } else { standard = .truth }
        prior = try SynthesisPrior(config: config, source: options.prior ?? standard)
    }

    /// Runs the inversion (collective) with ``SynthesisOptions/errors``; the
    /// summary on rank 0, nil elsewhere.
    public func run() throws -> SynthesisSummary? {
        guard let jacobian = try jacobian() else { return nil }
        let setup = try prepare(jacobian)
        return try solve(jacobian, setup, settings: options.errors, into: output, covariance: true)
    }

    /// Runs the sweep of ``SynthesisOptions/sweep`` (collective): the
    /// Jacobian once (computed or read), then one solve per setting in
    /// `setting_NN/` and the table `sweep.csv` / `sweep.json`; the sweep on
    /// rank 0, nil elsewhere.
    public func runSweep() throws -> SynthesisSweep? {
        let settings = try SynthesisSweep.settings(base: options.errors, axes: options.sweep)
        guard let jacobian = try jacobian() else { return nil }
        let setup = try prepare(jacobian)
        var rows: [(folder: String, settings: SynthesisErrorSettings, summary: SynthesisSummary)] = []
        for (i, setting) in settings.enumerated() {
            let name = String(format: "setting_%02d", i + 1)
            let folder = output.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            progress?("\(name): \(setting.label)")
            let summary = try solve(jacobian, setup, settings: setting, into: folder, covariance: false)
            try summary.json.write(to: folder.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
            rows.append((name, setting, summary))
        }
        let sweep = SynthesisSweep(rows: rows)
        try sweep.csv.write(to: output.appendingPathComponent("sweep.csv"), atomically: true, encoding: .utf8)
        try sweep.json.write(to: output.appendingPathComponent("sweep.json"), atomically: true, encoding: .utf8)
        return sweep
    }

    /// The Jacobian on rank 0 (read from ``SynthesisOptions/jacobian``, or
    /// computed by tagged tracers and written to `jacobian.nc`); nil elsewhere.
    func jacobian() throws -> Jacobian? {
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
        return jacobian
    }

    /// What every solve of one Jacobian shares: the observations used, the
    /// reference B and each function's share of the region of interest.
    struct Setup {
        let used: [Int]
        let rejected: Int
        let prior: BlockCovariance
        let regionShares: [Double]
    }

    func prepare(_ jacobian: Jacobian) throws -> Setup {
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
        return Setup(used: used, rejected: candidates.count - used.count,
                     prior: try prior.covariance(of: basis, grid: config.domain.grid),
                     regionShares: try options.errors.regionShares(of: basis, config: config))
    }

    /// The dense solve with `settings` and its outputs in `folder` (rank 0):
    /// fluxes.nc, averaging_kernel.nc and, with `covariance`, posterior_covariance.nc.
    /// Boundary-bias elements, when configured, follow the basis functions in
    /// the state; the outputs hold the flux part, the summary the whole state.
    func solve(_ jacobian: Jacobian, _ setup: Setup, settings: SynthesisErrorSettings, into folder: URL,
               covariance: Bool) throws -> SynthesisSummary {
        try settings.validate()
        let basis = jacobian.basis, rows = jacobian.observations, offset = jacobian.offset, used = setup.used
        let n = basis.count, columns = jacobian.stateColumnCount, matrix = jacobian.stateMatrix
        let b = settings.priorFactors(shares: setup.regionShares).allSatisfy { $0 == 1 } ? setup.prior
            : try setup.prior.scaled(by: settings.priorFactors(shares: setup.regionShares))
        let varianceFactor = settings.observationVarianceFactor
        let problem = try SynthesisProblem(
            jacobian: used.flatMap { matrix[($0 * columns)..<(($0 + 1) * columns)] }, observationCount: used.count,
            basisCount: columns, errorVariances: used.map { rows[$0].error * rows[$0].error * varianceFactor },
            departures: used.map { rows[$0].value - offset[$0] },
            prior: try b.withBoundaryBias(config.boundaryBias, count: jacobian.boundaryCount))
        progress?("solving: \(used.count) observations, \(n) basis functions, prior \(prior.description)"
                  + (jacobian.boundaryCount > 0 ? ", \(jacobian.boundaryCount) boundary-bias elements" : "")
                  + (settings == SynthesisErrorSettings() ? "" : "; \(settings.label)"))
        let clock = ContinuousClock(), started = clock.now
        let full = try BayesianSynthesis.solve(problem, form: options.form)
        let solution = full.leading(n)
        let duration = clock.now - started
        let seconds = duration.inSeconds
        progress?(String(format: "solved (%@ form) in %.2f s, DOFS %.2f", solution.form.rawValue, seconds,
                         solution.degreesOfFreedomForSignal))
        try SynthesisOutputs.writeFluxes(config: config, basis: basis, solution: solution, prior: b, truth: twin?.truthSource,
                                         to: folder.appendingPathComponent("fluxes.nc").path)
        try SynthesisOutputs.writeAveragingKernel(config: config, basis: basis, solution: solution, settings: settings,
                                                  regionShares: setup.regionShares,
                                                  to: folder.appendingPathComponent("averaging_kernel.nc").path)
        if covariance {
            try SynthesisOutputs.writeCovariance(config: config, basis: basis, solution: solution, prior: b,
                                                 to: folder.appendingPathComponent("posterior_covariance.nc").path)
        }
        return try SynthesisSummary(config: config, jacobian: jacobian, used: used, rejected: setup.rejected,
                                    problem: problem, solution: full, prior: prior, solveSeconds: seconds,
                                    truth: twin?.truthSource, errors: settings, regionShares: setup.regionShares)
    }
}
