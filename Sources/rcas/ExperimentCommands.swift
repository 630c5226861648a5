import ArgumentParser
import Experiment
import Foundation
import Logging
import ModelTime
import Parallel
import Assimilation

/// Loads a configuration, turning its errors into a clean command-line failure
/// before any output exists. Anything but a regular file (a FIFO would block
/// the read forever) is refused first.
func loadExperiment(_ path: String) throws -> ExperimentConfig {
    var status = stat()
    if stat(path, &status) == 0 && status.st_mode & S_IFMT != S_IFREG {
        let kind = status.st_mode & S_IFMT == S_IFIFO ? "a FIFO (named pipe)" : "not a regular file"
        throw CommandFailure("invalid configuration: \(path) is \(kind)")
    }
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

/// Logs the resolved configuration once (rank 0), as every run records it.
func logConfiguration(_ experiment: ExperimentConfig, _ logger: Logger, world: any Communicator) {
    guard world.rank == 0 else { return }
    logger.info("configuration \(experiment.file), every parameter as used:\n\(experiment.resolvedText)")
}

/// The options every experiment command shares: the memory limit.
struct ResourceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Memory a node offers the run, e.g. 64G (binary units K, M, G, T as SLURM's --mem); "
                               + "default: the node's physical memory or its control-group limit.", valueName: "size"))
    var maxMemory: String?

    /// Bytes, or nil for the node's own limit.
    func limit() throws -> Int? {
        guard let maxMemory else { return nil }
        guard let bytes = MemoryLimit.parse(maxMemory) else {
            throw ValidationError("--max-memory '\(maxMemory)' is not a size such as 64G or 512M")
        }
        return bytes
    }
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

    @OptionGroup var resources: ResourceOptions
    @OptionGroup var logging: LoggingOptions

    func run() throws {
        let limit = try resources.limit()
        withWorld { world in
            let logger = logging.logger("rcas.osse", rank: world.rank)
            let start = try RunStart(world: world, config: config, output: output, use: .fresh, command: "rcas osse",
                                     estimate: true, maxMemory: limit, newRunFiles: [], logger: logger)
            let experiment = start.experiment, folder = URL(fileURLWithPath: output)
            logConfiguration(experiment, logger, world: world)
            let clock = ContinuousClock(), started = clock.now
            say(world, "rcas osse: \(experiment.name) on \(experiment.domain.name), \(experiment.start) to \(experiment.end), "
                + "\(experiment.members) members, \(world.size) rank(s)")
            var twin = try TwinExperiment(config: experiment, output: folder, world: world)
            twin.logger = logger
            twin.progress = { say(world, "  \($0) [\(elapsed(clock.now - started))]") }
            let summary: TwinSummary?
            do {
                summary = try twin.run()
            } catch {
                start.undoNewRun(files: [])
                throw error
            }
            guard let summary else { return }
            try summary.json.write(to: folder.appendingPathComponent("summary.json"), atomically: true, encoding: .utf8)
            print(summary.table)
            print("wrote \(folder.path)/summary.json in \(elapsed(clock.now - started))")
            start.folder?.release()
        }
    }
}

func elapsed(_ duration: Duration) -> String {
    let seconds = duration.inSeconds
    return seconds < 120 ? String(format: "%.1f s", seconds) : String(format: "%.1f min", seconds / 60)
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Cycle the ensemble assimilation over the configured period (run under mpirun).",
        discussion: "Writes fluxes.nc and observations.nc into the output folder (Docs/outputs.md). "
            + "Exit codes: Docs/user-guide.md.")

    @Argument(help: "The experiment configuration (YAML).")
    var config: String

    @Option(name: .shortAndLong, help: "Output folder (created; must be empty or absent unless --resume).")
    var output: String

    @Flag(help: "Continue from the output folder's last complete checkpoint.")
    var resume = false

    @Flag(help: ArgumentHelp("With --resume: continue although the configuration differs from the checkpoint's; "
                             + "the change is recorded in every output file (attribute rcas_configuration_changes)."))
    var allowChangedConfiguration = false

    @Option(help: "Stop after this hour (YYYY-MM-DDTHH) with a checkpoint, for runs split into segments.")
    var until: String?

    @OptionGroup var resources: ResourceOptions
    @OptionGroup var logging: LoggingOptions

    /// The streamed files a new run creates (removed again if it stops before cycling).
    static let streamedFiles = ["fluxes.nc.partial", "observations.nc.partial", "concentrations.nc.partial",
                                "diagnostics.nc.partial"]

    func validate() throws {
        if allowChangedConfiguration && !resume { throw ValidationError("--allow-changed-configuration goes with --resume") }
        if let until, ModelHour(iso: until) == nil { throw ValidationError("--until \(until) is not an hour (YYYY-MM-DDTHH)") }
    }

    func run() throws {
        let limit = try resources.limit()
        let (resume, allowChanged) = (resume, allowChangedConfiguration)
        withWorld { world in
            let logger = logging.logger("rcas.run", rank: world.rank)
            let earlyFiles = resume ? [] : Self.streamedFiles
            let start = try RunStart(world: world, config: config, output: output, use: resume ? .resume : .fresh,
                                     command: "rcas run", estimate: true, maxMemory: limit, newRunFiles: earlyFiles,
                                     logger: logger)
            let experiment = start.experiment, folder = URL(fileURLWithPath: output)
            let run: AssimilationRun
            let stopAt: ModelHour?
            do {
                stopAt = try agreeing(world) { try checkPeriod(experiment) }
                let change = try agreeing(world) { try resume && world.rank == 0 ? checkResume(experiment, folder, allowChanged) : nil }
                let clock = ContinuousClock(), started = clock.now
                let observations = try agreeing(world) { try ObservationInput.load(config: experiment) }
                say(world, "rcas run: \(experiment.name), \(experiment.start) to \(experiment.end), \(experiment.members) members, "
                    + "\(world.size) rank(s)\n\(ObservationInput.report(observations))")
                run = try AssimilationRun(config: experiment, world: world, observations: observations, folder: folder,
                                          resuming: resume)
                if let change { try run.recordConfiguration(change) }
                run.logger = logger
                logConfiguration(experiment, run.logger, world: world)
                if resume { say(world, "resumed from the checkpoint at \(run.now)") }
                reportProgress(of: run, world: world, clock: clock, started: started)
            } catch {
                if !resume { start.undoNewRun(files: earlyFiles) }
                throw error
            }
            run.onCheckpoint = { run in
                try run.saveCheckpoint(in: folder)
                say(world, "  checkpoint at \(run.now)")
            }
            run.stopRequested = { [unowned run] in
                StopRequest.agreed(world) || (stopAt.map { run.now >= $0 } ?? false)
            }
            StopRequest.startCycling()
            let clock = ContinuousClock(), started = clock.now
            do {
                try run.run()
            } catch ExperimentError.stopRequested(let time) {
                let why = stopAt == time ? "reached --until" : "stop requested by a signal"
                say(world, "\(why): checkpoint at \(time) written; continue with --resume")
                start.folder?.release()
                return
            }
            say(world, "wrote \(folder.path)/fluxes.nc, observations.nc and concentrations.nc in \(elapsed(clock.now - started))")
            start.folder?.release()
        }
    }

    /// The --until hour, which must lie inside the period.
    func checkPeriod(_ experiment: ExperimentConfig) throws -> ModelHour? {
        guard experiment.satellite.source == .files else {
            throw CommandFailure("\(config): key 'observations.satellite.source': 'synthetic' observations come from a "
                                 + "truth run; use 'rcas osse'")
        }
        guard let until else { return nil }
        guard let hour = ModelHour(iso: until), hour > experiment.start, hour <= experiment.end else {
            throw CommandFailure("--until \(until) must be an hour inside the period (after \(experiment.start), up to "
                                 + "\(experiment.end))", status: .usage)
        }
        return hour
    }

    /// The configuration against the checkpoint's: refused when it differs,
    /// unless `allowed`; otherwise what the outputs must record (an empty
    /// change still drops the record of an abandoned earlier attempt; rank 0).
    func checkResume(_ experiment: ExperimentConfig, _ folder: URL, _ allowed: Bool) throws -> ConfigurationChange? {
        let change = try ConfigurationChange(checkpointIn: folder, config: experiment)
        if !change.isEmpty && !allowed {
            throw CommandFailure("--resume: the configuration differs from the one the checkpoint in \(folder.path) was "
                                 + "written with (\(change.differences.count) key(s)):\n\(change.summary)\nRun with the "
                                 + "checkpoint's configuration, or pass --allow-changed-configuration to continue with this "
                                 + "one (the change is then recorded in the outputs)", status: .refusedResume)
        }
        return change
    }

    /// Prints, at each midnight reached, the progress and the rates from the
    /// wall time since this process started cycling and the hours it ran.
    func reportProgress(of run: AssimilationRun, world: any Communicator, clock: ContinuousClock,
                        started: ContinuousClock.Instant) {
        let experiment = run.config, resumedAt = run.now
        run.onHour = { hour in
            guard hour.hourOfDay == 0 else { return }
            let done = Double(resumedAt.distance(to: hour)), left = Double(hour.distance(to: experiment.end.advanced(by: 1)))
            let seconds = max(1e-3, (clock.now - started).inSeconds)
            let total = Double(experiment.hourCount)
            say(world, String(format: "  reached %@: %.0f%%, %.1f simulated days per wall hour, ETA %@", hour.iso,
                              100 * (total - left) / total, done / 24 / (seconds / 3600),
                              elapsed(.seconds(left * seconds / max(done, 1)))))
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

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        if flux == .posterior && runDirectory == nil { throw ValidationError("--flux posterior needs --run RUN_DIR") }
    }

    func run() throws {
        let label = flux == .prior ? "CTRL" : "FC"
        withWorld { world in
            let earlyFiles = ["observations.nc.partial"]
            let start = try RunStart(world: world, config: config, output: output, use: .fresh, command: "rcas forward",
                                     estimate: false, maxMemory: nil, newRunFiles: earlyFiles,
                                     logger: logging.logger("rcas.forward", rank: world.rank))
            let experiment = start.experiment, folder = URL(fileURLWithPath: output)
            do {
                let twinObservations = URL(fileURLWithPath: runDirectory ?? ".").appendingPathComponent("observations")
                let observations = try agreeing(world) {
                    experiment.satellite.source == .files
                        ? try ObservationInput.load(config: experiment)
                        : try ObservationInput.load(config: experiment, satellite: [twinObservations.path],
                                                    inSitu: [twinObservations.appendingPathComponent("insitu").path])
                }
                let natural = try agreeing(world) { () throws -> NaturalFluxSource in
                    guard let runDirectory else { return try experiment.priorFluxSource() }
                    return try PosteriorFlux(path: URL(fileURLWithPath: runDirectory).appendingPathComponent("fluxes.nc").path,
                                             config: experiment).source(config: experiment)
                }
                try ForwardRun(config: experiment, label: label, natural: natural, world: world, observations: observations,
                               folder: folder).run()
            } catch {
                start.undoNewRun(files: earlyFiles)
                throw error
            }
            say(world, "wrote \(folder.path)/observations.nc (\(label))")
            start.folder?.release()
        }
    }
}
