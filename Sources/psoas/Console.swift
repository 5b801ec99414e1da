import Foundation
import SystemIO

/// The only place that writes to the terminal: human text to stderr, data to stdout.
enum Console {
    static func error(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    /// Whether `--quiet` was given: notices and progress are then not printed.
    nonisolated(unsafe) static var quiet = false

    /// Tells what happened that is worth knowing but needs nothing done (a voice falls back,
    /// a file was written); `--quiet` silences it. Errors and warnings use ``error(_:)``.
    static func notice(_ text: String) {
        if !quiet { error(text) }
    }

    /// Whether a progress line is shown: on a terminal, unless `--quiet`.
    static var showsProgress: Bool { !quiet && Terminal.standardErrorIsTerminal }

    /// Runs long `work` with a progress line on stderr when ``showsProgress``: `work` gets a
    /// function that redraws the line with a text (`nil` when no line is shown), and the line is
    /// cleared when the work ends.
    static func withProgress<T, E: Error>(_ work: (_ show: ((String) -> Void)?) throws(E) -> T) throws(E) -> T {
        guard showsProgress else { return try work(nil) }
        defer { status("") }
        return try work { status($0) }
    }

    /// Reports a problem: the one place that writes `error: ` before it.
    static func problem(_ text: String) {
        error("error: " + text)
    }

    /// Redraws the one-line status on stderr (a terminal): carriage return, clear, text.
    static func status(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    static func output(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
