import Experiment
import Foundation
import Logging
import Parallel

/// An error every rank raised at the same point (a start-up check whose
/// verdict all ranks share): rank 0 prints it once and every rank exits
/// cleanly with the same code, which mpirun passes on.
struct AgreedFailure: Error {
    let status: Int32
    let message: String
}

/// Runs `body` on every rank and makes its failure on any rank a failure of
/// all (collective: one allgather of the outcomes and, on failure, a gather
/// of the messages on rank 0): throws ``AgreedFailure`` with the largest
/// exit code on every rank. For start-up steps, where a failure must not
/// leave other ranks waiting in the next collective.
func agreeing<T>(_ world: any Communicator, _ body: () throws -> T) throws -> T {
    var outcome: Result<T, any Error>
    do { outcome = .success(try body()) } catch { outcome = .failure(error) }
    var status: Int32 = 0, message = ""
    if case .failure(let error) = outcome {
        status = ExitStatus(for: error).rawValue
        message = "\(error)"
    }
    let statuses = world.allgather([Int(status)]).map { $0[0] }
    guard let worst = statuses.max(), worst > 0 else { return try outcome.get() }
    let messages = world.gather(Array(message.utf8), root: 0)?.map { String(decoding: $0, as: UTF8.self) } ?? []
    let failing = statuses.indices.filter { statuses[$0] > 0 }
    let distinct = Set(failing.map { messages.isEmpty ? "" : messages[$0] })
    let text = distinct.count == 1 ? (distinct.first ?? "")
        : failing.map { "rank \($0): \(messages.isEmpty ? "" : messages[$0])" }.joined(separator: "\n")
    throw AgreedFailure(status: Int32(worst), message: text)
}

/// Starts MPI, installs the stop-signal handlers, checks the world against a
/// SLURM allocation, runs `body` on every rank and ends the process with the
/// run's exit code (Docs/user-guide.md, "Exit codes"): 0 when `body`
/// returns; an ``AgreedFailure``'s code on every rank, printed once; any
/// other error is printed with its rank and aborts every rank with its code.
/// Rank 0 writes the code to the file named by RCAS_STATUS_FILE, for job
/// scripts (mpirun itself exits 1 after a SIGTERM whatever the ranks did).
func withWorld(_ body: (any Communicator) throws -> Void) -> Never {
    let world = MPIRuntime.start()
    let statusFile = ProcessInfo.processInfo.environment["RCAS_STATUS_FILE"]
    StopRequest.install(rank: world.rank, statusFile: statusFile)
    if let problem = LauncherCheck.mismatch(worldSize: world.size, environment: ProcessInfo.processInfo.environment) {
        world.abort(problem)
    }
    func record(_ code: Int32, _ message: String) {
        guard world.rank == 0, let statusFile else { return }
        try? "\(code) \(message)\n".write(toFile: statusFile, atomically: true, encoding: .utf8)
    }
    var code: Int32 = 0
    do {
        try body(world)
        record(0, "done")
    } catch let failure as AgreedFailure {
        if world.rank == 0 { FileHandle.standardError.write(Data("Error: \(failure.message)\n".utf8)) }
        record(failure.status, failure.message)
        code = failure.status
    } catch {
        let status = ExitStatus(for: error).rawValue
        FileHandle.standardError.write(Data("rcas: fatal error on rank \(world.rank) of \(world.size): \(error)\n".utf8))
        record(status, "\(error)")
        MPIRuntime.abort(code: status)
    }
    MPIRuntime.finish()
    exit(code)
}

/// Prints on rank 0 only, flushing so progress shows under mpirun and SLURM.
func say(_ world: any Communicator, _ text: String) {
    guard world.rank == 0 else { return }
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}

/// What every experiment command checks, in this order, before it computes
/// anything: the configuration loads on every rank; every rank holds the
/// same configuration and input files; the memory estimate fits each node;
/// rank 0 takes the output folder (lock, writability, stale files, empty
/// or resumable). A failure stops every rank with one message and its exit
/// code, and leaves no folder the run created.
struct RunStart {
    let experiment: ExperimentConfig
    /// The output folder, held by rank 0 (nil on the others).
    let folder: RunFolder?

    /// `estimate`: check the memory estimate (assimilation runs), with
    /// `maxMemory` (bytes per node) instead of the node's memory when given.
    /// `newRunFiles`: the files (names in the folder) a new run creates
    /// before its cycle starts, which a signal before then removes.
    init(world: any Communicator, config path: String, output: String, use: RunFolder.Use, command: String,
         estimate: Bool, maxMemory: Int?, newRunFiles: [String], logger: Logger) throws {
        let experiment = try agreeing(world) { try loadExperiment(path) }
        try agreeing(world) { try RankConsistency.verify(experiment, world: world) }
        if estimate {
            let estimate = try agreeing(world) {
                try MemoryEstimate(config: experiment, worldSize: world.size, resuming: use == .resume)
            }
            try agreeing(world) { try MemoryLimit.check(estimate, limit: maxMemory, world: world) }
            if world.rank == 0 { logger.info("\(estimate)") }
        }
        // Rank 0 takes the folder and tells the signal handler what a signal
        // before the cycle removes (the lock, and what a new run creates) as
        // one step; the others wait for its verdict.
        let folder = try agreeing(world) { () throws -> RunFolder? in
            guard world.rank == 0 else { return nil }
            return try StopRequest.holdingSignals {
                let folder = try RunFolder(URL(fileURLWithPath: output), use: use, command: command)
                StopRequest.prepare(lockFile: folder.lockPath,
                                    earlyFiles: use == .fresh ? newRunFiles.map { folder.url.appendingPathComponent($0).path } : [],
                                    earlyFolder: use == .fresh && folder.created ? folder.url.path : nil)
                return folder
            }
        }
        if let folder {
            for note in folder.notes { logger.notice("\(note)") }
        }
        self.experiment = experiment
        self.folder = folder
    }

    /// After a failure before cycling in a new run: removes `files`, the lock
    /// and the folder if this run created it (rank 0).
    func undoNewRun(files: [String]) {
        guard let folder else { return }
        for name in files { unlink(folder.url.appendingPathComponent(name).path) }
        folder.release(removingCreatedFolder: true)
    }
}
