#if canImport(Glibc)
import Glibc
#endif

/// An error number set by a failed system call (`errno`), as swift-system's `Errno`.
public struct Errno: Error, RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The C value (`ENOENT`, `EPIPE`, …).
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// `errno` now: the error of the call that has just failed.
    public static var current: Errno { Errno(rawValue: errno) }

    /// The C library's words for the error (`strerror`), as messages print them:
    /// "No such file or directory". This is the only place that calls `strerror`.
    public var description: String { String(cString: strerror(rawValue)) }

    // MARK: - The errors callers tell apart

    /// EINTR: a signal arrived during the call.
    public static let interrupted = Errno(rawValue: EINTR)
    /// EAGAIN: a non-blocking descriptor has nothing to give or take now.
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    /// EPIPE: the reader of a pipe or socket went away.
    public static let brokenPipe = Errno(rawValue: EPIPE)
    /// ECONNRESET: the other end of a socket closed it.
    public static let connectionReset = Errno(rawValue: ECONNRESET)
    /// EINVAL: the call does not apply to this descriptor (`fsync` on a pipe).
    public static let invalidArgument = Errno(rawValue: EINVAL)
    /// EEXIST: the file already exists.
    public static let fileExists = Errno(rawValue: EEXIST)
    /// EIO: an input/output error.
    public static let ioError = Errno(rawValue: EIO)
}
