import CFileIO
#if canImport(Glibc)
import Glibc
#endif

/// A descriptor that becomes readable when another thread calls ``signal()`` (an `eventfd`):
/// it wakes a thread asleep in `poll` on it together with other descriptors.
///
/// Thread-safety: ``signal()`` from any thread; ``clear()`` from the thread that polls.
/// Neither allocates.
public final class WakeSignal: Sendable {
    /// The descriptor to poll for reading.
    public let descriptor: FileDescriptor

    /// - Throws: ``Errno`` when the system has no descriptor left.
    public init() throws(Errno) {
        let raw = psoas_wake_descriptor()
        guard raw >= 0 else { throw Errno.current }
        descriptor = FileDescriptor(rawValue: raw)
    }

    deinit {
        try? descriptor.close()
    }

    /// Makes the descriptor readable (until ``clear()``); signals add up into one wake-up.
    public func signal() {
        var one: UInt64 = 1
        // Non-blocking: it never waits, and fails only when the count would overflow (it is then readable anyway).
        _ = Glibc.write(descriptor.rawValue, &one, 8)
    }

    /// Sleeps until ``signal()`` or for `timeoutMilliseconds`, and takes the signals.
    /// Allocates nothing. - Returns: whether it was signalled.
    @discardableResult
    public func wait(timeoutMilliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor.rawValue, events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, timeoutMilliseconds) > 0
        if ready { clear() }
        return ready
    }

    /// Takes the signals so far: the descriptor is no longer readable.
    public func clear() {
        var count: UInt64 = 0
        _ = Glibc.read(descriptor.rawValue, &count, 8)
    }
}
