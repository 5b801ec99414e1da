import CSpawn
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

/// A private PulseAudio server with a null sink, started for one test and stopped by PID.
/// psoas plays to it through ALSA's `pulse` plugin; `parec` records what the sink hears.
public final class PulseServer: @unchecked Sendable {
    public let folder: URL
    public let sinkName = "psoas_null"
    private var process: ChildProcess?
    private var keeper: ChildProcess?
    public var pid: Int32 { process?.pid ?? 0 }

    /// The environment a player and `psoas ctl` need: the server, the sink, a private runtime folder.
    public var environment: [String: String] {
        [
            "PULSE_SERVER": "unix:\(folder.path)/native",
            "PULSE_SINK": sinkName,
            "XDG_RUNTIME_DIR": folder.path + "/run",
            "HOME": folder.path + "/home",
        ]
    }

    /// ``environment`` with the user's data folder (practice log, voice packs) at `dataHome`.
    public func environment(dataHome: URL) -> [String: String] {
        environment.merging(["XDG_DATA_HOME": dataHome.path]) { _, new in new }
    }

    /// Starts the server and waits until it accepts clients.
    public init(rate: Int = 48_000, channels: Int = 1) throws {
        folder = URL(fileURLWithPath: "/tmp/psoas-pulse-\(UUID().uuidString.prefix(8))")
        for sub in ["", "/run", "/home", "/pulse"] {
            try FileManager.default.createDirectory(atPath: folder.path + sub, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        }
        let arguments = [
            "-n", "--daemonize=no", "--exit-idle-time=-1", "--use-pid-file=no", "--disallow-exit",
            "--log-target=stderr", "--log-level=error",
            "--load=module-native-protocol-unix socket=\(folder.path)/native auth-anonymous=1",
            "--load=module-null-sink sink_name=\(sinkName) rate=\(rate) channels=\(channels)",
            "--load=module-always-sink",
        ]
        process = try ChildProcess("/usr/bin/pulseaudio", arguments, environment: [
            "HOME": folder.path + "/home", "XDG_RUNTIME_DIR": folder.path + "/pulse",
        ])
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if UnixSocketClient.isAlive(path: folder.path + "/native") {
                try keepClocked()
                return
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        stop()
        throw PulseError(message: "pulseaudio did not start within 10 s")
    }

    struct PulseError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// An idle null sink sleeps up to its 2 s maximum latency and wakes late for a new stream,
    /// unlike a sound card, whose clock always runs. A client playing silence at 10 ms latency
    /// keeps the sink clocked; adding zeros changes nothing that is heard.
    private func keepClocked() throws {
        keeper = try ChildProcess("/usr/bin/pacat", [
            "--playback", "--raw", "--format=s16le", "--rate=48000", "--channels=1", "--latency-msec=10", "/dev/zero",
        ], environment: environment)
        Thread.sleep(forTimeInterval: 1.0)
    }

    /// Stops the server by its PID and removes its folder.
    public func stop() {
        keeper?.stop()
        keeper = nil
        process?.stop()
        process = nil
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }

    /// Starts recording the null sink's monitor (mono s16le at `rate`).
    public func record(rate: Int = 48_000) throws -> Recording {
        try Recording(server: self, rate: rate)
    }
}

/// `parec` recording the null sink's monitor into a file.
public final class Recording: @unchecked Sendable {
    let process: ChildProcess
    let file: URL
    public let rate: Int

    init(server: PulseServer, rate: Int) throws {
        self.rate = rate
        file = server.folder.appendingPathComponent("monitor-\(UUID().uuidString.prefix(6)).raw")
        process = try ChildProcess("/usr/bin/parec", [
            "-d", "\(server.sinkName).monitor", "--raw", "--format=s16le", "--rate=\(rate)",
            "--channels=1", "--latency-msec=5", file.path,
        ], environment: server.environment)
        // Return only once the recorder hears the sink, so nothing played after this is missed.
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
            if size >= rate / 5 { return }
            Thread.sleep(forTimeInterval: 0.01)
        }
    }

    /// Stops recording; returns the samples (−1…1).
    public func stop() -> [Float] {
        process.signal(SIGINT)
        _ = process.wait(timeout: 3)
        process.stop()
        let data = (try? Data(contentsOf: file)) ?? Data()
        return data.withUnsafeBytes { raw in
            raw.bindMemory(to: Int16.self).map { Float(Int16(littleEndian: $0)) / 32_768 }
        }
    }
}

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
