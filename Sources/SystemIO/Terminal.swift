#if canImport(Glibc)
import Glibc
#endif

/// The controlling terminal on standard input, switched to raw keys and always restored.
///
/// Thread-safety: use from the main thread.
public final class Terminal {
    private var saved = termios()
    /// Whether raw mode was asked for: it is taken again by ``resumeRawMode()`` after a stop.
    private var wantsRaw = false
    private var isRaw = false

    /// Whether standard input is a terminal.
    public static var standardInputIsTerminal: Bool { isatty(0) == 1 }
    /// Whether standard error is a terminal (for the status line).
    public static var standardErrorIsTerminal: Bool { isatty(2) == 1 }

    public init() {}

    /// The width in columns of the terminal on `descriptor`; `nil` when it is no terminal or
    /// reports no width.
    public static func columns(of descriptor: FileDescriptor) -> Int? {
        var size = winsize()
        guard ioctl(descriptor.rawValue, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Whether this process may use the terminal now: it is in the terminal's foreground
    /// process group (or standard input is not its controlling terminal, so no job control
    /// applies). A background process that changes or reads the terminal is stopped.
    public static var isForeground: Bool {
        let group = tcgetpgrp(0)
        return group < 0 || group == getpgrp()
    }

    /// Switches standard input to raw mode: no echo, no line buffering, keys arrive at once.
    /// - Returns: `false` when standard input is not a terminal.
    @discardableResult
    public func enterRawMode() -> Bool {
        guard !wantsRaw, Self.standardInputIsTerminal, tcgetattr(0, &saved) == 0 else { return false }
        wantsRaw = true
        return applyRawMode()
    }

    private func applyRawMode() -> Bool {
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { bytes in
            bytes[Int(VMIN)] = 0
            bytes[Int(VTIME)] = 0
        }
        guard tcsetattr(0, TCSANOW, &raw) == 0 else { return false }
        isRaw = true
        return true
    }

    /// Puts the terminal back as it was before a stop (Ctrl-Z); ``resumeRawMode()`` takes it again.
    public func suspend() {
        guard isRaw else { return }
        tcsetattr(0, TCSANOW, &saved)
        isRaw = false
    }

    /// After a stop: raw mode again (the shell has put the terminal into its own modes), when
    /// raw mode was on and the process is in the foreground.
    public func resumeRawMode() {
        guard wantsRaw, Self.isForeground else { return }
        _ = applyRawMode()
    }

    /// Puts the terminal back as it was, for good.
    public func restore() {
        suspend()
        wantsRaw = false
    }

    deinit { restore() }

    /// Bytes available on standard input now (never blocks); empty when none.
    public func readAvailable() -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { (try? FileDescriptor.standardInput.read(into: $0)) ?? 0 }
        return Array(buffer[0..<count])
    }
}
