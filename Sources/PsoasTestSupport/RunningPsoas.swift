import CSpawn
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

/// A running `psoas` whose output lines can be read as they come.
public final class RunningPsoas: @unchecked Sendable {
    public let process: ChildProcess
    private let lock = NSLock()
    private var outLines: [(Date, String)] = []
    private var errText = ""
    private var readers: [Thread] = []
    private var openStreams = 2

    /// - Parameter standardError: where the child's stderr goes (a terminal, say); `nil`: read
    ///   into ``stderr``.
    public init(_ arguments: [String], environment: [String: String] = [:], standardInput: Int32? = nil,
                standardError: Int32? = nil) throws {
        var out: [Int32] = [0, 0]
        var err: [Int32] = [0, 0]
        pipe2(&out, O_CLOEXEC)
        pipe2(&err, O_CLOEXEC)
        process = try ChildProcess(psoasExecutable.path, arguments, environment: psoasEnvironment(environment),
                                   standardInput: standardInput, standardOutput: out[1],
                                   standardError: standardError ?? err[1])
        close(out[1])
        close(err[1])
        let outRead = out[0]
        let errRead = err[0]
        let outThread = Thread { [self] in
            var partial = [UInt8]()
            Self.readAll(outRead) { bytes in
                partial += bytes
                while let newline = partial.firstIndex(of: 10) {
                    let line = String(decoding: partial[..<newline], as: UTF8.self)
                    partial.removeSubrange(...newline)
                    self.lock.lock()
                    self.outLines.append((Date(), line))
                    self.lock.unlock()
                }
            }
            self.finishStream()
        }
        let errThread = Thread { [self] in
            Self.readAll(errRead) { bytes in
                self.lock.lock()
                self.errText += String(decoding: bytes, as: UTF8.self)
                self.lock.unlock()
            }
            self.finishStream()
        }
        readers = [outThread, errThread]
        outThread.start()
        errThread.start()
    }

    private static func readAll(_ fd: Int32, _ body: ([UInt8]) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { (try? FileDescriptor(rawValue: fd).read(into: $0)) ?? 0 }
            guard count > 0 else { break }
            body(Array(buffer[0..<count]))
        }
        close(fd)
    }

    private func finishStream() {
        lock.lock()
        openStreams -= 1
        lock.unlock()
    }

    private var streamsOpen: Bool {
        lock.lock()
        defer { lock.unlock() }
        return openStreams > 0
    }

    /// Lines printed on stdout so far, with when they arrived.
    public var lines: [(time: Date, text: String)] {
        lock.lock()
        defer { lock.unlock() }
        return outLines.map { (time: $0.0, text: $0.1) }
    }

    public var stderr: String {
        lock.lock()
        defer { lock.unlock() }
        return errText
    }

    /// Waits until a stdout line contains `text`; returns its arrival time, or `nil` on timeout.
    @discardableResult
    public func waitForLine(containing text: String, timeout: TimeInterval = 20) -> Date? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let line = lines.first(where: { $0.text.contains(text) }) { return line.time }
            if !streamsOpen { return lines.first(where: { $0.text.contains(text) })?.time }
            usleep(5_000)
        }
        return nil
    }

    /// Waits until `text` has appeared `count` times on stderr; `false` on timeout or when the
    /// process ended first.
    public func waitForError(_ text: String, count: Int = 1, timeout: TimeInterval = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if stderr.components(separatedBy: text).count - 1 >= count { return true }
            if !streamsOpen { break }
            usleep(5_000)
        }
        return stderr.components(separatedBy: text).count - 1 >= count
    }

    /// Waits for the process to end and its output to be read; returns its status, or `nil` on timeout.
    public func wait(timeout: TimeInterval) -> Int32? {
        guard let status = process.wait(timeout: timeout) else { return nil }
        let deadline = Date().addingTimeInterval(2)
        while streamsOpen, Date() < deadline { usleep(2_000) }
        return status
    }

    public func signal(_ number: Int32) {
        process.signal(number)
    }

    deinit { process.stop(grace: 1) }
}
