import CSpawn
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

/// A private, headless PipeWire with a mono null sink, started for one test and stopped by PID.
///
/// Five processes, all in a folder of their own under `/tmp`, none touching a user's session:
/// a D-Bus session bus (WirePlumber stops without one), `pipewire`, the null sink made with
/// `pw-cli create-node`, `wireplumber` (which links streams to the sink) and `pipewire-pulse`.
/// psoas plays to it through either ALSA route (``SoundRoute``); `parec` records what the
/// sink hears, through `pipewire-pulse`.
///
/// Every server holds the real-time lock (``RealTimeLock``) while it runs: shared, so servers run
/// side by side, or exclusive (`alone: true`) for a test that loads the machine on purpose.
///
/// Thread-safety: one test uses a server; ``stop()`` may be called again (and is, from `deinit`).
public final class PipeWireServer: @unchecked Sendable {
    public let folder: URL
    /// The null sink's node name; its monitor is `\(sinkName).monitor`.
    public let sinkName = "psoas-null"
    private var processes: [ChildProcess] = []
    private var rate = 48_000
    private var lock: RealTimeLock?

    /// The servers' own runtime folder: PipeWire's socket `pipewire-0`, `pulse/native`, the bus.
    var serverFolder: String { folder.path + "/server" }

    /// The environment a player, `psoas ctl`, `parec` and `paplay` need: both routes lead to the
    /// null sink, and the player's control socket lies in a runtime folder of its own.
    public var environment: [String: String] {
        [
            "PIPEWIRE_RUNTIME_DIR": serverFolder,
            "PIPEWIRE_REMOTE": "pipewire-0",
            "PIPEWIRE_NODE": sinkName,
            "PULSE_SERVER": "unix:\(serverFolder)/pulse/native",
            "PULSE_SINK": sinkName,
            "XDG_RUNTIME_DIR": folder.path + "/run",
            "HOME": folder.path + "/home",
        ]
    }

    /// ``environment`` with the user's data folder (practice log, voice packs) at `dataHome`.
    public func environment(dataHome: URL) -> [String: String] {
        environment.merging(["XDG_DATA_HOME": dataHome.path]) { _, new in new }
    }

    /// What the servers themselves run with: their runtime folder, a private home and bus, so
    /// neither a user's configuration nor their session is read.
    private var serverEnvironment: [String: String] {
        let home = folder.path + "/home"
        return [
            "XDG_RUNTIME_DIR": serverFolder,
            "PIPEWIRE_RUNTIME_DIR": serverFolder,
            "PIPEWIRE_REMOTE": "pipewire-0",
            "PULSE_RUNTIME_PATH": serverFolder + "/pulse",
            "DBUS_SESSION_BUS_ADDRESS": "unix:path=\(serverFolder)/bus",
            "HOME": home,
            "XDG_CONFIG_HOME": home + "/.config",
            "XDG_STATE_HOME": home + "/.local/state",
            "XDG_DATA_HOME": home + "/.local/share",
            "DISPLAY": "",
        ]
    }

    /// Starts the servers, makes the null sink and waits until it is the default sink that
    /// `pipewire-pulse` reports (so WirePlumber has seen it and links new streams to it).
    ///
    /// - Parameters:
    ///   - rate: the null sink's sample rate.
    ///   - alone: wait until no other real-time test runs, and keep them waiting until ``stop()``.
    /// - Throws: ``ServerError`` when a part does not start within 10 s; whatever was started is stopped.
    public init(rate: Int = 48_000, alone: Bool = false) throws {
        folder = URL(fileURLWithPath: "/tmp/psoas-pipewire-\(UUID().uuidString.prefix(8))")
        lock = try RealTimeLock(alone ? .exclusive : .shared)
        do {
            for sub in ["", "/server", "/run", "/home"] {
                try FileManager.default.createDirectory(atPath: folder.path + sub, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            }
            try start(rate: rate)
        } catch {
            stop()
            throw error
        }
    }

    private func start(rate: Int) throws {
        try launch("/usr/bin/dbus-daemon", ["--session", "--nofork", "--nopidfile",
                                            "--address=unix:path=\(serverFolder)/bus"])
        try waitFor("the D-Bus session bus") { UnixSocketClient.isAlive(path: self.serverFolder + "/bus") }
        try startAudio(rate: rate)
    }

    /// Starts `pipewire`, the null sink, `wireplumber` and `pipewire-pulse` (the bus is running).
    private func startAudio(rate: Int) throws {
        self.rate = rate
        try launch("/usr/bin/pipewire", [])
        try waitFor("pipewire") { UnixSocketClient.isAlive(path: self.serverFolder + "/pipewire-0") }
        let properties = [
            "factory.name=support.null-audio-sink", "node.name=\(sinkName)", "media.class=Audio/Sink",
            "object.linger=true", "audio.rate=\(rate)", "audio.channels=1", "audio.position=[MONO]",
        ]
        let created = try ChildProcess("/usr/bin/pw-cli", ["create-node", "adapter", "{ \(properties.joined(separator: " ")) }"],
                                       environment: serverEnvironment)
        guard created.wait(timeout: 10) == 0 else { throw ServerError(message: "pw-cli could not make the null sink") }
        // No graph cycle shorter than 21 ms (a desktop's default quantum), however short a
        // latency a client asks for (`parec --latency-msec=5`, the pulse route's 10 ms periods):
        // on a virtual machine a 5 ms cycle is now and then missed, and the sink then hears a
        // quantum of silence that no client sent (`aplay`'s stream too).
        let quantum = try ChildProcess("/usr/bin/pw-metadata", ["-n", "settings", "0", "clock.min-quantum", "1024"],
                                       environment: serverEnvironment)
        guard quantum.wait(timeout: 10) == 0 else { throw ServerError(message: "pw-metadata could not set the quantum") }
        try launch("/usr/bin/wireplumber", [])
        try launch("/usr/bin/pipewire-pulse", [])
        try waitFor("pipewire-pulse with the null sink as its default") {
            UnixSocketClient.isAlive(path: self.serverFolder + "/pulse/native")
                && (try? self.output(of: "/usr/bin/pactl", ["get-default-sink"])) == self.sinkName + "\n"
        }
    }

    /// The sound server's processes (everything but the bus): what a freeze or a crash hits.
    private var audioProcesses: [ChildProcess] {
        processes.filter { $0.executable != "/usr/bin/dbus-daemon" }
    }

    /// Stops the sound server in its tracks (`SIGSTOP`), as a server that hangs does.
    public func freeze() { for process in audioProcesses { kill(process.pid, SIGSTOP) } }

    /// Lets a frozen server go on (`SIGCONT`).
    public func thaw() { for process in audioProcesses { kill(process.pid, SIGCONT) } }

    /// Kills the sound server (`SIGKILL`), as a crash does; ``startAgain()`` brings it back.
    public func crash() {
        for process in audioProcesses.reversed() {
            kill(process.pid, SIGKILL)
            _ = process.wait(timeout: 5)
        }
        processes.removeAll { $0.executable != "/usr/bin/dbus-daemon" }
    }

    /// Starts the sound server again on the same sockets, with the same null sink, after ``crash()``.
    public func startAgain() throws {
        for stale in ["/pipewire-0", "/pipewire-0.lock", "/pipewire-0-manager", "/pipewire-0-manager.lock", "/pulse/native"] {
            try? FileManager.default.removeItem(atPath: serverFolder + stale)
        }
        try startAudio(rate: rate)
    }

    /// Starts a server process with ``serverEnvironment``; it is stopped by ``stop()``.
    private func launch(_ executable: String, _ arguments: [String]) throws {
        processes.append(try ChildProcess(executable, arguments, environment: serverEnvironment))
    }

    /// Polls `isReady` every 20 ms for up to 10 s; throws naming `what` when it never is, or when
    /// a server process ended meanwhile.
    private func waitFor(_ what: String, _ isReady: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if isReady() { return }
            if let ended = processes.first(where: { !$0.isRunning }) {
                throw ServerError(message: "waiting for \(what): process \(ended.pid) ended")
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw ServerError(message: "\(what) did not start within 10 s")
    }

    /// What a short-lived client printed on stdout (at most a pipe's 64 KiB).
    private func output(of executable: String, _ arguments: [String]) throws -> String {
        var pipe: [Int32] = [0, 0]
        guard pipe2(&pipe, O_CLOEXEC) == 0 else { throw ServerError(message: "pipe2 failed") }
        defer { close(pipe[0]) }
        let child: ChildProcess
        do {
            child = try ChildProcess(executable, arguments, environment: environment, standardOutput: pipe[1])
            close(pipe[1])
        } catch {
            close(pipe[1])
            throw error
        }
        guard child.wait(timeout: 5) == 0 else { return "" }
        var bytes = [UInt8](repeating: 0, count: 65_536)
        let count = bytes.withUnsafeMutableBytes { (try? FileDescriptor(rawValue: pipe[0]).read(into: $0)) ?? 0 }
        return String(decoding: bytes[0..<count], as: UTF8.self)
    }

    public struct ServerError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { "private PipeWire: \(message)" }
    }

    /// Stops every process the server started, by PID and in reverse order, removes its folder
    /// and releases the real-time lock.
    public func stop() {
        thaw()
        for process in processes.reversed() { process.stop() }
        processes = []
        try? FileManager.default.removeItem(at: folder)
        lock?.release()
        lock = nil
    }

    deinit { stop() }

    /// Plays what `sink` plays into `room` too, `decibels` louder (a loudspeaker that a microphone
    /// in `room` hears): `module-loopback` from the sink's monitor, 20 ms late.
    /// - Throws: ``ServerError`` when the loop cannot be made.
    public func loop(_ sink: String? = nil, into room: String, decibels: Double) throws {
        let made = try output(of: "/usr/bin/pactl", ["load-module", "module-loopback", "source=\(sink ?? sinkName).monitor",
                                                       "sink=\(room)", "latency_msec=20"])
        guard Int(made.trimmingCharacters(in: .whitespacesAndNewlines)) != nil else {
            throw ServerError(message: "pactl could not loop \(sink ?? sinkName) into \(room)")
        }
        // The loop's stream into the room: the sink input that plays into the room's sink.
        func rows(_ kind: String) throws -> [[Substring]] {
            try output(of: "/usr/bin/pactl", ["list", "short", kind]).split(separator: "\n").map { $0.split(separator: "\t") }
        }
        let roomIndex = try rows("sinks").first { $0.count > 1 && $0[1] == room }?.first
        let inputs = try rows("sink-inputs")
        guard let roomIndex, let index = inputs.first(where: { $0.count > 1 && $0[1] == roomIndex })?.first,
              try ChildProcess("/usr/bin/pactl", ["set-sink-input-volume", String(index), "\(decibels)dB"], environment: environment)
                  .wait(timeout: 5) == 0 else {
            throw ServerError(message: "pactl could not set the loop's volume (sink inputs: \(inputs))")
        }
    }

    /// Starts recording the monitor of `sink` (the null sink when `nil`), mono s16le at `rate`.
    public func record(sink: String? = nil, rate: Int = 48_000) throws -> Recording {
        try Recording(monitorOf: sink ?? sinkName, environment: environment, folder: folder, rate: rate)
    }
}

/// The ALSA device a real-time test plays through into the private PipeWire.
public enum SoundRoute: String, CaseIterable, Sendable, CustomStringConvertible {
    /// `pipewire`: pipewire-alsa's plugin, PipeWire's own protocol.
    case pipewirePlugin
    /// `pulse`: ALSA's pulse plugin into `pipewire-pulse` — the protocol a PulseAudio server speaks too.
    case pulsePlugin

    /// The ALSA device name, for `--device`.
    public var device: String {
        switch self {
        case .pipewirePlugin: "pipewire"
        case .pulsePlugin: "pulse"
        }
    }

    public var description: String { device }
}
