import AudioIO
import Foundation
import Planning
import PsoasTestSupport
import SessionKit
import Sound
import Testing

/// Clips decoded when the render nears them give the same bits as clips decoded up front,
/// and an export keeps only the clips near its position.
@Suite struct ClipStoreTests {
    /// Renders all of `renderer` as an export does: the clips of each block prepared first.
    static func renderAhead(_ renderer: Renderer, blockSizes nextSize: () -> Int = { Renderer.maximumBlock },
                            whileRendering observe: (Renderer) -> Void = { _ in }) throws -> [Float] {
        let channels = renderer.channelCount
        var output = [Float](repeating: 0, count: Int(renderer.frameCount) * channels)
        var written = 0
        try output.withUnsafeMutableBufferPointer { buffer in
            while true {
                let size = nextSize()
                try renderer.prepare(frameCount: size)
                observe(renderer)
                let frames = renderer.render(into: buffer.baseAddress! + written * channels, frameCount: size)
                if frames == 0 { break }
                written += frames
            }
        }
        return output
    }

    static func firstDifference(_ one: [Float], _ other: [Float]) -> String? {
        guard one.count == other.count else { return "\(one.count) samples against \(other.count)" }
        guard let index = zip(one, other).enumerated().first(where: { $0.element.0.bitPattern != $0.element.1.bitPattern })?.offset else {
            return nil
        }
        return "sample \(index): \(one[index]) against \(other[index])"
    }

    @Test(arguments: [1, 2])
    func decodingAheadRendersTheSameBitsAsDecodingUpFront(channels: Int) throws {
        let timeline = try SoundFixture.timeline(channels: channels)
        let upFront = SoundFixture.render(try RenderPlan.renderer(for: timeline, pack: SoundFixture.pack(), ambience: .surf))
        let renderer = try RenderPlan.renderer(for: timeline, pack: SoundFixture.pack(), ambience: .surf, decoding: .ahead)
        #expect(renderer.decodedClipCount == 0, "nothing is decoded before the render asks")
        var generator = SystemRandomNumberGenerator()
        let ahead = try Self.renderAhead(renderer) { Int.random(in: 1...4096, using: &generator) }
        let difference = Self.firstDifference(upFront, ahead)
        #expect(difference == nil, "\(difference ?? "")")
    }

    /// Clips far apart are never decoded together, a clip used again after a long pause is
    /// decoded again, and after a seek back the render sounds the same.
    @Test func anExportKeepsOnlyTheClipsNearItsPosition() throws {
        let timeline = try SoundFixture.timeline("""
            id: apart
            title: Weit auseinander
            steps:
              - say: intro.welcome
              - rest: {seconds: 40}
              - say: outro
              - rest: {seconds: 40}
              - say: advice.pain
              - rest: {seconds: 40}
              - say: intro.welcome
            """, tones: .off)
        let upFront = SoundFixture.render(try RenderPlan.renderer(for: timeline, pack: SoundFixture.pack()))
        let renderer = try RenderPlan.renderer(for: timeline, pack: SoundFixture.pack(), decoding: .ahead)
        #expect(renderer.clipCount == 3)
        var most = 0
        let first = try Self.renderAhead(renderer, whileRendering: { most = max(most, $0.decodedClipCount) })
        #expect(most == 1, "at most one clip at a time, not \(most)")
        #expect(renderer.decodedClipCount == 0, "every clip is freed once the render has passed it")
        #expect(Self.firstDifference(upFront, first) == nil, "\(Self.firstDifference(upFront, first) ?? "")")
        renderer.seek(to: 0)
        let again = try Self.renderAhead(renderer)
        #expect(Self.firstDifference(upFront, again) == nil, "after a seek back: \(Self.firstDifference(upFront, again) ?? "")")
    }

    /// An export's helper thread decodes the clips a few ahead of the render: the same bits, the
    /// same clips in memory at a time, and after a seek back the render decodes them itself.
    @Test(arguments: [1, 2])
    func clipsDecodedAheadOnAHelperRenderTheSameBits(channels: Int) throws {
        let timeline = try SoundFixture.timeline(channels: channels)
        let upFront = SoundFixture.render(try RenderPlan.renderer(for: timeline, pack: SoundFixture.pack(), ambience: .surf))
        let renderer = try RenderPlan.renderer(for: timeline, pack: SoundFixture.pack(), ambience: .surf, decoding: .ahead)
        renderer.decodeAhead(clips: 2)
        var generator = SystemRandomNumberGenerator()
        let ahead = try Self.renderAhead(renderer) { Int.random(in: 1...4096, using: &generator) }
        #expect(Self.firstDifference(upFront, ahead) == nil, "\(Self.firstDifference(upFront, ahead) ?? "")")
        #expect(renderer.decodedClipCount == 0, "every clip is freed once the render has passed it")
        renderer.seek(to: 0)
        let again = try Self.renderAhead(renderer)
        #expect(Self.firstDifference(upFront, again) == nil, "after a seek back: \(Self.firstDifference(upFront, again) ?? "")")
    }

    @Test func clipsDecodedAheadAreKeptOnlyNearThePosition() throws {
        let timeline = try SoundFixture.timeline("""
            id: apart
            title: Weit auseinander
            steps:
              - say: intro.welcome
              - rest: {seconds: 40}
              - say: outro
              - rest: {seconds: 40}
              - say: intro.welcome
            """, tones: .off)
        let renderer = try RenderPlan.renderer(for: timeline, pack: SoundFixture.pack(), decoding: .ahead)
        renderer.decodeAhead(clips: 1)
        var most = 0
        _ = try Self.renderAhead(renderer, whileRendering: { most = max(most, $0.decodedClipCount) })
        #expect(most == 1, "at most one clip at a time in the render's table, not \(most)")
        #expect(renderer.decodedClipCount == 0, "every clip is freed once the render has passed it")
    }

    @Test func aCueOnEveryBreathIsDecodedOnceForTheWholeStep() throws {
        let timeline = try SoundFixture.timeline("""
            id: sink
            title: Sinken
            breath: 4-6
            steps:
              - sink: {cycles: 12, say: sink.exhale}
            """)
        let renderer = try RenderPlan.renderer(for: timeline, pack: SoundFixture.pack(), decoding: .ahead)
        let voices = timeline.voices
        // From the first cue to the last one's start (the last inhale's tone ends there).
        let span = try #require(voices.first?.start)..<(try #require(voices.last?.start))
        #expect(voices.count == 12)
        var counts = Set<Int>()
        _ = try Self.renderAhead(renderer, whileRendering: { renderer in
            if span.contains(renderer.position) { counts.insert(renderer.decodedClipCount) }
        })
        // The clip and the tones stay from their first use to their last.
        #expect(counts == [renderer.clipCount], "decoded between the cues: \(counts.sorted()) of \(renderer.clipCount)")
    }

    @Test func aBackgroundRendererSoundsLikeOneDecodedUpFront() throws {
        let timeline = try SoundFixture.timeline(channels: 2)
        let upFront = SoundFixture.render(try RenderPlan.renderer(for: timeline, pack: SoundFixture.pack(), ambience: .rain))
        let renderer = try RenderPlan.renderer(for: timeline, pack: SoundFixture.pack(), ambience: .rain, decoding: .background)
        let deadline = Date().addingTimeInterval(20)
        while !renderer.allClipsPublished, Date() < deadline { usleep(1_000) }
        #expect(renderer.allClipsPublished)
        let played = SoundFixture.render(renderer)
        #expect(Self.firstDifference(upFront, played) == nil, "\(Self.firstDifference(upFront, played) ?? "")")
    }

    @Test func aClipReadABlockAtATimeIsTheClipReadWhole() throws {
        let path = SoundFixture.audio + "/voices/de-espeak/outro.flac"
        let whole = try SoundFileReader.readMono(path: path).samples
        let reader = try MonoFileReader(path: path)
        var blocks: [Float] = []
        var block = [Float](repeating: 0, count: 1_000)
        while case let read = try block.withUnsafeMutableBufferPointer({ try reader.read(into: $0.baseAddress!, count: 1_000) }), read > 0 {
            blocks += block[0..<read]
        }
        #expect(reader.frameCount == Int64(whole.count))
        #expect(Self.firstDifference(whole, blocks) == nil)
    }

    @Test func aCutOffClipFailsTheCheckWithoutBeingDecoded() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("psoas-check-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = URL(fileURLWithPath: SoundFixture.audio + "/voices/de-espeak/outro.flac")
        let whole = folder.appendingPathComponent("whole.flac")
        let cut = folder.appendingPathComponent("cut.flac")
        try FileManager.default.copyItem(at: source, to: whole)
        let data = try Data(contentsOf: source)
        try data.prefix(data.count / 3).write(to: cut)
        try SoundFileReader.check(path: whole.path)
        #expect(throws: AudioIOError.self) { try SoundFileReader.check(path: cut.path) }
    }
}
