import SystemIO
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// These tests route signals of the whole test process; they run one at a time and put the
/// previous handlers back.
@Suite(.serialized) struct SignalFlagsTests {
    /// Runs `body` with `signals` unblocked on this thread (the test runner may block them, and
    /// `raise` sends to this thread), then restores their handlers and the mask as they were.
    func restoringHandlers(of signals: [Int32], _ body: () throws -> Void) rethrows {
        var saved: [Int32: sigaction] = [:]
        for number in signals {
            var action = sigaction()
            sigaction(number, nil, &action)
            saved[number] = action
        }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        for number in signals { sigaddset(&unblocked, number) }
        var previousMask = sigset_t()
        defer {
            pthread_sigmask(SIG_SETMASK, &previousMask, nil)
            for (number, action) in saved {
                var action = action
                sigaction(number, &action, nil)
            }
        }
        pthread_sigmask(SIG_UNBLOCK, &unblocked, &previousMask)
        try body()
    }

    /// Whether `number` has a handler of the program's (not the default or ignored).
    func isHandled(_ number: Int32) -> Bool {
        var action = sigaction()
        sigaction(number, nil, &action)
        let handler = unsafeBitCast(action.__sigaction_handler.sa_handler, to: Int.self)
        return handler != unsafeBitCast(SIG_DFL, to: Int.self) && handler != unsafeBitCast(SIG_IGN, to: Int.self)
    }

    @Test func takeReturnsARaisedSignalOnceThenZero() throws {
        try restoringHandlers(of: [SIGINT, SIGTERM, SIGPIPE]) {
            SignalFlags.install()
            try #require(isHandled(SIGINT) && isHandled(SIGTERM), "raising them unhandled would end the tests")
            #expect(SignalFlags.take() == 0)
            raise(SIGINT)
            #expect(SignalFlags.take() == SIGINT)
            #expect(SignalFlags.take() == 0, "taken once")
            raise(SIGTERM)
            #expect(SignalFlags.take() == SIGTERM)
            #expect(SignalFlags.take() == 0)
        }
    }

    @Test func stopAndContinueAreTakenOnceEach() throws {
        try restoringHandlers(of: [SIGTSTP, SIGCONT]) {
            SignalFlags.installJobControl()
            try #require(isHandled(SIGTSTP), "raising SIGTSTP unhandled would stop the tests")
            _ = SignalFlags.takeSuspend()
            _ = SignalFlags.takeContinued()
            raise(SIGTSTP)
            #expect(SignalFlags.takeSuspend())
            #expect(!SignalFlags.takeSuspend(), "taken once")
            #expect(!SignalFlags.takeContinued(), "a stop request is not a continue")
            raise(SIGCONT)
            #expect(SignalFlags.takeContinued())
            #expect(!SignalFlags.takeContinued())
        }
    }
}
