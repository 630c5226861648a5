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
            transport's share, and peak memory summed over ranks. Every hour is counted, the first ones too \
            (the window fills during them). The outputs go to a scratch folder that is removed at the end.
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

    @Option(help: "Scratch folder for the run's files (must not exist; removed at the end).")
    var scratch = "rcas-bench-cycle"

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    func validate() throws {
        guard (2...100_000).contains(members) else { throw ValidationError("--members must be in 2...100000") }
        guard (1...24 * 366).contains(hours) else { throw ValidationError("--hours must be in 1...8784") }
        guard FileManager.default.fileExists(atPath: URL(fileURLWithPath: domain).appendingPathComponent("domain.yaml").path)
        else { throw ValidationError("--domain \(domain): no domain.yaml in that folder") }
    }

    /// The benchmark's experiment, as a configuration file's text.
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
            checkpoint: {interval_hours: 24}

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
            run.onCheckpoint = { run in try run.saveCheckpoint(in: folder) }
            started = clock.now
            let sentBefore = MessageTraffic.sent
            try run.run()
            let total = world.allreduce((clock.now - started).inSeconds, .max)
            let sentAfter = MessageTraffic.sent
            let traffic = MessageTraffic.Kind.allCases.map { ($0, world.allreduce(sentAfter[$0]! - sentBefore[$0]!, .sum)) }
            let phases = CyclePhases.Phase.allCases.map { ($0, world.allreduce(run.phases.seconds[$0] ?? 0, .max)) }
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let memory = world.allreduce(Int(usage.ru_maxrss) * 1024, .sum)
            guard world.rank == 0 else { return }
            report(ranks: world.size, total: total, truth: truthSeconds, phases: phases, memory: memory, traffic: traffic)
        }
    }

    private func report(ranks: Int, total: Double, truth: Double, phases: [(CyclePhases.Phase, Double)], memory: Int,
                        traffic: [(MessageTraffic.Kind, Int)]) {
        let perHour = Double(hours)
        let transport = (phases.first { $0.0 == .transport }?.1 ?? 0) / perHour
        if json {
            let phaseText = phases.map { "\"\($0.0.rawValue)\": \($0.1 / perHour)" }.joined(separator: ", ")
            let trafficText = traffic.map { "\"\($0.0.rawValue)\": \(Double($0.1) / perHour)" }.joined(separator: ", ")
            print("{\"ranks\": \(ranks), \"members\": \(members), \"hours\": \(hours), \"generator\": \"\(generator.rawValue)\", "
                  + "\"observations\": \"\(observations.rawValue)\", \"seconds_per_simulated_hour\": \(total / perHour), "
                  + "\"transport_seconds_per_simulated_hour\": \(transport), \"cycle_over_transport\": \(total / perHour / transport), "
                  + "\"phases\": {\(phaseText)}, \"message_bytes_per_simulated_hour\": {\(trafficText)}, "
                  + "\"truth_and_observations_seconds\": \(truth), \"peak_memory_bytes\": \(memory)}")
            return
        }
        print(String(format: "bench cycle: %d rank(s), %d members, %d hours, %@, %@", ranks, members, hours,
                     generator.rawValue, observations.rawValue))
        print(String(format: "  whole cycle            %.4f s per simulated hour (%.2fx the transport)", total / perHour,
                     total / perHour / transport))
        for (phase, seconds) in phases {
            print("  " + phase.rawValue.padding(toLength: 22, withPad: " ", startingAt: 0)
                  + String(format: " %.4f s per simulated hour", seconds / perHour))
        }
        print("  bytes sent between ranks per simulated hour (summed over ranks): "
              + traffic.map { "\($0.0.rawValue) \($0.1 / hours)" }.joined(separator: ", "))
        print(String(format: "  (truth run and synthetic observations before the cycle: %.1f s; peak memory %.0f MiB over ranks)",
                     truth, Double(memory) / 1_048_576))
    }
}
