import Foundation

/// Busy-looping processes (`sh -c 'while :; do :; done'`) that keep the machine's cores busy
/// while a test plays, stopped by PID.
///
/// Hold a ``RealTimeLock`` exclusive (``PipeWireServer`` `alone: true`) while they run: they
/// slow every other process on the machine.
///
/// Thread-safety: one test owns the load; ``stop()`` may be called again.
public final class CPULoad: @unchecked Sendable {
    private var processes: [ChildProcess] = []

    /// Starts `processCount` busy loops.
    public init(processCount: Int) throws {
        do {
            for _ in 0..<processCount {
                processes.append(try ChildProcess("/bin/sh", ["-c", "while :; do :; done"]))
            }
        } catch {
            stop()
            throw error
        }
    }

    /// The PIDs of the busy loops.
    public var pids: [Int32] { processes.map(\.pid) }

    /// Whether every loop still runs.
    public var isRunning: Bool { !processes.isEmpty && processes.allSatisfy(\.isRunning) }

    /// Stops every loop by its PID.
    public func stop() {
        for process in processes { process.stop(grace: 1) }
        processes = []
    }

    deinit { stop() }
}
