import AudioIO
import Foundation
import PsoasTestSupport
import SessionKit
import Sound
import Planning

/// The built-in cue manifest and voice pack, and short sessions planned with them.
enum SoundFixture {
    static let audio = repositoryRoot.appendingPathComponent("Audio").path

    static func manifest() throws -> CueManifest {
        let path = audio + "/cues/de.yaml"
        return try CueManifest.load(SourceFile(path: path, text: String(contentsOfFile: path, encoding: .utf8)))
    }

    static func pack() throws -> VoicePack {
        try VoicePack.open(directory: audio + "/voices/de-espeak", cues: manifest())
    }

    /// A three-minute session with every kind of sound: say, breathe, sink, hold with a
    /// countdown, contract-relax, rest.
    static let shortSession = """
        id: short
        title: Kurz
        breath: 4-6
        steps:
          - say: intro.welcome
          - breathe: {cycles: 2}
          - sink: {cycles: 2, say: sink.exhale}
          - hold:
              seconds: 30
              cues:
                - {say: hold.start, at: exhale}
                - {say: hold.countdown, at: exhale, cycle: -1, align: end}
          - contract-relax: {reps: 1, tense: 2.5, say: contract.tense, release: contract.release}
          - rest: {seconds: 40}
          - say: outro
        """

    static func timeline(_ yaml: String = shortSession, rate: Int = 48_000, channels: Int = 1,
                         tones: ToneStyle = .glide) throws -> Timeline {
        let manifest = try manifest()
        let session = try SessionLoader(cues: manifest).load(SourceFile(path: "short.yaml", text: yaml))
        let durations = try pack().clipDurations(at: rate)
        let options = PlanOptions(sampleRate: rate, channelCount: channels, tones: tones)
        return try Planner(options: options, manifest: manifest, clipDurations: durations).plan(session)
    }

    static func renderer(_ timeline: Timeline, ambience: AmbienceStyle = .off) throws -> Renderer {
        try RenderPlan.renderer(for: timeline, pack: pack(), ambience: ambience)
    }

    /// Renders all of `timeline` in blocks whose sizes `nextSize` picks.
    static func render(_ renderer: Renderer, blockSizes nextSize: () -> Int = { Renderer.maximumBlock }) -> [Float] {
        let channels = renderer.channelCount
        var output = [Float](repeating: 0, count: Int(renderer.frameCount) * channels)
        var written = 0
        output.withUnsafeMutableBufferPointer { buffer in
            while true {
                let frames = renderer.render(into: buffer.baseAddress! + written * channels, frameCount: nextSize())
                if frames == 0 { break }
                written += frames
            }
        }
        return output
    }
}

extension Timeline {
    /// The same timeline without some events (to hear one layer alone).
    func keeping(_ isIncluded: (Event) -> Bool) -> Timeline {
        Timeline(sessionID: sessionID, title: title, sampleRate: sampleRate, channelCount: channelCount,
                 frameCount: frameCount, steps: steps, events: events.filter(isIncluded))
    }

    var voices: [Event] { events.filter { if case .voice = $0.kind { true } else { false } } }
    var tones: [Event] { events.filter { if case .tone = $0.kind { true } else { false } } }
}

/// The frequency of a tone estimated from its rising zero crossings.
func zeroCrossingFrequency(_ samples: ArraySlice<Float>, rate: Int) -> Double {
    var crossings: [Int] = []
    var previous = samples.first ?? 0
    for (index, sample) in zip(samples.indices, samples) {
        if previous < 0, sample >= 0 { crossings.append(index) }
        previous = sample
    }
    guard let first = crossings.first, let last = crossings.last, crossings.count > 1 else { return 0 }
    return Double(crossings.count - 1) / (Double(last - first) / Double(rate))
}
