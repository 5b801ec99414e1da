import AudioIO
import Foundation
import Player
import PsoasTestSupport
import SessionKit
import Sound
import Planning

/// A short session planned with the built-in pack, and an engine driven block by block:
/// time is in the test's hands, no device needed.
enum EngineFixture {
    static let yaml = """
        id: engine
        title: Probe
        breath: 4-6
        steps:
          - say: sink.exhale
          - breathe: {cycles: 2, title: Atmen}
          - wait: {say: hold.countdown, export: 3}
          - hold:
              seconds: 30
              cues: [{say: hold.start, at: exhale}]
          - say: contract.release
        """

    static let audio = repositoryRoot.appendingPathComponent("Audio").path

    static func parts() throws -> (timeline: Timeline, pack: VoicePack) {
        let manifestPath = audio + "/cues/de.yaml"
        let manifest = try CueManifest.load(SourceFile(path: manifestPath, text: String(contentsOfFile: manifestPath, encoding: .utf8)))
        let session = try SessionLoader(cues: manifest).load(SourceFile(path: "engine.yaml", text: yaml))
        let pack = try VoicePack.open(directory: audio + "/voices/de-espeak", cues: manifest)
        let timeline = try Planner(options: PlanOptions(), manifest: manifest,
                                   clipDurations: pack.clipDurations(at: 48_000)).plan(session)
        return (timeline, pack)
    }

    static func engine(waits: Bool = false, maximumWait: Double = 180,
                       ambience: AmbienceStyle = .off) throws -> (PlaybackEngine, Timeline, [Float]) {
        let (timeline, pack) = try parts()
        let renderer = try RenderPlan.renderer(for: timeline, pack: pack, ambience: ambience)
        let safety = try RenderPlan.standaloneClip("safety.stop", pack: pack, rate: 48_000)
        let engine = PlaybackEngine(timeline: timeline, renderer: renderer, safetyClip: safety,
                                    options: .init(waits: waits, maximumWaitSeconds: maximumWait))
        return (engine, timeline, safety)
    }

    /// The timeline rendered straight through the master limiter, as an export does.
    static func exported() throws -> [Int16] {
        let (timeline, pack) = try parts()
        let stream = LimitedStream(try RenderPlan.renderer(for: timeline, pack: pack))
        var output = [Int16](repeating: 0, count: Int(timeline.frameCount))
        output.withUnsafeMutableBufferPointer { buffer in
            var written = 0
            while case let frames = stream.next(into: buffer.baseAddress! + written, frameCount: 4096), frames > 0 {
                written += frames
            }
        }
        return output
    }
}

/// Drives an engine the way the playback thread does, 10 ms at a time.
struct Driver {
    let engine: PlaybackEngine
    var produced: [Int16] = []
    let block = 480

    /// Renders `frames` more frames (fewer if the session ends); returns what was rendered.
    @discardableResult
    mutating func run(frames: Int) -> ArraySlice<Int16> {
        let start = produced.count
        var buffer = [Int16](repeating: 0, count: block)
        var remaining = frames
        while remaining > 0 {
            let count = buffer.withUnsafeMutableBufferPointer { engine.render(into: $0.baseAddress!, frameCount: min(block, remaining)) }
            if count == 0 { break }
            produced += buffer[0..<count]
            remaining -= count
        }
        return produced[start...]
    }

    /// Renders until the engine's position reaches `position`.
    mutating func run(until position: Int64) {
        while engine.snapshot.position < position, engine.snapshot.mode != .finished {
            run(frames: block)
        }
    }

    /// Renders to the end; returns all frames produced.
    mutating func runToEnd(limit: Int = 48_000 * 600) -> [Int16] {
        while engine.snapshot.mode != .finished, produced.count < limit {
            if run(frames: block * 100).isEmpty { break }
        }
        return produced
    }
}
