import ArgumentParser
import Experiment
import Foundation

extension JacobianBasis.Partition: ExpressibleByArgument {}
extension JacobianBasis.Periods: ExpressibleByArgument {}
extension JacobianBasis.Shape: ExpressibleByArgument {}

/// `rcas jacobian CONFIG --output FILE.nc`: the transport Jacobian of a
/// configuration's observations by tagged tracers (Docs/jacobians.md).
struct JacobianCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jacobian",
        abstract: "Transport Jacobian (footprints) of every observation by tagged tracers (run under mpirun).",
        discussion: """
            One tracer per flux basis function (cells, K x K blocks or the Kou et al. 2023 regions, times hours, days, \
            smoothing windows or the whole period), plus the background (initial field, boundary, prescribed fluxes) \
            and the prior of the optimised fluxes, sampled at every observation with the filter's operators. \
            --shape unit gives footprints in ppm per umol m-2 s-1; --shape prior gives the sensitivity to scaling \
            factors of the prior (the synthesis inversion's basis). Exact with transport: {advection: upwind}. \
            See Docs/jacobians.md.
            """)

    @Argument(help: "The experiment configuration (YAML).")
    var config: String

    @Option(name: .shortAndLong, help: "The Jacobian file to write (NetCDF-4).")
    var output: String

    @Option(help: "Groups of cells: regions, blocks:K or cells.")
    var basis: JacobianBasis.Partition = .cells

    @Option(help: "Time periods: hourly, daily, hours:N (counted from 1970-01-01), window (smoothing windows from the start) or all.")
    var period: JacobianBasis.Periods = .aligned(24)

    @Option(help: "unit (footprints, ppm per umol m-2 s-1) or prior (per scaling factor of the prior flux).")
    var shape: JacobianBasis.Shape = .unit

    @Option(name: .customLong("twin-run"), help: "For a twin configuration: the twin run folder whose synthetic observations to use.")
    var twinRun: String?

    @Option(name: .customLong("batch-size"), help: "Most tracers transported at once (memory).")
    var batchSize = 2000

    @Flag(name: .customLong("candidates-only"), help: "Rows for the assimilation candidates only, not the independent validation observations.")
    var candidatesOnly = false

    func run() throws {
        let experiment = try loadExperiment(config)
        let path = URL(fileURLWithPath: output).standardizedFileURL.path
        guard !FileManager.default.fileExists(atPath: path) else { throw CommandFailure("output \(path) exists; choose a new name") }
        if experiment.satellite.source == .synthetic && twinRun == nil {
            throw CommandFailure("\(config): the observations are synthetic: pass --twin-run with the folder of a twin run "
                                 + "(rcas osse or rcas synthesis) that made them")
        }
        withWorld { world in
            let clock = ContinuousClock(), started = clock.now
            let observations = try twinRun.map { try TwinExperiment.observations(in: URL(fileURLWithPath: $0), config: experiment) }
                ?? ObservationInput.load(config: experiment)
            let basis = try JacobianBasis.make(config: experiment, partition: basis, periods: period, shape: shape)
            say(world, "rcas jacobian: \(experiment.name), \(basis.count) basis functions (\(basis.partition) x \(basis.periods), "
                + "\(basis.shape.rawValue) shape), \(world.size) rank(s)")
            let run = try JacobianRun(config: experiment, basis: basis, world: world, observations: observations,
                                      batchSize: batchSize, includeValidation: !candidatesOnly)
            run.progress = { say(world, "  \($0) [\(elapsed(clock.now - started))]") }
            guard let jacobian = try run.run() else { return }
            try JacobianFile.write(jacobian, config: experiment, to: path)
            say(world, "wrote \(path): \(jacobian.observations.count) observations x \(basis.count) basis functions "
                + "(\(jacobian.transportScheme) transport) in \(elapsed(clock.now - started))")
        }
    }
}
