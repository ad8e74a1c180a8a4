#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

private let raised = Atomic<Int32>(0)

/// SIGINT/SIGTERM as a stop request: the first signal sets a flag that the cascade polls between
/// units of work (it then checkpoints and stops); a second one exits at once with `exitCode`,
/// which is still resumable, since the run directory always holds the last finished batch.
public enum InterruptSignal {
    /// The exit code of an interrupted, resumable run.
    public static let exitCode: Int32 = 75

    public static func install() {
        _ = raised.load(ordering: .relaxed)
        // A parent that spawned us from a thread with these signals blocked (libdispatch
        // workers block them) passes the mask on; unblock them so they reach the handler.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for signal in [SIGINT, SIGTERM] {
            _ = Glibc.signal(signal) { _ in
                if raised.exchange(1, ordering: .relaxed) != 0 { _exit(InterruptSignal.exitCode) }
            }
        }
    }

    public static var isRaised: Bool { raised.load(ordering: .relaxed) != 0 }
}
