import CStopSignals
import Foundation
import Parallel

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
/// The handler itself is C (CStopSignals): it may interrupt any thread at
/// any point, including inside the Swift runtime's own locks, so it must not
/// enter Swift. It reads only C strings prepared here beforehand and calls
/// async-signal-safe functions (write, unlink, rmdir, open, _exit).
enum StopRequest {
    /// Seconds within which a repeated signal counts as the same request.
    static let repeatInterval = 2

    /// Installs the handlers (once, after MPI started). Rank 0 prints what a
    /// signal does; `statusFile` (the RCAS_STATUS_FILE variable) receives
    /// the exit code when the handler ends the process.
    static func install(rank: Int, statusFile path: String?) {
        rcas_stop_install(
            rank == 0 ? 1 : 0, rank == 0 ? path : nil,
            "rcas: signal received before the hourly cycle started: stopping now; nothing this run wrote is kept "
                + "(a resumed run's checkpoint is left as it was)\n",
            "rcas: stop requested by a signal: the run stops with a checkpoint at the end of the current hour "
                + "(a second signal stops at once)\n",
            "rcas: second signal: stopping at once; --resume continues from the last checkpoint\n",
            repeatInterval)
    }

    /// What rank 0 removes if a signal ends the process before cycling: the
    /// lock file always, and for a new run the files it created and the
    /// folder when the run made it. Called inside ``holdingSignals(_:)``.
    static func prepare(lockFile lock: String, earlyFiles files: [String], earlyFolder folder: String?) {
        let copies = files.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        copies.map { UnsafePointer($0) }.withUnsafeBufferPointer {
            rcas_stop_prepare(lock, $0.baseAddress, $0.count, folder)
        }
    }

    /// Runs `body` (taking the output folder and telling the handler what to
    /// remove, ``prepare(lockFile:earlyFiles:earlyFolder:)``) as one step: a
    /// signal meanwhile is acted on when `body` returns.
    static func holdingSignals<T>(_ body: () throws -> T) rethrows -> T {
        rcas_stop_hold()
        defer { rcas_stop_release() }
        return try body()
    }

    /// From now on a first signal stops at the next hour boundary.
    static func startCycling() { rcas_stop_start_cycling() }

    /// True when any rank received a stop signal (collective, so all ranks
    /// stop at the same hour).
    static func agreed(_ world: any Communicator) -> Bool {
        world.allreduce(Int(rcas_stop_signalled()), .max) > 0
    }
}
