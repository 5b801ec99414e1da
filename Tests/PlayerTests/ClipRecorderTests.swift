import AudioIO
import Player
import Testing

/// What the recorder does without a microphone or a person: its count-in tone, a device that
/// cannot be opened, and no terminal to ask.
@Suite struct ClipRecorderTests {
    @Test func theCountInIsA150MillisecondSoftToneRampedInAndOut() {
        let tone = ClipRecorder.countInTone()
        #expect(tone.count == ClipRecorder.sampleRate * 15 / 100)
        let peak = tone.map { abs(Int($0)) }.max() ?? 0
        #expect((8_000...8_192).contains(peak), "peak \(peak)")
        // 20 ms ramps: the first and last millisecond stay below a twentieth of the peak.
        let millisecond = ClipRecorder.sampleRate / 1000
        let edges = tone.prefix(millisecond) + tone.suffix(millisecond)
        #expect(edges.allSatisfy { abs(Int($0)) <= 8_192 / 20 }, "\(edges.map { abs(Int($0)) }.max() ?? 0)")
        // 880 Hz: 132 rising zero crossings in 150 ms.
        let crossings = zip(tone, tone.dropFirst()).filter { $0 < 0 && $1 >= 0 }.count
        #expect((131...133).contains(crossings), "\(crossings) crossings")
    }

    @Test func aDeviceThatCannotBeOpenedIsNamedInTheProblem() {
        let recorder = ClipRecorder(captureDevice: "psoas-no-such-device", countInDevice: "psoas-no-such-device",
                                    maximumSeconds: 1, readsKeys: false)
        var listened = false
        do {
            _ = try recorder.record { listened = true }
            Issue.record("a take from a device that does not exist")
        } catch {
            guard case let .cannotOpen(deviceError) = error else {
                Issue.record("expected cannotOpen, got \(error)")
                return
            }
            #expect(deviceError.device == "psoas-no-such-device")
        }
        #expect(!listened)
    }

    @Test func withoutATerminalThereIsNoOneToAskAndRecordingStops() throws {
        let recorder = ClipRecorder(captureDevice: "default", countInDevice: "default", maximumSeconds: 1, readsKeys: false)
        #expect(try recorder.answer() == .quit)
        #expect(try recorder.answer(enterKeeps: false) == .quit)
    }
}
