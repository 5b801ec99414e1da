#if canImport(Glibc)
import Glibc
#endif

/// Signals delivered as flags the main loop polls, instead of killing the process.
public enum SignalFlags {
    nonisolated(unsafe) private static var received: sig_atomic_t = 0
    nonisolated(unsafe) private static var suspendRequested: sig_atomic_t = 0
    nonisolated(unsafe) private static var continued: sig_atomic_t = 0

    /// Routes SIGINT and SIGTERM to ``take()``.
    public static func install() {
        signal(SIGINT) { number in SignalFlags.received = sig_atomic_t(number) }
        signal(SIGTERM) { number in SignalFlags.received = sig_atomic_t(number) }
        signal(SIGPIPE, SIG_IGN)
    }

    /// Routes SIGTSTP (Ctrl-Z) to ``takeSuspend()`` and SIGCONT (`fg`, `bg`) to
    /// ``takeContinued()``, so that a program can put its terminal back before it stops and
    /// take it again when it goes on; ``stop()`` then stops the process.
    public static func installJobControl() {
        signal(SIGTSTP) { _ in SignalFlags.suspendRequested = 1 }
        signal(SIGCONT) { _ in SignalFlags.continued = 1 }
    }

    /// The signal received since the last call (SIGINT = 2, SIGTERM = 15), or 0.
    public static func take() -> Int32 {
        let value = received
        received = 0
        return Int32(value)
    }

    /// Whether SIGTSTP arrived since the last call.
    public static func takeSuspend() -> Bool {
        let value = suspendRequested
        suspendRequested = 0
        return value != 0
    }

    /// Whether SIGCONT arrived since the last call.
    public static func takeContinued() -> Bool {
        let value = continued
        continued = 0
        return value != 0
    }

    /// Stops the process as Ctrl-Z does (the shell sees a job stopped by SIGTSTP); returns
    /// when it is continued.
    public static func stop() {
        signal(SIGTSTP, SIG_DFL)
        raise(SIGTSTP)
        signal(SIGTSTP) { _ in SignalFlags.suspendRequested = 1 }
    }
}
