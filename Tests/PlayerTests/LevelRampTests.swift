import Foundation
import Player
import Testing

/// The one ramp behind the engine's fade and its volume.
@Suite struct LevelRampTests {
    @Test(arguments: [44_100, 48_000, 96_000])
    func aLinearFadeReachesSilenceWithinAFrameOfItsLengthAndStaysThere(sampleRate: Int) {
        var fade = LevelRamp(level: 1, curve: .linear, seconds: 0.020, sampleRate: sampleRate)
        fade.target = 0
        let frames = fade.framesToSilence
        #expect(abs(frames - sampleRate / 50) <= 1, "\(frames) frames for 20 ms")
        var previous = fade.level
        for _ in 0..<frames {
            fade.advance()
            #expect(fade.level < previous && fade.level >= 0)
            previous = fade.level
        }
        // (Float steps add up to a hair over 1: at most one frame more.)
        #expect(fade.framesToSilence <= 1, "\(fade.level) left after \(frames) frames")
        fade.advance()
        #expect(fade.level == 0)
        fade.advance()
        #expect(fade.rests(at: 0), "it stays silent")
    }

    @Test func anExponentialRampMovesEvenlyInDecibelsAndStopsAtItsTarget() {
        var volume = LevelRamp(level: 1, curve: .exponential, seconds: 0.020, sampleRate: 48_000)
        volume.target = 0.5
        var steps: [Double] = []
        var previous = volume.level
        while !volume.rests(at: 0.5), steps.count < 48_000 {
            volume.advance()
            steps.append(20 * log10(Double(volume.level) / Double(previous)))
            previous = volume.level
        }
        #expect(volume.level == 0.5, "it stops at the target exactly")
        let even = steps.dropLast()
        #expect(even.allSatisfy { abs($0 - even[even.startIndex]) < 1e-3 }, "each frame the same step in dB")
        #expect(steps.count > 100 && steps.count < 2_000, "\(steps.count) frames for -6 dB")
    }
}
