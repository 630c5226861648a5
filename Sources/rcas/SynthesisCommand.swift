import ArgumentParser
import Assimilation
import Experiment
import Foundation

extension SynthesisPrior.Source: ExpressibleByArgument {}
extension SynthesisSolution.Form: ExpressibleByArgument {}
extension RegionOfInterest: ExpressibleByArgument {}

/// `rcas synthesis CONFIG --output DIR`: the Bayesian synthesis inversion
/// (InversionSlides), the exact reference of the ensemble smoother (Docs/jacobians.md).
struct SynthesisCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synthesis",
        abstract: "Bayesian synthesis inversion with the exact posterior covariance (run under mpirun).",
        discussion: """
            Builds the transport Jacobian of prior-scaling basis functions by tagged tracers (or reuses --jacobian), \
            the prior covariance from the GCASv2 flux ensemble's statistics (or a twin's truth, --prior truth), R from \
            the observation errors, and solves for the posterior mean and covariance (LAPACK Cholesky). For a twin \
            configuration it makes the truth run and the synthetic observations first (or reads --twin-run's). \
            Writes jacobian.nc, fluxes.nc, averaging_kernel.nc, posterior_covariance.nc and summary.json (with dofs). \
            Sensitivity inversions: --prior-error-scale, --observation-error-scale, --gamma and a buffer outside \
            --region-of-interest solve again with other errors (cheap with --jacobian); --sweep NAME=V1,V2 (repeatable) \
            solves every combination with the one Jacobian into setting_NN/ and writes sweep.csv and sweep.json. \
            See Docs/jacobians.md.
            """)

    @Argument(help: "The experiment configuration (YAML).")
    var config: String

    @Option(name: .shortAndLong, help: "Output folder (created; must be empty or absent).")
    var output: String

    @Option(help: "Groups of cells: regions, blocks:K or cells.")
    var basis: JacobianBasis.Partition = .cells

    @Option(help: "Time periods (hourly, daily, hours:N, window, all); default: the prior's draw periods.")
    var period: JacobianBasis.Periods?

    @Option(help: "Prior statistics: ensemble (the gcasv2 generator's) or truth (a twin's truth perturbation); default: ensemble for gcasv2, truth for a JDAS twin.")
    var prior: SynthesisPrior.Source?

    @Option(help: "observation-space or state-space; default: the smaller system.")
    var form: SynthesisSolution.Form?

    @Option(help: "Reuse this Jacobian file (from rcas jacobian --shape prior or an earlier synthesis) instead of running tracers.")
    var jacobian: String?

    @Option(name: .customLong("twin-run"), help: "For a twin configuration: use this twin run folder's synthetic observations.")
    var twinRun: String?

    @Option(name: .customLong("batch-size"), help: "Most tracers transported at once (memory).")
    var batchSize = 2000

    @Option(name: .customLong("prior-error-scale"), help: "Multiply every prior σ by this (B by its square).")
    var priorErrorScale = 1.0

    @Option(name: .customLong("observation-error-scale"), help: "Multiply every observation σ by this (R by its square).")
    var observationErrorScale = 1.0

    @Option(help: "IMI's regularization factor γ: the observation term of the cost function weighted by γ (R / γ).")
    var gamma = 1.0

    @Option(name: .customLong("region-of-interest"), help: "land, china, a Kou2023 region name or box:S,N,W,E; the rest of the domain is the buffer.")
    var regionOfInterest: RegionOfInterest?

    @Option(name: .customLong("buffer-prior-error-scale"), help: "Multiply the prior σ outside --region-of-interest by this.")
    var bufferPriorErrorScale = 1.0

    @Option(help: "A sensitivity sweep, NAME=V1,V2,... (prior_error_scale, observation_error_scale, gamma, buffer_prior_error_scale); repeat for more names: every combination is solved with the one Jacobian.")
    var sweep: [String] = []

    @Flag(help: "Also simulate the independent validation observations and report the fit to them (slower: they can outnumber the assimilated ones a hundredfold).")
    var validation = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let folder = URL(fileURLWithPath: output)
        var options = SynthesisOptions()
        options.partition = basis
        options.periods = period
        options.prior = prior
        options.form = form
        options.jacobian = jacobian.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        options.twinRun = twinRun.map { URL(fileURLWithPath: $0) }
        options.batchSize = batchSize
        options.validation = validation
        options.errors.regionOfInterest = regionOfInterest
        for (name, value) in [("prior_error_scale", priorErrorScale), ("observation_error_scale", observationErrorScale),
                              ("gamma", gamma), ("buffer_prior_error_scale", bufferPriorErrorScale)] {
            try options.errors.set(name, to: value)
        }
        options.sweep = try sweep.map(SynthesisSweep.axis)
        withWorld { world in
            // The start-up checks of every experiment command (configuration
            // on every rank, rank agreement, output-folder lock and
            // writability); the run's memory estimate is the cycling
            // engine's, not this inversion's, so it is not checked here.
            let start = try RunStart(world: world, config: config, output: output, use: .fresh, command: "rcas synthesis",
                                     estimate: false, maxMemory: nil, newRunFiles: [],
                                     logger: logging.logger("rcas.synthesis", rank: world.rank))
            let experiment = start.experiment
            let clock = ContinuousClock(), started = clock.now
            let inversion = try SynthesisInversion(config: experiment, world: world, output: folder, options: options)
            say(world, "rcas synthesis: \(experiment.name) on \(experiment.domain.name), \(experiment.start) to \(experiment.end), "
                + "\(world.size) rank(s); prior \(inversion.prior.description)")
            inversion.progress = { say(world, "  \($0) [\(elapsed(clock.now - started))]") }
            if !options.sweep.isEmpty {
                guard let table = try inversion.runSweep() else { return }
                print(table.table)
                print("wrote \(table.rows.count) settings and \(folder.path)/sweep.csv, sweep.json in \(elapsed(clock.now - started))")
                start.folder?.release()
                return
            }
            guard let summary = try inversion.run() else { return }
            try summary.json.write(to: folder.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
            print(summary.table)
            print("wrote \(folder.path)/summary.json in \(elapsed(clock.now - started))")
            start.folder?.release()
        }
    }
}
