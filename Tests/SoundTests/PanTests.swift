import AudioIO
import Foundation
import PsoasTestSupport
import Sound
import Testing
import Planning

/// In stereo a side's cues come from its side; everything else stays centred; mono is as before.
@Suite struct PanTests {
    static let yaml = """
        id: pan
        title: Seiten
        breath: 4-6
        steps:
          - say: intro.welcome
          - sides:
              - say: locate.{side}
              - breathe: {cycles: 1, cues: [{say: sink.exhale, at: exhale}]}
          - say: outro
        """

    func decibels(_ samples: [Float]) -> Double { 20 * log10(max(rms(samples[...]), 1e-12)) }

    @Test func aSidesCuesComeFromItsSideAndTheRestFromTheCentre() throws {
        let timeline = try SoundFixture.timeline(Self.yaml, channels: 2, tones: .off)
        let output = SoundFixture.render(try SoundFixture.renderer(timeline))
        var checked: [String: Int] = [:]
        for voice in timeline.voices {
            let frames = Int(voice.start)..<Int(voice.end)
            let left = frames.map { output[2 * $0] }
            let right = frames.map { output[2 * $0 + 1] }
            let balance = decibels(left) - decibels(right)
            let side = timeline.steps[voice.step].side
            switch side {
            case .left: #expect(abs(balance - 4.3) < 0.2, "a left cue: \(balance) dB")
            case .right: #expect(abs(balance - -4.3) < 0.2, "a right cue: \(balance) dB")
            case nil: #expect(abs(balance) < 0.01, "a centred cue: \(balance) dB")
            }
            checked[side?.rawValue ?? "centre", default: 0] += 1
        }
        #expect(checked["left"] == 2 && checked["right"] == 2 && checked["centre"] == 2, "\(checked)")
        // Constant power: a side's cue is as loud as it would be centred.
        let mono = SoundFixture.render(try SoundFixture.renderer(try SoundFixture.timeline(Self.yaml, tones: .off)))
        let cue = try #require(timeline.voices.first { timeline.steps[$0.step].side == .left })
        let frames = Int(cue.start)..<Int(cue.end)
        let power = frames.reduce(0.0) { $0 + Double(output[2 * $1] * output[2 * $1] + output[2 * $1 + 1] * output[2 * $1 + 1]) }
        let centred = frames.reduce(0.0) { $0 + 2 * Double(mono[$1] * mono[$1]) }
        #expect(abs(10 * log10(power / centred)) < 0.1)
    }

    @Test func monoIsUnchangedAndStereoIsTheSameInAnyBlockSizes() throws {
        // Mono: a side's cue comes out as recorded, like any other.
        let mono = try SoundFixture.timeline(Self.yaml, tones: .off)
        let rendered = SoundFixture.render(try SoundFixture.renderer(mono))
        let pack = try SoundFixture.pack()
        var checked = 0
        for voice in mono.voices where mono.steps[voice.step].side != nil {
            guard case let .voice(cue, _, _, _) = voice.kind else { continue }
            let decoded = try SoundFileReader.readMono(path: pack.clipPaths[cue]!).samples
            for offset in stride(from: 240, to: min(decoded.count, Int(voice.duration)) - 240, by: 53) {
                #expect(abs(Int(PCM.int16(decoded[offset])) - Int(PCM.int16(rendered[Int(voice.start) + offset]))) <= 1, "\(cue) at \(offset)")
            }
            checked += 1
        }
        #expect(checked == 4)
        let stereo = try SoundFixture.timeline(Self.yaml, channels: 2)
        let whole = SoundFixture.render(try SoundFixture.renderer(stereo, ambience: .surf))
        var generator = SystemRandomNumberGenerator()
        let random = SoundFixture.render(try SoundFixture.renderer(stereo, ambience: .surf)) { Int.random(in: 1...4096, using: &generator) }
        #expect(whole.elementsEqual(random) { $0.bitPattern == $1.bitPattern })
    }
}
