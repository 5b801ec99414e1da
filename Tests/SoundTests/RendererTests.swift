import AudioIO
import Foundation
import PsoasTestSupport
import SessionKit
import Sound
import Testing
import Planning

/// What the renderer makes of a timeline, measured on the samples.
@Suite struct RendererTests {
    @Test func everyVoiceClipAppearsSampleExactAtItsPlannedFrames() throws {
        let timeline = try SoundFixture.timeline(tones: .off)
        let output = SoundFixture.render(try SoundFixture.renderer(timeline))
        let pack = try SoundFixture.pack()
        for voice in timeline.voices {
            guard case let .voice(cue, _, _, _) = voice.kind else { continue }
            let decoded = try SoundFileReader.readMono(path: pack.clipPaths[cue]!).samples
            let length = min(decoded.count, Int(voice.duration))
            let rendered = output[Int(voice.start)..<Int(voice.start) + length]
            // Aligned at the planned frame the shapes match; one frame off they do not.
            #expect(correlation(rendered, decoded[0..<length]) > 0.999, "\(cue)")
            let shifted = output[Int(voice.start) + 1..<Int(voice.start) + 1 + length]
            #expect(correlation(shifted, decoded[0..<length]) < correlation(rendered, decoded[0..<length]), "\(cue)")
            // The clip's 16-bit samples, ramps aside, come out exactly.
            let ramp = 240
            for offset in stride(from: ramp, to: length - ramp, by: 97) {
                let expected = PCM.int16(decoded[offset])
                let actual = PCM.int16(output[Int(voice.start) + offset])
                #expect(abs(Int(expected) - Int(actual)) <= 1, "\(cue) at \(offset)")
            }
        }
    }

    @Test func tonesOffLeavesOnlyTheVoice() throws {
        let timeline = try SoundFixture.timeline(tones: .off)
        let output = SoundFixture.render(try SoundFixture.renderer(timeline))
        var inVoice = [Bool](repeating: false, count: output.count)
        for voice in timeline.voices {
            for frame in Int(voice.start)..<Int(voice.end) { inVoice[frame] = true }
        }
        let strays = output.indices.filter { !inVoice[$0] && output[$0] != 0 }
        #expect(strays.isEmpty, "\(strays.count) non-zero samples outside voice cues")
        #expect(timeline.tones.isEmpty)
    }

    @Test func glideRisesThroughTheInhaleAndFallsThroughTheExhale() throws {
        let timeline = try SoundFixture.timeline()
        let tonesOnly = timeline.keeping { if case .voice = $0.kind { false } else { true } }
        let output = SoundFixture.render(try SoundFixture.renderer(tonesOnly))
        var checked = 0
        for tone in tonesOnly.tones {
            guard case let .tone(name, level) = tone.kind, level > 0.5, name != .chime else { continue }
            let third = Int(tone.duration) / 3
            let early = zeroCrossingFrequency(output[Int(tone.start) + third / 4..<Int(tone.start) + third], rate: 48_000)
            let late = zeroCrossingFrequency(output[Int(tone.end) - third..<Int(tone.end) - third / 4], rate: 48_000)
            switch name {
            case .inhale: #expect(late > early + 20, "inhale at \(tone.start): \(early) → \(late) Hz")
            case .exhale: #expect(early > late + 20, "exhale at \(tone.start): \(early) → \(late) Hz")
            default: Issue.record("unexpected tone \(name)")
            }
            checked += 1
        }
        #expect(checked > 10)
    }

    @Test func tonesAreDuckedTwelveDecibelsUnderTheVoice() throws {
        let timeline = try SoundFixture.timeline()
        let withVoice = SoundFixture.render(try SoundFixture.renderer(timeline))
        let voiceOnly = SoundFixture.render(try SoundFixture.renderer(timeline.keeping { if case .tone = $0.kind { false } else { true } }))
        let tonesOnly = SoundFixture.render(try SoundFixture.renderer(timeline.keeping { if case .voice = $0.kind { false } else { true } }))
        let ramp = 1440 + 240
        var measured = 0
        for voice in timeline.voices where voice.duration > 2 * ramp + 4800 {
            let range = Int(voice.start) + ramp..<Int(voice.end) - ramp
            let reference = rms(tonesOnly[range])
            guard reference > 1e-4 else { continue }
            let ducked = range.map { withVoice[$0] - voiceOnly[$0] }
            let decibels = 20 * log10(rms(ducked[...]) / reference)
            #expect(abs(decibels - -12) < 0.3, "ducking under \(voice.start): \(decibels) dB")
            measured += 1
        }
        #expect(measured >= 3)
    }

    /// After a cue the tones come back over 300–500 ms along a curve, not in a step.
    @Test func theDuckReleasesOverAboutFourHundredMillisecondsAlongACurve() throws {
        let timeline = try SoundFixture.timeline()
        let withVoice = SoundFixture.render(try SoundFixture.renderer(timeline))
        let voiceOnly = SoundFixture.render(try SoundFixture.renderer(timeline.keeping { if case .tone = $0.kind { false } else { true } }))
        let tonesOnly = SoundFixture.render(try SoundFixture.renderer(timeline.keeping { if case .voice = $0.kind { false } else { true } }))
        let window = 480
        var measured = 0
        for (voice, next) in zip(timeline.voices, timeline.voices.dropFirst()) where next.start - voice.end > 48_000 {
            let gains: [Double?] = (0..<60).map { slot in
                let range = Int(voice.end) + slot * window..<Int(voice.end) + (slot + 1) * window
                let reference = rms(tonesOnly[range])
                guard reference > 1e-3 else { return nil }
                return 20 * log10(rms(range.map { withVoice[$0] - voiceOnly[$0] }[...]) / reference)
            }
            guard gains.prefix(50).allSatisfy({ $0 != nil }) else { continue }
            let curve = gains.prefix(50).map { $0! }
            #expect(curve[0] < -11, "still ducked right after the cue: \(curve[0]) dB")
            let back = try #require(curve.firstIndex { $0 > -0.5 }, "the tones came back within 500 ms")
            let seconds = Double(back * window) / 48_000
            #expect(seconds >= 0.3 && seconds <= 0.5, "released after \(seconds) s")
            let largestStep = zip(curve, curve.dropFirst()).map { abs($1 - $0) }.max() ?? 0
            #expect(largestStep < 1.5, "a step of \(largestStep) dB in 10 ms")
            measured += 1
        }
        #expect(measured >= 3)
    }

    /// The rest step's tones fade evenly in decibels: as much in its first half as in its second.
    @Test func theRestFadeIsEvenInDecibels() throws {
        let timeline = try SoundFixture.timeline()
        let restIndex = try #require(timeline.steps.firstIndex { $0.kind == .rest })
        // The pacing tones only: the chime before the outro starts in the rest too.
        let tonesOnly = timeline.keeping { if case let .tone(name, _) = $0.kind { $0.step == restIndex && name != .chime } else { false } }
        let output = SoundFixture.render(try SoundFixture.renderer(tonesOnly))
        let rest = timeline.steps[restIndex]
        let cycle = 48_000 * 10
        let cycles = Int(rest.end - rest.start) / cycle
        #expect(cycles >= 3)
        let levels = (0..<cycles).map { index in
            20 * log10(rms(output[Int(rest.start) + index * cycle..<Int(rest.start) + (index + 1) * cycle]))
        }
        let firstHalf = levels[cycles / 2] - levels[0]
        let secondHalf = levels[cycles - 1] - levels[cycles / 2]
        let perCycle = (levels[cycles - 1] - levels[0]) / Double(cycles - 1)
        #expect(abs(firstHalf - perCycle * Double(cycles / 2)) < 0.5, "first half \(firstHalf) dB, second \(secondHalf) dB")
        #expect(abs(secondHalf - perCycle * Double(cycles - 1 - cycles / 2)) < 0.5, "first half \(firstHalf) dB, second \(secondHalf) dB")
    }

    @Test func noSampleStepAboveThreeHundredthsAtAnyEventEdge() throws {
        for style in ToneStyle.allCases {
            let timeline = try SoundFixture.timeline(tones: style)
            let output = SoundFixture.render(try SoundFixture.renderer(timeline))
            // A tone may start or end while a voice speaks: its edge is measured without the
            // voice, whose own speech has steps above 0.03 (the tones as mixed, ducking included).
            let voiceOnly = SoundFixture.render(try SoundFixture.renderer(timeline.keeping { if case .voice = $0.kind { true } else { false } }))
            for event in timeline.voices + timeline.tones {
                let isTone = if case .tone = event.kind { true } else { false }
                let layer = { (frame: Int) in isTone ? output[frame] - voiceOnly[frame] : output[frame] }
                for edge in [event.start, event.end] {
                    for frame in max(1, Int(edge) - 2)...min(output.count - 1, Int(edge) + 2) {
                        let step = abs(layer(frame) - layer(frame - 1))
                        #expect(step <= 0.03, "\(style) step \(step) at frame \(frame) near \(event)")
                    }
                }
            }
        }
    }

    @Test func theGainStageNeverClipsEvenTurnedUp() throws {
        let timeline = try SoundFixture.timeline()
        let renderer = try SoundFixture.renderer(timeline)
        let normal = SoundFixture.render(renderer)
        #expect(normal.allSatisfy { abs($0) < 1 })
        renderer.seek(to: 0)
        renderer.gain = 8
        let loud = SoundFixture.render(renderer)
        #expect(loud.allSatisfy { abs($0) < 1 }, "peak \(loud.map(abs).max() ?? 0)")
        #expect(loud.map { PCM.int16($0) }.allSatisfy { $0 > -32_767 && $0 < 32_767 })
    }

    @Test(arguments: [44_100, 48_000, 96_000])
    func randomBlockSizesRenderTheSameBitsAsWholeBlocks(rate: Int) throws {
        let timeline = try SoundFixture.timeline(rate: rate, channels: 2)
        let whole = SoundFixture.render(try SoundFixture.renderer(timeline))
        var generator = SystemRandomNumberGenerator()
        let random = SoundFixture.render(try SoundFixture.renderer(timeline)) { Int.random(in: 1...4096, using: &generator) }
        #expect(whole.count == Int(timeline.frameCount) * 2)
        let firstDifference = zip(whole, random).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
        #expect(firstDifference == nil, "first difference at sample \(firstDifference?.offset ?? -1)")
    }

    @Test func seekingRendersTheSameSamplesAsPlayingThrough() throws {
        let timeline = try SoundFixture.timeline()
        let whole = SoundFixture.render(try SoundFixture.renderer(timeline))
        let renderer = try SoundFixture.renderer(timeline)
        let start = Int64(timeline.voices[2].start - 1000)
        renderer.seek(to: start)
        let tail = SoundFixture.render(renderer)
        #expect(Array(tail[0..<(whole.count - Int(start))]) == Array(whole[Int(start)...]))
    }

    @Test func tonesSitAboutTwelveLUBelowTheVoice() throws {
        let timeline = try SoundFixture.timeline()
        let tonesOnly = timeline.keeping { if case .tone = $0.kind { $0.step == 1 } else { false } }
        let output = SoundFixture.render(try SoundFixture.renderer(tonesOnly))
        let step = timeline.steps[1]
        let loudness = try Loudness.measure(MonoAudio(samples: Array(output[Int(step.start)..<Int(step.end)]), sampleRate: 48_000))
        #expect(abs(loudness.integrated - -30) < 2, "tones at \(loudness.integrated) LUFS")
    }
}
