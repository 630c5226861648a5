import Foundation
import Parallel

/// A request to stop cleanly (SIGUSR1 or SIGTERM, e.g. SLURM's warning before
/// a time limit): the run writes a checkpoint after the current hour and exits
/// with status 0, so the job can requeue or the chain continue.
enum StopRequest {
    nonisolated(unsafe) static var signalled: sig_atomic_t = 0

    /// Installs the handlers (once, at start).
    static func install() {
        for number in [SIGUSR1, SIGTERM] {
            signal(number) { _ in StopRequest.signalled = 1 }
        }
    }

    /// True when any rank received a stop signal (collective, so all ranks
    /// stop at the same hour).
    static func agreed(_ world: any Communicator) -> Bool {
        world.allreduce(Int(signalled), .max) > 0
    }
}
