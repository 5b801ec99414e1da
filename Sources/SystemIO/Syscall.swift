#if canImport(Glibc)
import Glibc
#endif

/// Calls `body` again for as long as it fails with ``Errno/interrupted`` (a signal arrived
/// during the call), and returns its result or throws its other error. Every system call
/// that may be interrupted goes through here.
package func retryOnInterrupt<Value>(_ body: () throws(Errno) -> Value) throws(Errno) -> Value {
    while true {
        do {
            return try body()
        } catch {
            guard error == .interrupted else { throw error }
        }
    }
}

/// `result`, or the current ``Errno`` when a system call returned -1.
@inline(__always)
func valueOrErrno<Result: FixedWidthInteger>(_ result: Result) throws(Errno) -> Result {
    guard result != -1 else { throw Errno.current }
    return result
}

/// Calls `body`, a system call returning -1 on failure, until it is not interrupted.
@inline(__always)
func system<Result: FixedWidthInteger>(_ body: () -> Result) throws(Errno) -> Result {
    try retryOnInterrupt { () throws(Errno) in try valueOrErrno(body()) }
}
