import AudioIO
import Foundation
import Sound
import SystemIO

/// Takes of voice clips through ALSA capture, for `psoas voice record`: a short count-in tone,
/// then recording until silence follows speech, Enter, or the longest take; and the keys that
/// answer what to do with a take.
///
/// Nothing here prints: the caller is told when a take starts listening and says what it likes.
/// SIGINT and SIGTERM are routed to flags (``AudioIO/SignalFlags``) by the first take and end
/// a take or a wait for a key with ``Problem/interrupted(signal:)``.
///
/// Thread-safety: use from the main thread (it owns the terminal).
public final class ClipRecorder {
    /// Frames per second of the takes and of the count-in tone.
    public static let sampleRate = 48_000

    /// A recorded take: mono samples at ``sampleRate``, full scale 1.
    public struct Take: Sendable {
        public var samples: [Float]
        /// Whether anything loud enough to be speech was heard (``Sound/SpeechEndDetector``).
        public var heardSpeech: Bool
    }

    /// What the person decided about a take.
    public enum Answer: Sendable, Equatable {
        /// Enter: keep the take.
        case keep
        /// r: record the cue again.
        case again
        /// s: go on to the next cue.
        case skip
        /// q: stop recording.
        case quit
    }

    /// Why a take or a wait for a key did not end as it should.
    public enum Problem: Error, Sendable {
        /// The capture device could not be opened.
        case cannotOpen(DeviceError)
        /// Reading from the capture device failed.
        case readFailed(DeviceError)
        /// SIGINT or SIGTERM arrived.
        case interrupted(signal: Int32)
    }

    /// The ALSA device recorded from.
    public let captureDevice: String
    /// The ALSA device that plays the count-in tone.
    public let countInDevice: String
    /// The longest take, in seconds.
    public let maximumSeconds: Double
    /// The terminal keys come from, in raw mode; `nil` without one.
    private let terminal: Terminal?

    /// - Parameters:
    ///   - readsKeys: whether keys come from the terminal on standard input; it is then switched
    ///     to raw mode until ``restoreTerminal()``.
    public init(captureDevice: String, countInDevice: String, maximumSeconds: Double, readsKeys: Bool) {
        self.captureDevice = captureDevice
        self.countInDevice = countInDevice
        self.maximumSeconds = maximumSeconds
        if readsKeys {
            let terminal = Terminal()
            terminal.enterRawMode()
            self.terminal = terminal
        } else {
            terminal = nil
        }
    }

    /// Puts the terminal back as it was.
    public func restoreTerminal() {
        terminal?.restore()
    }

    // MARK: - Takes

    /// Plays the count-in tone; silently left out when no device can play it.
    public func countIn() {
        guard let output = try? AlsaPlayback(device: countInDevice, sampleRate: Self.sampleRate, channelCount: 1) else { return }
        let tone = Self.countInTone()
        tone.withUnsafeBufferPointer { buffer in
            guard let samples = buffer.baseAddress else { return }
            try? output.write(samples, frameCount: buffer.count)
        }
        output.drain()
    }

    /// A short soft tone: 150 ms of 880 Hz at a quarter of full scale, with 20 ms ramps.
    package static func countInTone() -> [Int16] {
        let frames = sampleRate * 15 / 100
        var tone = [Int16](repeating: 0, count: frames)
        for index in 0..<frames {
            let time = Double(index) / Double(sampleRate)
            let envelope = min(1, min(time, Double(frames - index) / Double(sampleRate)) / 0.02)
            tone[index] = Int16(0.25 * envelope * sin(2 * Double.pi * 880 * time) * 32_767)
        }
        return tone
    }

    /// Records one take: until silence follows speech, Enter (with a terminal), or
    /// ``maximumSeconds``. The first 150 ms, which may still hold the count-in, are dropped.
    /// - Parameter listening: called once those 150 ms are dropped, when speaking counts.
    /// - Throws: ``Problem``.
    public func record(listening: () -> Void) throws(Problem) -> Take {
        let capture: AlsaCapture
        do throws(DeviceError) {
            capture = try AlsaCapture(device: captureDevice, sampleRate: Self.sampleRate)
        } catch {
            throw .cannotOpen(error)
        }
        SignalFlags.install()
        let window = Self.sampleRate / 100
        var buffer = [Int16](repeating: 0, count: window)
        var detector = SpeechEndDetector(sampleRate: Self.sampleRate)
        var samples: [Float] = []
        for _ in 0..<15 { try read(capture, into: &buffer) }
        listening()
        let limit = Int(maximumSeconds * Double(Self.sampleRate))
        while samples.count < limit {
            try read(capture, into: &buffer)
            samples += buffer.map { Float($0) / 32_768 }
            let done = buffer.withUnsafeBufferPointer { detector.feed($0) }
            if done { break }
            if let terminal, terminal.readAvailable().contains(where: { $0 == 0x0A || $0 == 0x0D }) { break }
            let signal = SignalFlags.take()
            if signal != 0 { throw .interrupted(signal: signal) }
        }
        return Take(samples: samples, heardSpeech: detector.heardSpeech)
    }

    private func read(_ capture: AlsaCapture, into buffer: inout [Int16]) throws(Problem) {
        try buffer.withUnsafeMutableBufferPointer { (window: inout UnsafeMutableBufferPointer<Int16>) throws(Problem) in
            guard let samples = window.baseAddress else { return }
            do throws(DeviceError) {
                try capture.read(into: samples, frameCount: window.count)
            } catch {
                throw .readFailed(error)
            }
        }
    }

    // MARK: - Keys

    /// Waits for Enter (``Answer/keep``, only when `enterKeeps`), r, s or q. Without a
    /// terminal there is no one to ask: ``Answer/quit``.
    /// - Throws: ``Problem/interrupted(signal:)``.
    public func answer(enterKeeps: Bool = true) throws(Problem) -> Answer {
        guard let terminal else { return .quit }
        while true {
            _ = Poller.readable([.standardInput], timeout: 200)
            for byte in terminal.readAvailable() {
                switch byte {
                case 0x0A, 0x0D: if enterKeeps { return .keep }
                case UInt8(ascii: "r"): return .again
                case UInt8(ascii: "s"): return .skip
                case UInt8(ascii: "q"): return .quit
                default: continue
                }
            }
            let signal = SignalFlags.take()
            if signal != 0 { throw .interrupted(signal: signal) }
        }
    }
}
