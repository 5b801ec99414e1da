import Planning
import SystemIO

/// The marks of a breath calibration, read from the keyboard in raw mode.
///
/// A terminal sends no key releases, so a mark is a key press: Space marks the start of an
/// inhale, the next Space the start of the exhale, and so on in turn; Enter marks the start of
/// a pause in the phase under way; q ends the marking early.
///
/// Thread-safety: use from the main thread (it owns the terminal while it reads).
struct BreathMarking {
    /// How the marking ended.
    enum Ending: Equatable {
        /// The time was up.
        case timeUp
        /// q was pressed.
        case quit
        /// SIGINT or SIGTERM arrived.
        case interrupted(signal: Int32)
    }

    /// Turns key presses into marks: the pure half of the marking.
    struct Keys {
        /// Whether the next Space starts an inhale.
        var inhaleNext = true
        /// Whether an inhale was marked yet (a pause before the first one means nothing).
        var started = false

        /// The marks that `bytes`, read at `position` seconds, make, and whether q was among them.
        mutating func marks(for bytes: [UInt8], at position: Double) -> (marks: [BreathCalibration.Mark], quit: Bool) {
            var marks: [BreathCalibration.Mark] = []
            for byte in bytes {
                switch byte {
                case 0x20:
                    marks.append(BreathCalibration.Mark(inhaleNext ? .inhale : .exhale, at: position))
                    started = true
                    inhaleNext.toggle()
                case 0x0A, 0x0D:
                    if started { marks.append(BreathCalibration.Mark(.pause, at: position)) }
                case UInt8(ascii: "q"), UInt8(ascii: "Q"):
                    return (marks, true)
                default:
                    continue
                }
            }
            return (marks, false)
        }
    }

    /// How long the marking lasts, in seconds.
    let durationInSeconds: Double

    /// Reads marks until the time is up, q, or a signal. Ctrl-Z gives the terminal back; after
    /// `fg` the marking starts again from nothing (a stop would break the breath it fell in).
    /// - Parameters:
    ///   - ready: called once keys count (the terminal is in raw mode, keys pressed before are
    ///     dropped), when the marking starts.
    ///   - status: called about every second with the seconds left and the marks so far.
    /// - Returns: the marks, positioned from the start of the marking, and how it ended.
    func read(ready: () -> Void,
              status: (_ secondsLeft: Int, _ marks: [BreathCalibration.Mark]) -> Void) -> (marks: [BreathCalibration.Mark], ending: Ending) {
        let terminal = Terminal()
        terminal.enterRawMode()
        defer { terminal.restore() }
        SignalFlags.install()
        SignalFlags.installJobControl()
        _ = terminal.readAvailable()
        ready()
        let clock = ContinuousClock()
        var start = clock.now
        var keys = Keys()
        var marks: [BreathCalibration.Mark] = []
        var lastShown = -1
        while true {
            let elapsed = Self.seconds(clock.now - start)
            if elapsed >= durationInSeconds { return (marks, .timeUp) }
            let secondsLeft = Int((durationInSeconds - elapsed).rounded(.up))
            if secondsLeft != lastShown {
                status(secondsLeft, marks)
                lastShown = secondsLeft
            }
            let wait = Int32(min(100, max(1, (durationInSeconds - elapsed) * 1_000)))
            _ = Poller.readable([.standardInput], timeout: wait)
            let bytes = terminal.readAvailable()
            if !bytes.isEmpty {
                let read = keys.marks(for: bytes, at: Self.seconds(clock.now - start))
                marks += read.marks
                if read.quit { return (marks, .quit) }
                if !read.marks.isEmpty { status(secondsLeft, marks) }
            }
            let signal = SignalFlags.take()
            if signal != 0 { return (marks, .interrupted(signal: signal)) }
            if SignalFlags.takeSuspend() {
                terminal.suspend()
                SignalFlags.stop()
                terminal.resumeRawMode()
                _ = terminal.readAvailable()
                start = clock.now
                keys = Keys()
                marks = []
                lastShown = -1
            }
        }
    }

    private static func seconds(_ duration: Duration) -> Double {
        let parts = duration.components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
