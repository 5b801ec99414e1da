import AudioIO
import Foundation
import Planning
import PsoasTestSupport
import SessionKit
import Sound
import Testing

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

/// The tones are synthesised by turning a point on a circle each frame (``ToneSynth``): every
/// waveform equals its formula, worked out with `sin`, `cos` and `exp` at every frame, to well
/// under a 16-bit step, from the first frame to the last of a long phase.
@Suite struct ToneFormulaTests {
    static let rate = 48_000

    static func fade(_ time: Double, attack: Double) -> Double {
        guard attack > 0 else { return 1 }
        if time <= 0 { return 0 }
        if time >= attack { return 1 }
        return 0.5 - 0.5 * cos(Double.pi * time / attack)
    }

    /// The formulas, frame by frame.
    static func formula(_ name: ToneName, frameCount: Int) -> [Float] {
        let sampleRate = Double(rate)
        let duration = Double(frameCount) / sampleRate
        func glide(_ start: Double, _ end: Double) -> [Float] {
            let sweep = (end - start) / (2 * duration)
            return (0..<frameCount).map { index in
                let time = Double(index) / sampleRate
                let phase: Double = 2 * Double.pi * (start * time + sweep * time * time)
                let tone: Double = sin(phase) + 0.18 * sin(2 * phase)
                let envelope: Double = fade(time, attack: min(0.4, duration * 0.3)) * fade(duration - time, attack: min(0.6, duration * 0.35))
                return Float(0.8 * tone * envelope)
            }
        }
        func bell(_ frequency: Double) -> [Float] {
            (0..<frameCount).map { index in
                let time = Double(index) / sampleRate
                var sum = 0.0
                for (ratio, amplitude) in [(1.0, 1.0), (2.76, 0.35), (5.4, 0.12)] {
                    let decay: Double = exp(-time / (3.0 / ratio.squareRoot()))
                    sum += amplitude * decay * sin(2 * Double.pi * frequency * ratio * time)
                }
                let envelope: Double = fade(time, attack: 0.006) * fade(duration - time, attack: min(0.5, duration / 2))
                return Float(0.6 * sum * envelope)
            }
        }
        switch name {
        case .inhale: return glide(196.0, 293.66)
        case .exhale: return glide(293.66, 196.0)
        case .bellInhale: return bell(523.25)
        case .bellHoldIn: return bell(659.25)
        case .bellExhale: return bell(440.0)
        case .bellHoldOut: return bell(392.0)
        case .chime:
            return (0..<frameCount).map { index in
                let time = Double(index) / sampleRate
                let phase = 2 * Double.pi * 587.33 * time
                let tone: Double = exp(-time / 0.7) * sin(phase) + 0.2 * exp(-time / 0.35) * sin(2 * phase)
                let envelope: Double = fade(time, attack: 0.02) * fade(duration - time, attack: min(0.3, duration / 2))
                return Float(0.8 * tone * envelope)
            }
        }
    }

    @Test(arguments: [ToneName.inhale, .exhale, .bellInhale, .bellHoldIn, .bellExhale, .bellHoldOut, .chime])
    func theWaveformIsItsFormula(_ name: ToneName) {
        // A long phase, an odd length, short ones.
        for frameCount in [12 * Self.rate, 4 * Self.rate + 17, 1_000, 1] {
            let synthesised = ToneSynth.waveform(name, frameCount: frameCount, rate: Self.rate)
            let expected = Self.formula(name, frameCount: frameCount)
            #expect(synthesised.count == frameCount)
            var worst: Float = 0
            var worstIndex = 0
            for index in 0..<frameCount where abs(synthesised[index] - expected[index]) > worst {
                worst = abs(synthesised[index] - expected[index])
                worstIndex = index
            }
            // A 16-bit step is 3.1e-5; a float's last bit near 1 is 1.2e-7.
            #expect(worst < 1e-6, "\(name), \(frameCount) frames: off by \(worst) at frame \(worstIndex)")
        }
    }
}
