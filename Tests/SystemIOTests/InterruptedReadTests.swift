import Foundation
import Synchronization
import SystemIO
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// How often the test's SIGUSR1 handler ran.
private let interruptions = Atomic<Int>(0)

@Suite struct InterruptedReadTests {
    /// What the reading thread saw, and which thread it is.
    final class Reader: @unchecked Sendable {
        let lock = NSLock()
        var thread: pthread_t?
        var result: Result<Int, Errno>?
    }

    @Test func aReadInterruptedByASignalGoesOnUntilDataArrives() throws {
        // A handler without SA_RESTART: the kernel then fails a blocked read with EINTR.
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in interruptions.add(1, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        var previous = sigaction()
        try #require(sigaction(SIGUSR1, &action, &previous) == 0)
        defer { sigaction(SIGUSR1, &previous, nil) }

        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        let readEnd = FileDescriptor(rawValue: ends[0])
        let writeEnd = FileDescriptor(rawValue: ends[1])
        defer {
            try? readEnd.close()
            try? writeEnd.close()
        }

        let reader = Reader()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            var usr1 = sigset_t()
            sigemptyset(&usr1)
            sigaddset(&usr1, SIGUSR1)
            pthread_sigmask(SIG_UNBLOCK, &usr1, nil)
            reader.lock.withLock { reader.thread = pthread_self() }
            var buffer = [UInt8](repeating: 0, count: 8)
            let result = buffer.withUnsafeMutableBytes { raw in Result { () throws(Errno) in try readEnd.read(into: raw) } }
            reader.lock.withLock { reader.result = result }
            done.signal()
        }
        thread.start()
        // Let the reader block in read(), then interrupt it.
        var target: pthread_t?
        while target == nil {
            usleep(1_000)
            target = reader.lock.withLock { reader.thread }
        }
        usleep(100_000)
        let before = interruptions.load(ordering: .relaxed)
        try #require(pthread_kill(try #require(target), SIGUSR1) == 0)
        while interruptions.load(ordering: .relaxed) == before { usleep(1_000) }
        usleep(50_000)
        #expect(reader.lock.withLock { reader.result } == nil, "the interrupted read must still be waiting")
        try [UInt8(7)].withUnsafeBytes { try writeEnd.write(all: $0) }
        try #require(done.wait(timeout: .now() + 5) == .success)
        #expect(reader.lock.withLock { reader.result } == .success(1))
    }
}
