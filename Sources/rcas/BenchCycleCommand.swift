import ArgumentParser
import Experiment
import Foundation
import ModelTime
import Parallel

/// `rcas bench cycle`: the whole assimilation cycle on the synthetic world,
/// timed per phase (Docs/performance.md, "The whole cycle"). A truth run
/// samples synthetic observations first (timed apart); then the real
/// `AssimilationRun` cycles the configured hours with its outputs and daily
/// checkpoints, and each phase's wall time is reported for the slowest rank.
struct BenchCycle: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cycle",
        abstract: "Time the whole assimilation cycle and its phases on the synthetic world (run under mpirun).",
        discussion: """
            Seconds per simulated hour of the cycle and of each phase (inputs, transport, flux_ensemble, \
            observation_operators, analysis, output, checkpoint) as wall time of the slowest rank, the \
            transport's share, and peak memory summed over ranks. The hourly figures are what each further \
            hour of a long run costs: the hours after the first, plus one checkpoint spread over \
            --checkpoint-interval hours (RCAS's default interval, 24, unless given). The run checkpoints \
            every quarter of its hours (rounded down, at least every hour: three checkpoints for 24 hours); \
            the last, which from the third on writes over the spare kept from the one before last as every \
            later checkpoint of a long run does, is the one counted, and the first, a new file, is reported apart. What a run does once \
            (the first hour's flux ensemble, the last window's records and closing the files) is reported \
            apart, as is the whole run per hour. The outputs go to a scratch folder that is removed at the end.
            """)

    enum Generator: String, ExpressibleByArgument, CaseIterable {
        case jdas, gcasv2
    }

    enum Instrument: String, ExpressibleByArgument, CaseIterable {
        case gosat, oco2
    }

    @Option(help: "A domain folder (holding domain.yaml).")
    var domain: String

    @Option(help: "Ensemble members.")
    var members = 50

    @Option(help: "Simulated hours (from 2016-07-01T00).")
    var hours = 24

    @Option(help: "Flux ensemble generator, with RCAS's defaults for it: jdas or gcasv2 (λ 1, draws correlated over 800 km).")
    var generator: Generator = .gcasv2

    @Option(help: "Synthetic satellite observations: gosat or oco2.")
    var observations: Instrument = .gosat

    @Option(help: "Hours between checkpoints over which one checkpoint's cost is spread (RCAS's default 24; jdas-2016.yaml uses 168).")
    var checkpointInterval = 24

    @Option(help: "Scratch folder for the run's files (must not exist; removed at the end).")
    var scratch = "rcas-bench-cycle"

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard (2...100_000).contains(members) else { throw ValidationError("--members must be in 2...100000") }
        guard (2...24 * 366).contains(hours) else { throw ValidationError("--hours must be in 2...8784") }
        guard checkpointInterval >= 1 else { throw ValidationError("--checkpoint-interval must be at least 1 hour") }
        guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: domain).appendingPathComponent("domain.yaml").path)
        else { throw ValidationError("--domain \(domain): no domain.yaml in that folder") }
    }

    /// The benchmark's experiment, as a configuration file's text. It
    /// checkpoints every quarter of the run (rounded down, at least hourly),
    /// so that checkpoints are timed inside the run and the third writes over
    /// a spare.
    var configurationText: String {
        let domainPath = URL(fileURLWithPath: domain).standardizedFileURL.path
        let end = 1_467_331_200.0 + Double(hours - 1) * 3600  // 2016-07-01T00 + hours − 1
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime]
        let endText = String(formatter.string(from: Date(timeIntervalSince1970: end)).prefix(13))
        return """
            name: bench-cycle
            domain: \(domainPath)
            period: {start: 2016-07-01T00, end: \(endText)}
            assimilation: {members: \(members), flux_ensemble: {generator: \(generator.rawValue)}}
            ensemble: {ic_bc_perturbation: 0.0005}
            observations:
              satellite: {source: synthetic, instrument: \(observations.rawValue)}
            checkpoint: {interval_hours: \(max(1, hours / 4))}

            """
    }

    func run() throws {
        withWorld { world in
            let folder = URL(fileURLWithPath: scratch).standardizedFileURL
            let exists = world.broadcast(FileManager.default.fileExists(atPath: folder.path) ? 1 : 0, root: 0)
            guard exists == 0 else {
                throw CommandFailure("bench cycle: \(folder.path) exists; remove it or give another --scratch folder")
            }
            if world.rank == 0 {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try configurationText.write(to: folder.appendingPathComponent("bench.yaml"), atomically: true, encoding: .utf8)
            }
            world.barrier()
            defer {
                world.barrier()
                if world.rank == 0 { try? FileManager.default.removeItem(at: folder) }
            }
            let config = try loadExperiment(folder.appendingPathComponent("bench.yaml").path)
            let clock = ContinuousClock()
            var started = clock.now
            let observations = try TwinExperiment(config: config, output: folder, world: world).syntheticObservations()
            let truthSeconds = world.allreduce((clock.now - started).inSeconds, .max)

            let run = try AssimilationRun(config: config, world: world, observations: observations, folder: folder)
            // Each checkpoint's seconds and the bytes they send, counted apart from the hours'.
            var checkpointSeconds: [Double] = [], checkpointBytes: [MessageTraffic.Kind: Int] = [:]
            run.onCheckpoint = { run in
                let before = MessageTraffic.sent, start = clock.now
                try run.saveCheckpoint(in: folder)
                checkpointSeconds.append((clock.now - start).inSeconds)
                for (kind, bytes) in MessageTraffic.sent { checkpointBytes[kind, default: 0] += bytes - (before[kind] ?? 0) }
            }
            // The clock and the phases at the end of the first and of the last hour.
            var firstHour: (ContinuousClock.Instant, [CyclePhases.Phase: Double])?
            var lastHour = (clock.now, [CyclePhases.Phase: Double]())
            run.onHour = { _ in
                lastHour = (clock.now, run.phases.seconds)
                if firstHour == nil { firstHour = lastHour }
            }
            started = clock.now
            let sentBefore = MessageTraffic.sent
            try run.run()
            let runSeconds = (clock.now - started).inSeconds
            let sentAfter = MessageTraffic.sent
            let checkpoints = checkpointSeconds.count
            guard let firstHour, let first = checkpointSeconds.first, let last = checkpointSeconds.last else {
                throw CommandFailure("bench cycle: the run wrote no checkpoint")
            }
            let timing = CycleTiming(
                hours: hours, checkpointInterval: checkpointInterval, checkpointSeconds: world.allreduce(last, .max),
                firstCheckpointSeconds: world.allreduce(first, .max), checkpoints: checkpoints,
                steadySeconds: world.allreduce((lastHour.0 - firstHour.0).inSeconds, .max),
                runSeconds: world.allreduce(runSeconds, .max),
                phases: CyclePhases.Phase.allCases.map {
                    ($0, world.allreduce((lastHour.1[$0] ?? 0) - (firstHour.1[$0] ?? 0), .max))
                })
            // The checkpoints' messages leave the hours' traffic.
            let checkpointSent = MessageTraffic.Kind.allCases.map { world.allreduce(checkpointBytes[$0] ?? 0, .sum) }
            let traffic = zip(MessageTraffic.Kind.allCases, checkpointSent).map { kind, checkpoint in
                (kind, world.allreduce(sentAfter[kind]! - sentBefore[kind]!, .sum) - checkpoint)
            }
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let memory = world.allreduce(Int(usage.ru_maxrss) * 1024, .sum)
            guard world.rank == 0 else { return }
            report(ranks: world.size, timing: timing, truth: truthSeconds, memory: memory, traffic: traffic,
                   checkpointBytes: checkpointSent.reduce(0, +) / checkpoints)
        }
    }

    /// What the run's clock gave, per simulated hour of a long run.
    struct CycleTiming {
        let hours: Int
        let checkpointInterval: Int
        /// The last checkpoint (written over the spare when the run wrote three or more).
        let checkpointSeconds: Double
        /// The first checkpoint (a new file).
        let firstCheckpointSeconds: Double
        let checkpoints: Int
        /// From the end of the first hour to the end of the last (hours − 1 hours).
        let steadySeconds: Double
        /// The whole run: first hour, steady hours and what runs once at the end.
        let runSeconds: Double
        /// Each phase over the steady hours.
        let phases: [(CyclePhases.Phase, Double)]

        /// Each phase per hour; the checkpoint phase is one checkpoint per interval.
        var phasesPerHour: [(CyclePhases.Phase, Double)] {
            phases.map { ($0.0, $0.0 == .checkpoint ? checkpointPerHour : $0.1 / Double(hours - 1)) }
        }
        var checkpointPerHour: Double { checkpointSeconds / Double(checkpointInterval) }
        /// One further hour without checkpoints.
        var hourSeconds: Double { (steadySeconds - (phases.first { $0.0 == .checkpoint }?.1 ?? 0)) / Double(hours - 1) }
        /// The cycle per further hour of a long run, its checkpoints included.
        var perHour: Double { hourSeconds + checkpointPerHour }
        var transportPerHour: Double { (phases.first { $0.0 == .transport }?.1 ?? 0) / Double(hours - 1) }
        /// What the run did once: the whole run less its steady hours and
        /// one ordinary first hour (the first hour's extras, the last
        /// window's records, closing files).
        var oncePerRun: Double { runSeconds - steadySeconds - hourSeconds }
    }

    private func report(ranks: Int, timing: CycleTiming, truth: Double, memory: Int, traffic: [(MessageTraffic.Kind, Int)],
                        checkpointBytes: Int) {
        let perHour = timing.perHour, transport = timing.transportPerHour
        let runPerHour = timing.runSeconds / Double(hours)
        if json {
            let phaseText = timing.phasesPerHour.map { "\"\($0.0.rawValue)\": \($0.1)" }.joined(separator: ", ")
            let trafficText = traffic.map { "\"\($0.0.rawValue)\": \(Double($0.1) / Double(hours))" }.joined(separator: ", ")
            print("{\"ranks\": \(ranks), \"members\": \(members), \"hours\": \(hours), \"generator\": \"\(generator.rawValue)\", "
                  + "\"observations\": \"\(observations.rawValue)\", \"seconds_per_simulated_hour\": \(perHour), "
                  + "\"transport_seconds_per_simulated_hour\": \(transport), \"cycle_over_transport\": \(perHour / transport), "
                  + "\"phases\": {\(phaseText)}, \"checkpoint_seconds\": \(timing.checkpointSeconds), "
                  + "\"checkpoint_interval_hours\": \(checkpointInterval), "
                  + "\"first_checkpoint_seconds\": \(timing.firstCheckpointSeconds), \"checkpoints\": \(timing.checkpoints), "
                  + "\"once_per_run_seconds\": \(timing.oncePerRun), \"run_seconds_per_simulated_hour\": \(runPerHour), "
                  + "\"message_bytes_per_simulated_hour\": {\(trafficText)}, \"checkpoint_message_bytes\": \(checkpointBytes), "
                  + "\"truth_and_observations_seconds\": \(truth), \"peak_memory_bytes\": \(memory)}")
            return
        }
        print(String(format: "bench cycle: %d rank(s), %d members, %d hours, %@, %@", ranks, members, hours,
                     generator.rawValue, observations.rawValue))
        print(String(format: "  whole cycle            %.4f s per simulated hour (%.2fx the transport)", perHour, perHour / transport))
        for (phase, seconds) in timing.phasesPerHour {
            print("  " + phase.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
                  + String(format: " %.4f s per simulated hour", seconds))
        }
        print(String(format: "  once per run %.2f s (first hour's extras, last window's records, closing files); "
                     + "the whole run %.4f s per simulated hour; one checkpoint %.2f s (every %d hours; "
                     + "the last of %d, the first %.2f s)",
                     timing.oncePerRun, runPerHour, timing.checkpointSeconds, timing.checkpointInterval,
                     timing.checkpoints, timing.firstCheckpointSeconds))
        print("  bytes sent between ranks per simulated hour (summed over ranks): "
              + traffic.map { "\($0.0.rawValue) \($0.1 / hours)" }.joined(separator: ", ")
              + "; one checkpoint \(checkpointBytes)")
        print(String(format: "  (truth run and synthetic observations before the cycle: %.1f s; peak memory %.0f MiB over ranks)",
                     truth, Double(memory) / 1_048_576))
    }
}
