import CSpawn
import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

/// A child process started with posix_spawn and waited for by PID.
///
/// Foundation's `Process` on Linux can block its monitoring thread in `wait4` on a child that
/// is still running (a server, a recorder, a player), which then hangs every other `Process`;
/// long-running children of the tests use this instead.
public final class ChildProcess: @unchecked Sendable {
    public let pid: pid_t
    /// The program it runs, as given.
    public let executable: String
    private var status: Int32?

    /// - Parameters:
    ///   - standardInput, standardOutput, standardError: descriptors for the child (`nil`: /dev/null).
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
                standardInput: Int32? = nil, standardOutput: Int32? = nil, standardError: Int32? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        defer { close(null) }
        posix_spawn_file_actions_adddup2(&actions, standardInput ?? null, 0)
        posix_spawn_file_actions_adddup2(&actions, standardOutput ?? null, 1)
        posix_spawn_file_actions_adddup2(&actions, standardError ?? null, 2)
        // Tests run in parallel in one process: a child must not keep another test's sockets
        // and pipes open (a closed connection would stay open for as long as the child runs).
        posix_spawn_file_actions_addclosefrom_np(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Signals the test runner ignores or blocks would be inherited: reset them.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGPIPE, SIGCHLD, SIGXFSZ] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        let merged = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child = pid_t()
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError(message: "cannot start \(executable): \(Errno(rawValue: result))") }
        pid = child
        self.executable = executable
    }

    public struct SpawnError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public var isRunning: Bool {
        if status != nil { return false }
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, WNOHANG)
        if result == pid {
            status = Self.decode(raw)
            return false
        }
        return true
    }

    /// The exit status (128 + signal when killed), or `nil` if still running after `timeout`.
    public func wait(timeout: TimeInterval) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            if Date() >= deadline { return nil }
            usleep(5_000)
        }
        return status
    }

    /// Whether the process is stopped (Ctrl-Z, SIGSTOP), from `/proc/PID/stat`.
    public var isStopped: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let afterName = stat.range(of: ") ", options: .backwards) else { return false }
        return stat[afterName.upperBound...].first == "T"
    }

    public func signal(_ number: Int32) {
        if status == nil { kill(pid, number) }
    }

    /// Stops the child: SIGTERM, then SIGKILL after `grace` seconds.
    public func stop(grace: TimeInterval = 3) {
        guard isRunning else { return }
        signal(SIGTERM)
        if wait(timeout: grace) == nil {
            signal(SIGKILL)
            _ = wait(timeout: 5)
        }
    }

    static func decode(_ raw: Int32) -> Int32 {
        let signal = raw & 0x7F
        return signal == 0 ? (raw >> 8) & 0xFF : 128 + signal
    }

    deinit { stop(grace: 1) }
}
