import Synchronization

/// The transport commands sent to the playback thread and not yet taken.
///
/// Thread-safety: ``send(_:)`` may be called from any thread; ``take(into:)`` from the
/// playback thread only: it tries the lock and never waits on it.
package final class CommandQueue: Sendable {
    private let inbox = Mutex<CommandBatch>(CommandBatch())

    package init() {}

    /// Queues a command (a stop and a safety stop are never pushed out, see ``CommandBatch``).
    package func send(_ command: TransportCommand) {
        inbox.withLock { $0.append(command) }
    }

    /// Moves every command sent so far into `batch`, unless a sender holds the lock right now.
    /// Allocates nothing.
    /// - Returns: whether the commands were taken (`false`: try again at the next block).
    package func take(into batch: inout CommandBatch) -> Bool {
        inbox.withLockIfAvailable { sent in
            batch.takeAll(from: &sent)
            return true
        } ?? false
    }
}

/// Commands in fixed capacity: nothing is allocated on the playback thread.
///
/// A stop and a safety stop are flags that nothing can push out, volume steps add up into one,
/// and only the other commands (pause, skips, extend…) queue, up to ``capacity``: past it the
/// oldest of those is dropped. ``forEach(_:)`` hands them over with the stop and the safety
/// stop last, so that they win over anything sent with them.
package struct CommandBatch {
    package static let capacity = 32
    private var commands: [TransportCommand]
    private var count = 0
    private var volumeDecibels = 0.0
    private var safety = false
    private var stop = false

    /// An empty batch with room for ``capacity`` queued commands (allocated here, once).
    package init() {
        commands = Array(repeating: .pause, count: Self.capacity)
    }

    package mutating func clear() {
        count = 0
        volumeDecibels = 0
        safety = false
        stop = false
    }

    package mutating func append(_ command: TransportCommand) {
        switch command {
        case .stop: stop = true
        case .safety: safety = true
        case let .volume(decibels): addVolume(decibels)
        default:
            if count == Self.capacity {
                for index in 1..<Self.capacity { commands[index - 1] = commands[index] }
                count -= 1
            }
            commands[count] = command
            count += 1
        }
    }

    /// Adds a volume step; the sum is kept within what any number of steps could mean.
    private mutating func addVolume(_ decibels: Double) {
        let span = PlaybackEngine.volumeRange.upperBound - PlaybackEngine.volumeRange.lowerBound
        volumeDecibels = min(span, max(-span, volumeDecibels + decibels))
    }

    /// Moves everything of `other` into this batch (no allocation: both have capacity).
    package mutating func takeAll(from other: inout CommandBatch) {
        for index in 0..<other.count {
            append(other.commands[index])
        }
        addVolume(other.volumeDecibels)
        safety = safety || other.safety
        stop = stop || other.stop
        other.clear()
    }

    /// Calls `body` with each command in the order they take effect: the queued ones as they
    /// were sent, then the sum of the volume steps, then a safety stop, then a stop.
    package func forEach(_ body: (TransportCommand) -> Void) {
        for index in 0..<count {
            body(commands[index])
        }
        if volumeDecibels != 0 { body(.volume(decibels: volumeDecibels)) }
        if safety { body(.safety) }
        if stop { body(.stop) }
    }
}
