import AudioIO
import Foundation
import PsoasTestSupport
import Sound
import Testing
import Timeline

/// The pacing tones of each style, measured on renders of a breathing step (tones only: the
/// step has no cue and the bed is off).
@Suite struct ToneTests {
    static let breathing = """
        id: breathing
        title: Atmen
        breath: 4-6
        steps:
          - breathe: {cycles: 6}
        """

    func render(_ style: ToneStyle) throws -> (Timeline, [Float]) {
        let timeline = try SoundFixture.timeline(Self.breathing, tones: style)
        return (timeline, SoundFixture.render(try SoundFixture.renderer(timeline)))
    }

    func decibels(_ samples: ArraySlice<Float>) -> Double { 20 * log10(max(rms(samples), 1e-12)) }

    /// `bell` paces the breath as loudly as `glide` (it was 8.7 LU quieter).
    @Test func bellIsAsLoudAsGlideOverABreathingStep() throws {
        let (_, glide) = try render(.glide)
        let (_, bell) = try render(.bell)
        let glideLoudness = try Loudness.measure(MonoAudio(samples: glide, sampleRate: 48_000)).integrated
        let bellLoudness = try Loudness.measure(MonoAudio(samples: bell, sampleRate: 48_000)).integrated
        #expect(abs(bellLoudness - glideLoudness) <= 2, "bell \(bellLoudness) LUFS, glide \(glideLoudness) LUFS")
    }

    /// A bell rings on through its phase (it was silent after 1.2 s): 3 s in, it is still within
    /// 15 dB of its strike.
    @Test func theBellRingsThroughItsPhase() throws {
        let (timeline, bell) = try render(.bell)
        let window = 4_800
        var checked = 0
        for event in timeline.events {
            guard case .breath = event.kind else { continue }
            let start = Int(event.start)
            let strike = decibels(bell[start..<start + window])
            let later = decibels(bell[start + 29 * window..<start + 30 * window])
            #expect(later > strike - 15, "bell at \(event.start): \(strike) dB at its strike, \(later) dB 3 s later")
            checked += 1
        }
        #expect(checked == 12)
    }
}
