#if canImport(Glibc)
import Glibc
#endif

/// Waits on several file descriptors at once (`poll`).
public enum Poller {
    /// Which of `descriptors` are readable (or closed, or failed) after waiting up to `timeout`
    /// milliseconds.
    ///
    /// A signal ends the wait early with an empty set rather than restarting it, so a loop
    /// around this sees its ``SignalFlags`` at once.
    public static func readable(_ descriptors: [FileDescriptor], timeout: Int32) -> Set<FileDescriptor> {
        var entries = descriptors.map { pollfd(fd: $0.rawValue, events: Int16(POLLIN), revents: 0) }
        let count = entries.withUnsafeMutableBufferPointer { poll($0.baseAddress, nfds_t($0.count), timeout) }
        guard count > 0 else { return [] }
        let ready = entries.filter { $0.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 }
        return Set(ready.map { FileDescriptor(rawValue: $0.fd) })
    }
}
