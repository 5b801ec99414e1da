import AudioIO
import Foundation
import PsoasTestSupport
import SessionKit
import Sound
import Testing
import Planning

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

/// The chime that announces a cue after a long quiet stretch, measured on the fixture session
/// (its `outro` follows the rest's fade).
@Suite struct ChimeTests {
    @Test func theChimeIsSoftAndWellUnderTheVoiceItAnnounces() throws {
        let timeline = try SoundFixture.timeline()
        let chimes = timeline.tones.filter { if case .tone(.chime, _) = $0.kind { true } else { false } }
        #expect(chimes.count == 1, "only the outro follows a quiet stretch")
        let chime = try #require(chimes.first)
        let cue = try #require(timeline.voices.first { $0.start == chime.end }, "the chime ends on a cue's first frame")
        let output = SoundFixture.render(try SoundFixture.renderer(timeline.keeping { $0 == chime || $0 == cue }))
        let chimeLoudness = try Loudness.measure(MonoAudio(samples: Array(output[Int(chime.start)..<Int(chime.end)]), sampleRate: 48_000)).integrated
        let voiceLoudness = try Loudness.measure(MonoAudio(samples: Array(output[Int(cue.start)..<Int(cue.end)]), sampleRate: 48_000)).integrated
        let under = voiceLoudness - chimeLoudness
        #expect(under >= 10 && under <= 16, "chime \(chimeLoudness) LUFS, voice \(voiceLoudness) LUFS: \(under) LU under")
        // It has nearly died away when the voice begins.
        let tail = rms(output[Int(chime.end) - 4_800..<Int(chime.end)])
        let strike = rms(output[Int(chime.start)..<Int(chime.start) + 4_800])
        #expect(20 * log10(tail / strike) < -20, "the chime's last 100 ms: \(20 * log10(tail / strike)) dB under its first")
    }
}
