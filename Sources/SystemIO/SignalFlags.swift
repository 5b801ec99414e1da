import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Signals delivered as flags the main loop polls, instead of killing the process.
///
/// Thread-safety: the handlers only store into lock-free atomics (async-signal-safe); the
/// `take` calls exchange a flag with 0 in one step, so a signal arriving at the same moment is
/// either taken now or left for the next call, never lost. Any thread may take.
public enum SignalFlags {
    /// The last SIGINT or SIGTERM not yet taken, or 0.
    private static let received = Atomic<Int32>(0)
    private static let suspendRequested = Atomic<Bool>(false)
    private static let continued = Atomic<Bool>(false)

    /// Routes SIGINT and SIGTERM to ``take()``.
    public static func install() {
        // A static is set up on its first use, which must not happen inside a handler.
        _ = received.load(ordering: .relaxed)
        signal(SIGINT) { number in SignalFlags.received.store(number, ordering: .releasing) }
        signal(SIGTERM) { number in SignalFlags.received.store(number, ordering: .releasing) }
        signal(SIGPIPE, SIG_IGN)
    }

    /// Routes SIGTSTP (Ctrl-Z) to ``takeSuspend()`` and SIGCONT (`fg`, `bg`) to
    /// ``takeContinued()``, so that a program can put its terminal back before it stops and
    /// take it again when it goes on; ``stop()`` then stops the process.
    public static func installJobControl() {
        _ = suspendRequested.load(ordering: .relaxed)
        _ = continued.load(ordering: .relaxed)
        signal(SIGTSTP, suspendHandler)
        signal(SIGCONT) { _ in SignalFlags.continued.store(true, ordering: .releasing) }
    }

    private static let suspendHandler: @convention(c) (Int32) -> Void = { _ in
        SignalFlags.suspendRequested.store(true, ordering: .releasing)
    }

    /// The signal received since the last call (SIGINT = 2, SIGTERM = 15), or 0.
    public static func take() -> Int32 {
        received.exchange(0, ordering: .acquiring)
    }

    /// Whether SIGTSTP arrived since the last call.
    public static func takeSuspend() -> Bool {
        suspendRequested.exchange(false, ordering: .acquiring)
    }

    /// Whether SIGCONT arrived since the last call.
    public static func takeContinued() -> Bool {
        continued.exchange(false, ordering: .acquiring)
    }

    /// Stops the process as Ctrl-Z does (the shell sees a job stopped by SIGTSTP); returns
    /// when it is continued.
    public static func stop() {
        signal(SIGTSTP, SIG_DFL)
        raise(SIGTSTP)
        signal(SIGTSTP, suspendHandler)
    }
}
