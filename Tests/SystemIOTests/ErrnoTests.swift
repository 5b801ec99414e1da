import SystemIO
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct ErrnoTests {
    @Test func describesItselfInTheCLibrarysWords() {
        #expect(Errno(rawValue: ENOENT).description == "No such file or directory")
        #expect(Errno.brokenPipe.description == "Broken pipe")
        #expect("\(Errno.interrupted)" == "Interrupted system call")
    }

    @Test func currentIsTheErrorOfTheCallThatJustFailed() {
        #expect(close(-1) == -1)
        #expect(Errno.current == Errno(rawValue: EBADF))
    }
}

@Suite struct RetryOnInterruptTests {
    @Test func callsAgainWhileTheCallIsInterrupted() throws {
        var calls = 0
        let value = try retryOnInterrupt { () throws(Errno) -> Int in
            calls += 1
            if calls < 3 { throw Errno.interrupted }
            return 42
        }
        #expect(value == 42)
        #expect(calls == 3, "two interrupted calls, then the one that succeeded")
    }

    @Test func passesOtherErrorsThroughAtOnce() {
        var calls = 0
        #expect(throws: Errno.brokenPipe) {
            try retryOnInterrupt { () throws(Errno) -> Int in
                calls += 1
                throw Errno.brokenPipe
            }
        }
        #expect(calls == 1)
    }
}
