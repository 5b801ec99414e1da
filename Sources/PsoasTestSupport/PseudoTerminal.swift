import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A pseudo-terminal for a child's standard input, with the terminal modes it had at the start,
/// to show that a program which switched it to raw mode restored it.
public final class PseudoTerminal {
    /// The side the test types into.
    public let master: Int32
    /// The side the child reads (its standard input).
    public let slave: Int32
    private let before: termios

    public struct OpenError: Error, CustomStringConvertible {
        public var description: String { "openpty failed" }
    }

    public init() throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw OpenError() }
        self.master = master
        self.slave = slave
        var modes = termios()
        tcgetattr(slave, &modes)
        before = modes
    }

    /// Sets the window size the child reads with TIOCGWINSZ, as a terminal emulator does.
    public func setSize(columns: Int, rows: Int) {
        var size = winsize(ws_row: UInt16(rows), ws_col: UInt16(columns), ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    }

    /// Types `text` as if on a keyboard.
    public func type(_ text: String) {
        _ = write(master, text, text.utf8.count)
    }

    /// Whether the input, output and local modes and the control characters equal those at the start.
    public var modesRestored: Bool {
        var after = termios()
        tcgetattr(slave, &after)
        let controlCharacters = withUnsafeBytes(of: before.c_cc) { Array($0) } == withUnsafeBytes(of: after.c_cc) { Array($0) }
        return before.c_lflag == after.c_lflag && before.c_iflag == after.c_iflag && before.c_oflag == after.c_oflag
            && controlCharacters
    }

    /// Puts the modes at the start back, as a shell does when it takes the terminal again
    /// after its job stopped.
    public func putBackModes() {
        var modes = before
        tcsetattr(slave, TCSANOW, &modes)
    }

    /// What the child wrote to the terminal within `timeout` seconds (stops early at `until`).
    public func read(timeout: TimeInterval, until text: String? = nil) -> String {
        var collected = [UInt8]()
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while Date() < deadline {
            var entry = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 20) > 0 else { continue }
            let count = buffer.withUnsafeMutableBytes { Glibc.read(master, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            collected += buffer[0..<count]
            if let text, String(decoding: collected, as: UTF8.self).contains(text) { break }
        }
        return String(decoding: collected, as: UTF8.self)
    }

    deinit {
        close(slave)
        close(master)
    }
}
