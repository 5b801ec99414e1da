import BreathSensing
import Foundation
import Planning
import PsoasTestSupport
import SessionKit
import Sound
import Testing

/// The session's own sound leaking into the microphone is taken out by what psoas plays.
@Suite struct LeakageTests {
    static let rate = 48_000

    /// Two and a half minutes of a session with voice, glide tones and the surf: what psoas
    /// plays, at the capture rate.
    static func sessionAudio() throws -> [Float] {
        let audio = repositoryRoot.appendingPathComponent("Audio").path
        let path = audio + "/cues/de.yaml"
        let manifest = try CueManifest.load(SourceFile(path: path, text: String(contentsOfFile: path, encoding: .utf8)))
        let pack = try VoicePack.open(directory: audio + "/voices/de-espeak", cues: manifest)
        let yaml = """
            id: leak
            title: Leck
            breath: 4-6
            steps:
              - say: intro.welcome
              - breathe: {cycles: 3}
              - sink: {cycles: 3, say: sink.exhale}
              - hold:
                  seconds: 40
                  cues:
                    - {say: hold.start, at: exhale}
                    - {say: hold.countdown, at: exhale, cycle: -1, align: end}
              - rest: {seconds: 60}
              - say: outro
            """
        let session = try SessionLoader(cues: manifest).load(SourceFile(path: "leak.yaml", text: yaml))
        let options = PlanOptions(sampleRate: rate, channelCount: 1, tones: .glide)
        let timeline = try Planner(options: options, manifest: manifest, clipDurations: pack.clipDurations(at: rate)).plan(session)
        let renderer = try RenderPlan.renderer(for: timeline, pack: pack, ambience: .surf)
        var output = [Float](repeating: 0, count: Int(renderer.frameCount))
        var written = 0
        output.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            while written < buffer.count {
                let frames = renderer.render(into: base + written, frameCount: min(Renderer.maximumBlock, buffer.count - written))
                if frames == 0 { break }
                written += frames
            }
        }
        return output
    }

    /// The breather with the played sound added as a microphone hears it: `gain` times it,
    /// `delaySeconds` late.
    static func leaked(_ breath: [Float], played: [Float], gain: Float, delaySeconds: Double) -> [Float] {
        let delay = Int(delaySeconds * Double(rate))
        var mixed = breath
        for frame in delay..<mixed.count where frame - delay < played.count {
            mixed[frame] += gain * played[frame - delay]
        }
        return mixed
    }

    static func breather(seconds: Double, seed: UInt64) -> (samples: [Float], changes: [BreathChange]) {
        var breather = SyntheticBreather()
        breather.sampleRate = rate
        // Its own rhythm, slower than the session's 4-6, so the played sound's swell is not the breath's.
        breather.inhaleSeconds = 4.5
        breather.exhaleSeconds = 6.5
        return breather.make(seconds: seconds, seed: seed)
    }

    @Test func thePlayedSoundAtARealisticLevelIsNotTakenForBreath() throws {
        let played = try Self.sessionAudio()
        let (breath, known) = Self.breather(seconds: 150, seed: 11)
        let microphone = Self.leaked(breath, played: played, gain: 0.3, delaySeconds: 0.04)
        let result = BreathDetectionTests.detect(microphone, played: Array(played.prefix(microphone.count)),
                                                 blockFrameCount: 480, rate: Self.rate)
        let report = LagReport(known: known, detected: result.changes, sampleRate: Self.rate)
        let leakage = result.sensor.leakage
        print("breather + session audio at -10 dB, 40 ms late, taken out: \(report); coupling \(leakage.coupling), delay \(leakage.delayHops * 10) ms")
        #expect(report.missed <= 1, "\(report)")
        #expect(report.extra <= 1, "\(report)")
        #expect(report.median < 0.4, "\(report)")
    }

    /// The same microphone without what was played: the leak misleads the detector (a spoken cue
    /// is taken for breath) beyond what the test above allows, so that test proves the taking out.
    @Test func withoutThePlayedSoundTheLeakMisleads() throws {
        let played = try Self.sessionAudio()
        let (breath, known) = Self.breather(seconds: 150, seed: 11)
        let microphone = Self.leaked(breath, played: played, gain: 0.3, delaySeconds: 0.04)
        let changes = BreathDetectionTests.detect(microphone, blockFrameCount: 480, rate: Self.rate).changes
        let report = LagReport(known: known, detected: changes, sampleRate: Self.rate)
        print("breather + session audio at -10 dB, not taken out: \(report)")
        #expect(report.missed + report.extra >= 2, "\(report)")
    }
}
