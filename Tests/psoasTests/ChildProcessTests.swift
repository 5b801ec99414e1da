import Foundation
import PsoasTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Tests run in parallel in one process. A child one test starts must not hold another test's
/// descriptors, or a connection that test closed stays open for as long as the child runs.
struct ChildProcessTests {
    @Test func aChildDoesNotInheritDescriptorsBeyondItsStandardStreams() throws {
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0) // deliberately without O_CLOEXEC
        let child = try ChildProcess("/bin/sleep", ["5"])
        defer {
            child.signal(SIGKILL)
            _ = child.wait(timeout: 5)
        }
        close(ends[1])
        // With the write end closed here, the read end sees end-of-file at once, unless the
        // sleeping child kept a copy of it.
        var entry = pollfd(fd: ends[0], events: Int16(POLLIN), revents: 0)
        let ready = poll(&entry, 1, 2000)
        var byte: UInt8 = 0
        let count = ready == 1 ? read(ends[0], &byte, 1) : -1
        close(ends[0])
        #expect(ready == 1 && count == 0, "the child kept the pipe open (poll \(ready), read \(count))")
    }
}
