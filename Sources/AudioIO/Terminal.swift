#if canImport(Glibc)
import Glibc
#endif

/// The controlling terminal on standard input, switched to raw keys and always restored.
///
/// Thread-safety: use from the main thread.
public final class Terminal {
    private var saved = termios()
    private var isRaw = false

    /// Whether standard input is a terminal.
    public static var standardInputIsTerminal: Bool { isatty(0) == 1 }
    /// Whether standard error is a terminal (for the status line).
    public static var standardErrorIsTerminal: Bool { isatty(2) == 1 }

    public init() {}

    /// Switches standard input to raw mode: no echo, no line buffering, keys arrive at once.
    /// - Returns: `false` when standard input is not a terminal.
    @discardableResult
    public func enterRawMode() -> Bool {
        guard !isRaw, Self.standardInputIsTerminal, tcgetattr(0, &saved) == 0 else { return false }
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

    /// Puts the terminal back as it was.
    public func restore() {
        guard isRaw else { return }
        tcsetattr(0, TCSANOW, &saved)
        isRaw = false
    }

    deinit { restore() }

    /// Bytes available on standard input now (never blocks); empty when none.
    public func readAvailable() -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
        return count > 0 ? Array(buffer[0..<count]) : []
    }
}
