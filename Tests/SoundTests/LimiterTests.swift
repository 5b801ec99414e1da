import AudioIO
import Foundation
import Planning
import PsoasTestSupport
import Sound
import Testing

/// The master limiter, measured with libebur128's true peak (4× oversampled).
@Suite struct LimiterTests {
    /// `samples` (interleaved) through a limiter in blocks whose sizes `nextSize` picks.
    func limited(_ samples: [Float], channels: Int = 1, blockSizes nextSize: () -> Int = { 4096 }) -> [Float] {
        let limiter = Limiter(sampleRate: 48_000, channelCount: channels)
        var output = [Float](repeating: .nan, count: samples.count)
        var read = 0
        var written = 0
        let frames = samples.count / channels
        samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                while read < frames {
                    let size = min(nextSize(), frames - read)
                    written += limiter.process(input.baseAddress! + read * channels, into: out.baseAddress! + written * channels,
                                               frameCount: size)
                    read += size
                }
                while case let count = limiter.drain(into: out.baseAddress! + written * channels, frameCount: nextSize()), count > 0 {
                    written += count
                }
            }
        }
        #expect(written == frames, "every frame came out")
        return output
    }

    /// `samples` through a limiter straight to 16 bits, in blocks whose sizes `nextSize` picks.
    func limitedPCM(_ samples: [Float], channels: Int, blockSizes nextSize: () -> Int) -> [Int16] {
        let limiter = Limiter(sampleRate: 48_000, channelCount: channels)
        var output = [Int16](repeating: 0x5555, count: samples.count)
        var read = 0
        var written = 0
        let frames = samples.count / channels
        samples.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out in
                while read < frames {
                    let size = min(nextSize(), frames - read)
                    written += limiter.process(input.baseAddress! + read * channels, intoPCM: out.baseAddress! + written * channels,
                                               frameCount: size)
                    read += size
                }
                while case let count = limiter.drain(intoPCM: out.baseAddress! + written * channels, frameCount: nextSize()), count > 0 {
                    written += count
                }
            }
        }
        #expect(written == frames, "every frame came out")
        return output
    }

    func truePeak(_ samples: [Float]) throws -> Double {
        try Loudness.measure(MonoAudio(samples: samples, sampleRate: 48_000)).truePeakDecibels
    }

    /// The fixture session turned up 12 dB: far over full scale before, at most −1 dBTP after.
    @Test func aSessionTurnedUpTwelveDecibelsStaysAtOrUnderMinusOneDBTP() throws {
        let timeline = try SoundFixture.timeline()
        let renderer = try SoundFixture.renderer(timeline)
        renderer.gain = 4
        let loud = SoundFixture.render(renderer)
        #expect(try truePeak(loud) > 0, "the test's input is over the ceiling")
        let out = limited(loud)
        let peak = try truePeak(out)
        #expect(peak <= Limiter.ceilingDecibels, "true peak \(peak) dBTP")
        #expect(peak > Limiter.ceilingDecibels - 0.3, "the limiter does not take more than it must: \(peak) dBTP")
    }

    @Test func interSamplePeaksAreCaughtToo() throws {
        // A sine at a quarter of the rate, sampled 45° off its peaks: every sample at 0.707 of
        // its true peak, which is 0.99.
        let samples = (0..<48_000).map { Float(0.99 * sin(Double.pi / 2 * Double($0) + Double.pi / 4)) }
        #expect(samples.allSatisfy { abs($0) < 0.71 })
        #expect(try truePeak(samples) > -0.5)
        #expect(try truePeak(limited(samples)) <= Limiter.ceilingDecibels)
    }

    @Test func whatStaysUnderTheCeilingComesOutBitForBitInPlace() throws {
        let timeline = try SoundFixture.timeline()
        let tonesOnly = timeline.keeping { if case .voice = $0.kind { false } else { true } }
        let quiet = SoundFixture.render(try SoundFixture.renderer(tonesOnly))
        #expect(limited(quiet) == quiet)
        // Shorter than the limiter's look-ahead: it still comes out whole.
        let short: [Float] = [0.1, -0.2, 0.3, 0, 0.05]
        #expect(limited(short) == short)
    }

    /// A 16-bit output (an export's) is the float output converted, for any block sizes: the
    /// blocks that pass through untouched are converted as they are checked, the others after.
    @Test(arguments: [1, 2])
    func theSixteenBitOutputIsTheFloatOutputConverted(channels: Int) throws {
        let timeline = try SoundFixture.timeline(channels: channels)
        let renderer = try SoundFixture.renderer(timeline, ambience: .surf)
        renderer.gain = 3
        let loud = SoundFixture.render(renderer)
        var expected = [Int16](repeating: 0, count: loud.count)
        limited(loud, channels: channels).withUnsafeBufferPointer { source in
            expected.withUnsafeMutableBufferPointer { PCM.convert(source.baseAddress!, into: $0.baseAddress!, count: source.count) }
        }
        var generator = SystemRandomNumberGenerator()
        for (name, sizes) in [("4096", { 4096 }), ("random", { Int.random(in: 1...4096, using: &generator) }),
                              ("small", { Int.random(in: 1...200, using: &generator) })] as [(String, () -> Int)] {
            let pcm = limitedPCM(loud, channels: channels, blockSizes: sizes)
            let difference = zip(expected, pcm).enumerated().first { $0.element.0 != $0.element.1 }
            #expect(difference == nil, "\(name) blocks: first difference at \(difference?.offset ?? -1) of \(pcm.count): \(difference.map { "\($0.element)" } ?? "")")
        }
        #expect(Set(expected).count > 1_000, "the session sounds")
    }

    @Test func anyBlockSizesGiveTheSameBitsInStereo() throws {
        let timeline = try SoundFixture.timeline(channels: 2)
        let renderer = try SoundFixture.renderer(timeline)
        renderer.gain = 3
        let loud = SoundFixture.render(renderer)
        var generator = SystemRandomNumberGenerator()
        let whole = limited(loud, channels: 2)
        let random = limited(loud, channels: 2) { Int.random(in: 1...4096, using: &generator) }
        let firstDifference = zip(whole, random).enumerated().first { $0.element.0.bitPattern != $0.element.1.bitPattern }
        #expect(firstDifference == nil, "first difference at \(firstDifference?.offset ?? -1): \(firstDifference.map { "\($0.element)" } ?? "") of \(whole.count)")
        let left = stride(from: 0, to: whole.count, by: 2).map { whole[$0] }
        #expect(try truePeak(left) <= Limiter.ceilingDecibels)
    }
}
