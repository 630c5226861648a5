import Foundation
import Parallel
import Synchronization

/// The stop signals: SIGTERM and SIGINT (a user, `timeout`, SLURM at a time
/// limit or on scancel, mpirun passing them on) and SIGUSR1 (SLURM's warning
/// before a time limit, `--signal=B:USR1@T`, which the job scripts and mpirun
/// forward).
///
/// - Before the hourly cycle starts (reading inputs, building the ensemble)
///   the first signal ends the process at once, from the handler, so that a
///   run blocked reading many files still stops: rank 0 removes what a new
///   run created (its streamed files, the lock, the folder if it made it);
///   a resumed run's checkpoint and files stay as they were. Exit status
///   128 + the signal number.
/// - While cycling, the first signal asks for a stop at the end of the
///   current hour: the ranks agree (``agreed(_:)``), rank 0 writes a
///   checkpoint and rcas exits 0.
/// - A second signal, at least ``repeatInterval`` seconds after the first,
///   ends the process at once (128 + the signal number); --resume continues
///   from the last checkpoint. Signals closer together count as one: under
///   SLURM and mpirun the same signal often reaches a rank twice.
///
/// The handler may run on any thread (MPI starts its own), so its state is
/// atomic; it only reads C strings prepared beforehand and calls
/// async-signal-safe functions (write, unlink, rmdir, open, _exit).
enum StopRequest {
    /// The first stop signal's number (0: none yet).
    static let signalled = Atomic<Int32>(0)
    private static let firstSecond = Atomic<Int>(0)
    private static let cycling = Atomic<Bool>(false)
    /// Set while rank 0 takes the output folder: a signal then only records
    /// itself (``deferred``) and the main thread ends the process afterwards.
    private static let critical = Atomic<Bool>(false)
    private static let deferred = Atomic<Int32>(0)
    nonisolated(unsafe) private static var speaks = false
    nonisolated(unsafe) private static var lockFile: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private static var earlyFiles: [UnsafeMutablePointer<CChar>] = []
    nonisolated(unsafe) private static var earlyFolder: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private static var statusFile: UnsafeMutablePointer<CChar>?
    nonisolated(unsafe) private static var messages: [UnsafeMutablePointer<CChar>] = []

    /// Seconds within which a repeated signal counts as the same request.
    static let repeatInterval = 2

    /// Installs the handlers (once, after MPI started). Rank 0 prints what a
    /// signal does; `statusFile` (the RCAS_STATUS_FILE variable) receives
    /// the exit code when the handler ends the process.
    static func install(rank: Int, statusFile path: String?) {
        speaks = rank == 0
        statusFile = rank == 0 ? path.flatMap { strdup($0) } : nil
        let texts: [String] = [
            "rcas: signal received before the hourly cycle started: stopping now; nothing this run wrote is kept "
                + "(a resumed run's checkpoint is left as it was)\n",
            "rcas: stop requested by a signal: the run stops with a checkpoint at the end of the current hour "
                + "(a second signal stops at once)\n",
            "rcas: second signal: stopping at once; --resume continues from the last checkpoint\n",
        ]
        messages = texts.compactMap { strdup($0) }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in StopRequest.handle(number) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        var stops = sigset_t()
        sigemptyset(&stops)
        for number in [SIGUSR1, SIGTERM, SIGINT] {
            sigaction(number, &action, nil)
            sigaddset(&stops, number)
        }
        // A launcher may start us with these signals blocked (the mask is
        // inherited through exec): they must reach the handler.
        pthread_sigmask(SIG_UNBLOCK, &stops, nil)
    }

    /// What rank 0 removes if a signal ends the process before cycling: the
    /// lock file always, and for a new run the files it created and the
    /// folder when the run made it.
    static func prepare(lockFile lock: String, earlyFiles files: [String], earlyFolder folder: String?) {
        earlyFiles = files.compactMap { strdup($0) }
        earlyFolder = folder.flatMap { strdup($0) }
        lockFile = strdup(lock)
    }

    /// Runs `body` (taking the output folder and telling the handler what to
    /// remove, ``prepare(lockFile:earlyFiles:earlyFolder:)``) as one step: a
    /// signal meanwhile is acted on when `body` returns.
    static func holdingSignals<T>(_ body: () throws -> T) rethrows -> T {
        critical.store(true, ordering: .sequentiallyConsistent)
        defer {
            critical.store(false, ordering: .sequentiallyConsistent)
            let number = deferred.load(ordering: .sequentiallyConsistent)
            if number != 0 {
                say(messages[0])
                for file in earlyFiles { unlink(file) }
                end(ExitStatus.stopped(by: number), removingFolder: true)
            }
        }
        return try body()
    }

    /// From now on a first signal stops at the next hour boundary.
    static func startCycling() { cycling.store(true, ordering: .sequentiallyConsistent) }

    /// True when any rank received a stop signal (collective, so all ranks
    /// stop at the same hour).
    static func agreed(_ world: any Communicator) -> Bool {
        world.allreduce(Int(signalled.load(ordering: .sequentiallyConsistent)), .max) > 0
    }

    private static func handle(_ number: Int32) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        if signalled.compareExchange(expected: 0, desired: number, ordering: .sequentiallyConsistent).exchanged {
            firstSecond.store(now.tv_sec, ordering: .sequentiallyConsistent)
            if !cycling.load(ordering: .sequentiallyConsistent) {
                if critical.load(ordering: .sequentiallyConsistent) {
                    deferred.store(number, ordering: .sequentiallyConsistent)
                    return
                }
                say(messages[0])
                for file in earlyFiles { unlink(file) }
                end(ExitStatus.stopped(by: number), removingFolder: true)
            }
            say(messages[1])
        } else if now.tv_sec - firstSecond.load(ordering: .sequentiallyConsistent) >= repeatInterval {
            say(messages[2])
            end(ExitStatus.stopped(by: number), removingFolder: false)
        }
    }

    private static func say(_ message: UnsafeMutablePointer<CChar>) {
        if speaks { _ = write(STDERR_FILENO, message, strlen(message)) }
    }

    private static func end(_ code: Int32, removingFolder: Bool) -> Never {
        if let lockFile { unlink(lockFile) }
        if removingFolder, let earlyFolder { rmdir(earlyFolder) }
        if let statusFile { writeStatus(code, to: statusFile) }
        _exit(code)
    }

    /// Writes "CODE\n" (async-signal-safe: digits made by hand).
    private static func writeStatus(_ code: Int32, to path: UnsafeMutablePointer<CChar>) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        var digits: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 10)
        digits.0 = UInt8(48 + code / 100 % 10)
        digits.1 = UInt8(48 + code / 10 % 10)
        digits.2 = UInt8(48 + code % 10)
        _ = withUnsafeBytes(of: &digits) { write(fd, $0.baseAddress, 4) }
        close(fd)
    }
}
