import AudioIO
import Foundation
import PsoasTestSupport
import SessionKit
import Sound
import Testing
import Planning

/// The ambience bed, measured on renders of the fixture session.
@Suite struct AmbienceTests {
    /// The bed alone: the timeline without voice and tones.
    func bedOnly(_ style: AmbienceStyle) throws -> (Timeline, [Float]) {
        let timeline = try SoundFixture.timeline()
        let silent = timeline.keeping { if case .voice = $0.kind { false } else if case .tone = $0.kind { false } else { true } }
        return (timeline, SoundFixture.render(try SoundFixture.renderer(silent, ambience: style)))
    }

    func decibels(_ samples: ArraySlice<Float>) -> Double { 20 * log10(max(rms(samples), 1e-12)) }

    @Test(arguments: [AmbienceStyle.surf, .rain])
    func theBedSwellsOnTheInhaleAndEbbsOnTheExhale(style: AmbienceStyle) throws {
        let (timeline, bed) = try bedOnly(style)
        let fade = 48_000 * 5
        var checked = 0
        for event in timeline.events where event.start > fade && event.end < timeline.frameCount - Int64(fade) {
            guard case let .breath(phase, _) = event.kind, phase == .inhale || phase == .exhale else { continue }
            let fifth = Int(event.duration) / 5
            let early = decibels(bed[Int(event.start)..<Int(event.start) + fifth])
            let late = decibels(bed[Int(event.end) - fifth..<Int(event.end)])
            let swing = style == .surf ? 6.0 : 2.0
            if phase == .inhale {
                #expect(late > early + swing, "\(style) inhale at \(event.start): \(early) → \(late) dB")
            } else {
                #expect(early > late + swing, "\(style) exhale at \(event.start): \(early) → \(late) dB")
            }
            checked += 1
        }
        #expect(checked >= 10)
    }

    @Test(arguments: [AmbienceStyle.surf, .rain])
    func theBedIsSoftFadesInAndOutAndIsNeverDigitalSilence(style: AmbienceStyle) throws {
        let (timeline, bed) = try bedOnly(style)
        let loudness = try Loudness.measure(MonoAudio(samples: bed, sampleRate: 48_000))
        #expect(loudness.integrated > -44 && loudness.integrated < -36, "\(style) bed at \(loudness.integrated) LUFS")
        #expect(abs(bed[0]) < 1e-6 && abs(bed[bed.count - 1]) < 1e-3, "it fades in and out")
        #expect(decibels(bed[0..<4_800]) < decibels(bed[48_000 * 10..<48_000 * 11]) - 20)
        let body = bed[48_000..<Int(timeline.frameCount) - 48_000]
        var run = 0, longest = 0
        for sample in body {
            run = sample == 0 ? run + 1 : 0
            longest = max(longest, run)
        }
        #expect(longest < 48, "a run of \(longest) exact zeros")
        // Where the noise loop wraps, no step stands out from the noise around it.
        let loop = 48_000 * 8
        for wrap in stride(from: loop, to: bed.count - 48_000, by: loop) {
            func step(_ index: Int) -> Float { abs(bed[index] - bed[index - 1]) }
            var around: Float = 0
            for index in wrap - 24_000..<wrap + 24_000 where abs(index - wrap) > 2 { around = max(around, step(index)) }
            var atWrap: Float = 0
            for index in wrap - 2...wrap + 2 { atWrap = max(atWrap, step(index)) }
            #expect(atWrap <= around, "\(style): a step of \(atWrap) where the loop wraps at \(wrap), \(around) around it")
        }
    }

    @Test func theBedIsDuckedUnderTheVoiceLikeTheTones() throws {
        let timeline = try SoundFixture.timeline(tones: .off)
        let withVoice = SoundFixture.render(try SoundFixture.renderer(timeline, ambience: .surf))
        let voiceOnly = SoundFixture.render(try SoundFixture.renderer(timeline))
        let (_, bed) = try bedOnly(.surf)
        let margin = 1440 + 240
        var measured = 0
        for voice in timeline.voices where voice.duration > 2 * margin + 9_600 {
            let range = Int(voice.start) + margin..<Int(voice.end) - margin
            let ducked = range.map { withVoice[$0] - voiceOnly[$0] }
            let difference = decibels(ducked[...]) - decibels(bed[range])
            #expect(abs(difference - -12) < 0.3, "bed under the cue at \(voice.start): \(difference) dB")
            measured += 1
        }
        #expect(measured >= 3)
    }

    @Test(arguments: [44_100, 96_000])
    func theBedIsTheSameInAnyBlockSizesAndAfterASeek(rate: Int) throws {
        let timeline = try SoundFixture.timeline(rate: rate, channels: 2)
        let whole = SoundFixture.render(try SoundFixture.renderer(timeline, ambience: .surf))
        var generator = SystemRandomNumberGenerator()
        let random = SoundFixture.render(try SoundFixture.renderer(timeline, ambience: .surf)) {
            Int.random(in: 1...4096, using: &generator)
        }
        #expect(whole.elementsEqual(random) { $0.bitPattern == $1.bitPattern })
        let renderer = try SoundFixture.renderer(timeline, ambience: .surf)
        let start = Int64(timeline.frameCount / 3)
        renderer.seek(to: start)
        let tail = SoundFixture.render(renderer)
        #expect(Array(tail[0..<(whole.count - Int(start) * 2)]) == Array(whole[(Int(start) * 2)...]))
    }

    @Test func twoRendersOfTheSameBedAreTheSameBits() throws {
        let (_, first) = try bedOnly(.rain)
        let (_, second) = try bedOnly(.rain)
        #expect(first == second)
        let (_, surf) = try bedOnly(.surf)
        #expect(correlation(first[48_000 * 20..<48_000 * 21], surf[48_000 * 20..<48_000 * 21]) < 0.5, "the styles differ")
    }
}
