import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

/// A lock the real-time tests share across test processes: a test with a private sound server
/// holds it shared, so such tests run side by side; a test that loads the machine's cores on
/// purpose holds it exclusive, so no other real-time test runs (and misses its deadlines) then.
///
/// An `flock` on `/tmp/psoas-real-time.lock`: each lock opens the file anew, so two locks of one
/// process exclude each other as two processes' do, and the kernel releases it if a test
/// process dies.
///
/// Thread-safety: one test holds a lock; ``release()`` may be called again.
public final class RealTimeLock: @unchecked Sendable {
    public enum Access: Sendable {
        case shared
        case exclusive
    }

    public static let path = "/tmp/psoas-real-time.lock"
    private var descriptor: FileDescriptor?

    /// Waits until the lock can be held with `access`.
    public init(_ access: Access) throws {
        // Read-only is enough for flock, and lets another user's tests share a file root made.
        let descriptor = try FileDescriptor.open(Self.path, .readOnly, options: [.create], permissions: 0o644)
        let operation = access == .shared ? LOCK_SH : LOCK_EX
        while flock(descriptor.rawValue, operation) != 0 {
            let error = errno
            guard error == EINTR else {
                try? descriptor.close()
                throw Errno(rawValue: error)
            }
        }
        self.descriptor = descriptor
    }

    /// Releases the lock (closing the file releases it).
    public func release() {
        try? descriptor?.close()
        descriptor = nil
    }

    deinit { release() }
}
