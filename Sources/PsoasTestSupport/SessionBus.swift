import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

/// A private D-Bus session bus for one test: `dbus-daemon --session` listening on a socket in
/// a temporary folder, stopped by its PID. A player and its clients (`playerctl`, `dbus-send`)
/// find it through ``environment``.
public final class SessionBus: @unchecked Sendable {
    public let folder: URL
    /// The address the daemon printed (`unix:path=…,guid=…`).
    public let address: String
    private var process: ChildProcess?

    /// `DBUS_SESSION_BUS_ADDRESS` for players and clients.
    public var environment: [String: String] { ["DBUS_SESSION_BUS_ADDRESS": address] }

    /// Starts the daemon and waits until it has printed its address (it listens then).
    public init() throws {
        folder = try makeTemporaryFolder("psoas-bus")
        let printed = folder.appendingPathComponent("address")
        let output = open(printed.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw BusStartError(message: "cannot create \(printed.path): \(Errno.current)") }
        defer { close(output) }
        process = try ChildProcess("/usr/bin/dbus-daemon", [
            "--session", "--nofork", "--nopidfile", "--address=unix:path=\(folder.path)/bus", "--print-address",
        ], standardOutput: output)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            if let text = try? String(contentsOf: printed, encoding: .utf8), text.hasSuffix("\n") {
                address = text.trimmingCharacters(in: .whitespacesAndNewlines)
                return
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        process?.stop()
        try? FileManager.default.removeItem(at: folder)
        throw BusStartError(message: "dbus-daemon did not print its address within 10 s")
    }

    struct BusStartError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// The path of the daemon's socket.
    public var socketPath: String { folder.path + "/bus" }

    /// Stops the daemon by its PID and removes its folder.
    public func stop() {
        process?.stop()
        process = nil
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }

    /// What a client printed and how it ended.
    public struct ClientResult: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs a client of the bus (`playerctl`, `dbus-send`) to its end.
    /// - Parameter executable: a program in `/usr/bin`.
    public func run(_ executable: String, _ arguments: [String], timeout: TimeInterval = 10) throws -> ClientResult {
        let out = folder.appendingPathComponent("client-\(UUID().uuidString.prefix(6)).out")
        let err = folder.appendingPathComponent(out.lastPathComponent + ".err")
        let outFD = open(out.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let errFD = open(err.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer {
            close(outFD)
            close(errFD)
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        let client = try ChildProcess("/usr/bin/" + executable, arguments, environment: environment,
                                      standardOutput: outFD, standardError: errFD)
        let status = client.wait(timeout: timeout) ?? {
            client.stop(grace: 0.5)
            return -1
        }()
        return ClientResult(status: status,
                            stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                            stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }

    /// `playerctl -p player arguments…`, its output without the final newline.
    public func playerctl(_ arguments: [String], player: String = "psoas") throws -> ClientResult {
        var result = try run("playerctl", ["-p", player] + arguments)
        if result.stdout.hasSuffix("\n") { result.stdout.removeLast() }
        return result
    }
}
