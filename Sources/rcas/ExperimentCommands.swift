import ArgumentParser
import Experiment
import Foundation
import Logging
import ModelTime
import Parallel
import Assimilation

/// Loads a configuration, turning its errors into a clean command-line failure
/// before any output exists.
func loadExperiment(_ path: String) throws -> ExperimentConfig {
    do {
        return try ExperimentConfig.load(path)
    } catch {
        throw CommandFailure("invalid configuration: \(error)")
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// The `--log-level` option of the parallel commands.
struct LoggingOptions: ParsableArguments {
    @Option(help: "Log level on standard error: trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    /// A logger for `label` on this rank (messages carry the rank).
    func logger(_ label: String, rank: Int) -> Logger {
        var logger = Logger(label: label)
        logger.logLevel = logLevel
        logger[metadataKey: "rank"] = "\(rank)"
        return logger
    }
}

/// Starts MPI, checks the world against a SLURM allocation, and runs `body`
/// with the world communicator; an error on any rank aborts every rank.
func withWorld(_ body: (any Communicator) throws -> Void) {
    let world = MPIRuntime.start()
    StopRequest.install()
    if let problem = LauncherCheck.mismatch(worldSize: world.size, environment: ProcessInfo.processInfo.environment) {
        world.abort(problem)
    }
    world.abortOnError { try body(world) }
    MPIRuntime.finish()
}

/// Prints on rank 0 only, flushing so progress shows under mpirun and SLURM.
func say(_ world: any Communicator, _ text: String) {
    guard world.rank == 0 else { return }
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// Logs the resolved configuration once (rank 0), as every run records it.
func logConfiguration(_ experiment: ExperimentConfig, _ logger: Logger, world: any Communicator) {
    guard world.rank == 0 else { return }
    logger.info("configuration \(experiment.file), every parameter as used:\n\(experiment.resolvedText)")
}

struct OSSECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "osse",
        abstract: "Run a twin experiment: truth, synthetic observations, assimilation, CTRL, FC and scores.",
        discussion: "Run under mpirun for several ranks. Writes fluxes.nc, observations.nc, ctrl/, fc/ and summary.json.")

    @Argument(help: "The experiment configuration (YAML).")
    var config: String

    @Option(name: .shortAndLong, help: "Output folder (created; must be empty or absent).")
    var output: String

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let experiment = try loadExperiment(config)
        let folder = URL(fileURLWithPath: output)
        try prepareOutputFolder(folder)
        withWorld { world in
            logConfiguration(experiment, logging.logger("rcas.osse", rank: world.rank), world: world)
            let clock = ContinuousClock(), started = clock.now
            say(world, "rcas osse: \(experiment.name) on \(experiment.domain.name), \(experiment.start) to \(experiment.end), "
                + "\(experiment.members) members, \(world.size) rank(s)")
            var twin = try TwinExperiment(config: experiment, output: folder, world: world)
            twin.logger = logging.logger("rcas.osse", rank: world.rank)
            twin.progress = { say(world, "  \($0) [\(elapsed(clock.now - started))]") }
            guard let summary = try twin.run() else { return }
            try summary.json.write(to: folder.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
            print(summary.table)
            print("wrote \(folder.path)/summary.json in \(elapsed(clock.now - started))")
        }
    }
}

/// Creates the output folder, refusing one that already holds files so that
/// nothing a user wrote is overwritten.
func prepareOutputFolder(_ folder: URL) throws {
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw CommandFailure("output \(folder.path) exists and is not a folder") }
        let contents = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        guard contents.isEmpty else {
            throw CommandFailure("output folder \(folder.path) is not empty; choose a new one (or --resume a run)")
        }
    }
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
}

func elapsed(_ duration: Duration) -> String {
    let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    return seconds < 120 ? String(format: "%.1f s", seconds) : String(format: "%.1f min", seconds / 60)
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Cycle the ensemble assimilation over the configured period (run under mpirun).",
        discussion: "Writes fluxes.nc and observations.nc into the output folder (Docs/outputs.md).")

    @Argument(help: "The experiment configuration (YAML).")
    var config: String

    @Option(name: .shortAndLong, help: "Output folder (created; must be empty or absent unless --resume).")
    var output: String

    @Flag(help: "Continue from the output folder's last complete checkpoint.")
    var resume = false

    @Option(help: "Stop after this hour (YYYY-MM-DDTHH) with a checkpoint, for runs split into segments.")
    var until: String?

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let experiment = try loadExperiment(config)
        guard experiment.satellite.source == .files else {
            throw CommandFailure("\(config): key 'observations.satellite.source': 'synthetic' observations come from a truth run; use 'rcas osse'")
        }
        let folder = URL(fileURLWithPath: output)
        if resume {
            guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkpoint.nc").path) else {
                throw CommandFailure("--resume: \(folder.path) holds no checkpoint.nc")
            }
        } else {
            try prepareOutputFolder(folder)
        }
        let resume = resume
        var stopAt: ModelHour?
        if let until {
            guard let hour = ModelHour(iso: until), hour > experiment.start, hour <= experiment.end else {
                throw ValidationError("--until \(until) must be an hour inside the period (after \(experiment.start), up to \(experiment.end))")
            }
            stopAt = hour
        }
        withWorld { world in
            let clock = ContinuousClock(), started = clock.now
            let observations = try ObservationInput.load(paths: experiment.satellite.files, inSitu: experiment.inSituFiles,
                                                         config: experiment)
            say(world, "rcas run: \(experiment.name), \(experiment.start) to \(experiment.end), \(experiment.members) members, "
                + "\(world.size) rank(s)\n\(ObservationInput.report(observations))")
            let run = try AssimilationRun(config: experiment, world: world, observations: observations, folder: folder,
                                          resuming: resume)
            run.logger = logging.logger("rcas.run", rank: world.rank)
            logConfiguration(experiment, run.logger, world: world)
            if resume { say(world, "resumed from the checkpoint at \(run.now)") }
            run.onCheckpoint = { run in
                try run.saveCheckpoint(in: folder)
                say(world, "  checkpoint at \(run.now)")
            }
            run.stopRequested = { [unowned run] in
                StopRequest.agreed(world) || (stopAt.map { run.now >= $0 } ?? false)
            }
            let resumedAt = run.now
            run.onHour = { hour in
                guard hour.hourOfDay == 0 else { return }
                // Rates from the wall time since this process started and the hours it ran.
                let done = Double(resumedAt.distance(to: hour)), left = Double(hour.distance(to: experiment.end.advanced(by: 1)))
                let seconds = max(1e-3, Double((clock.now - started).components.seconds)
                    + Double((clock.now - started).components.attoseconds) * 1e-18)
                let total = Double(experiment.hourCount)
                say(world, String(format: "  reached %@: %.0f%%, %.1f simulated days per wall hour, ETA %@", hour.iso,
                                  100 * (total - left) / total, done / 24 / (seconds / 3600),
                                  elapsed(.seconds(left * seconds / max(done, 1)))))
            }
            do {
                try run.run()
            } catch ExperimentError.stopRequested(let time) {
                let why = stopAt == time ? "reached --until" : "stop requested by a signal"
                say(world, "\(why): checkpoint at \(time) written; continue with --resume")
                return
            }
            say(world, "wrote \(folder.path)/fluxes.nc, observations.nc and concentrations.nc in \(elapsed(clock.now - started))")
        }
    }
}

struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "A deterministic forward run with the prior (CTRL) or posterior (FC) flux, sampled at the observations.")

    enum FluxChoice: String, ExpressibleByArgument, CaseIterable { case prior, posterior }

    @Argument(help: "The experiment configuration (YAML).")
    var config: String

    @Option(help: "prior (CTRL) or posterior (FC, needs --run).")
    var flux: FluxChoice

    @Option(name: .customLong("run"), help: "The assimilation run folder whose fluxes.nc gives the posterior flux.")
    var runDirectory: String?

    @Option(name: .shortAndLong, help: "Output folder (created; must be empty or absent).")
    var output: String

    func run() throws {
        let experiment = try loadExperiment(config)
        if flux == .posterior && runDirectory == nil { throw ValidationError("--flux posterior needs --run RUN_DIR") }
        let folder = URL(fileURLWithPath: output)
        try prepareOutputFolder(folder)
        let label = flux == .prior ? "CTRL" : "FC"
        withWorld { world in
            let twinObservations = URL(fileURLWithPath: runDirectory ?? ".").appendingPathComponent("observations")
            let observations = experiment.satellite.source == .files
                ? try ObservationInput.load(paths: experiment.satellite.files, inSitu: experiment.inSituFiles, config: experiment)
                : try ObservationInput.load(paths: [twinObservations.path],
                                            inSitu: [twinObservations.appendingPathComponent("insitu").path], config: experiment)
            let natural: NaturalFluxSource
            if let runDirectory {
                natural = try PosteriorFlux(path: URL(fileURLWithPath: runDirectory).appendingPathComponent("fluxes.nc").path,
                                            config: experiment).source(config: experiment)
            } else {
                natural = try experiment.priorFluxSource()
            }
            try ForwardRun(config: experiment, label: label, natural: natural, world: world, observations: observations,
                           folder: folder).run()
            say(world, "wrote \(folder.path)/observations.nc (\(label))")
        }
    }
}
