import AudioIO
import Foundation
import Planning
import Player
import PsoasTestSupport
import SessionKit
import Sound
import Testing

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

    /// Voice clips as decoded for each rate, kept between tests and runs in the build folder:
    /// decoding resamples every clip with libsamplerate's best converter, which took nine tenths
    /// of these tests' time. SoundTests' ClipCacheTests show that a clip read from the cache is
    /// the clip decoded, bit for bit; an entry no longer matching its file is decoded anew.
    static let clipCache = ClipCache(folder: repositoryRoot.appendingPathComponent(".build/test-clip-cache").path)

    static func parts(sampleRate: Int, yaml: String = EngineFixture.yaml) throws -> (timeline: Timeline, pack: VoicePack) {
        let manifestPath = audio + "/cues/de.yaml"
        let manifest = try CueManifest.load(SourceFile(path: manifestPath, text: String(contentsOfFile: manifestPath, encoding: .utf8)))
        let session = try SessionLoader(cues: manifest).load(SourceFile(path: "engine.yaml", text: yaml))
        let pack = try VoicePack.open(directory: audio + "/voices/de-espeak", cues: manifest)
        let timeline = try Planner(options: PlanOptions(sampleRate: sampleRate), manifest: manifest,
                                   clipDurations: pack.clipDurations(at: sampleRate)).plan(session)
        return (timeline, pack)
    }

    static func engine(sampleRate: Int, waits: Bool = false, maximumWait: Double = 180,
                       ambience: AmbienceStyle = .off) throws -> (PlaybackEngine, Timeline, [Float]) {
        let (timeline, pack) = try parts(sampleRate: sampleRate)
        let renderer = try RenderPlan.renderer(for: timeline, pack: pack, ambience: ambience, cache: clipCache)
        let safety = try RenderPlan.standaloneClip("safety.stop", pack: pack, rate: sampleRate)
        let engine = PlaybackEngine(timeline: timeline, renderer: renderer, safetyClip: safety,
                                    options: .init(waits: waits, maximumWaitSeconds: maximumWait))
        return (engine, timeline, safety)
    }

    /// The timeline rendered straight through the master limiter, as an export does.
    static func exported(sampleRate: Int, yaml: String = EngineFixture.yaml) throws -> [Int16] {
        let (timeline, pack) = try parts(sampleRate: sampleRate, yaml: yaml)
        let stream = LimitedStream(try RenderPlan.renderer(for: timeline, pack: pack, cache: clipCache))
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

/// How the playback thread asks the engine for frames: always the same count, or a different
/// count at each call.
enum BlockSizes: Sendable {
    case fixed(Int)
    /// Sizes drawn from `range` by a ``SplitMix64`` seeded with `seed`: the same each run.
    case random(seed: UInt64, range: ClosedRange<Int>)

    var largest: Int {
        switch self {
        case let .fixed(size): size
        case let .random(_, range): range.upperBound
        }
    }
}

/// A sample rate and the block sizes an engine test runs with.
struct EngineCase: Sendable, CustomTestStringConvertible {
    let sampleRate: Int
    let blocks: BlockSizes

    /// The rates the player supports, each with the playback thread's 10 ms, with random block
    /// sizes, and with odd or large fixed ones.
    static let all: [EngineCase] = [
        EngineCase(sampleRate: 48_000, blocks: .fixed(480)),
        EngineCase(sampleRate: 44_100, blocks: .fixed(441)),
        EngineCase(sampleRate: 96_000, blocks: .fixed(960)),
        EngineCase(sampleRate: 44_100, blocks: .random(seed: 1, range: 1...4096)),
        EngineCase(sampleRate: 48_000, blocks: .random(seed: 2, range: 1...4096)),
        EngineCase(sampleRate: 96_000, blocks: .random(seed: 3, range: 1...4096)),
        EngineCase(sampleRate: 48_000, blocks: .fixed(4096)),
        EngineCase(sampleRate: 44_100, blocks: .fixed(1021)),
        EngineCase(sampleRate: 96_000, blocks: .fixed(97)),
    ]

    var testDescription: String {
        switch blocks {
        case let .fixed(size): "\(sampleRate) Hz, blocks of \(size)"
        case let .random(seed, range): "\(sampleRate) Hz, random blocks of \(range.lowerBound)…\(range.upperBound) (seed \(seed))"
        }
    }

    /// `seconds` in frames at this rate.
    func frames(_ seconds: Double) -> Int {
        Int((seconds * Double(sampleRate)).rounded())
    }

    /// The fade of pause, resume, skip and stop, in frames.
    var fadeFrames: Int { frames(PlaybackEngine.fadeSeconds) }

    func engine(waits: Bool = false, maximumWait: Double = 180,
                ambience: AmbienceStyle = .off) throws -> (PlaybackEngine, Timeline, [Float]) {
        try EngineFixture.engine(sampleRate: sampleRate, waits: waits, maximumWait: maximumWait, ambience: ambience)
    }

    func exported() throws -> [Int16] {
        try EngineFixture.exported(sampleRate: sampleRate)
    }

    func driver(_ engine: PlaybackEngine) -> Driver {
        Driver(engine: engine, period: frames(0.010), blocks: blocks)
    }
}

/// A small, fast, seedable generator (Steele, Lea and Flood's SplitMix64): the same sizes on
/// every run and every platform.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Drives an engine the way the playback thread does, in calls of the case's block sizes.
struct Driver {
    let engine: PlaybackEngine
    var produced: [Int16] = []
    /// The playback thread's period, 10 ms: the step the tests advance by.
    let period: Int
    let blocks: BlockSizes
    private var generator: SplitMix64
    private var buffer: [Int16]

    init(engine: PlaybackEngine, period: Int, blocks: BlockSizes) {
        self.engine = engine
        self.period = period
        self.blocks = blocks
        if case let .random(seed, _) = blocks { generator = SplitMix64(seed: seed) } else { generator = SplitMix64(seed: 0) }
        buffer = [Int16](repeating: 0, count: blocks.largest * engine.timeline.channelCount)
    }

    /// The frames of the next call to `render`.
    mutating func nextBlock() -> Int {
        switch blocks {
        case let .fixed(size): size
        case let .random(_, range): Int.random(in: range, using: &generator)
        }
    }

    /// Renders `frames` more frames (fewer if the session ends); returns what was rendered.
    @discardableResult
    mutating func run(frames: Int) -> ArraySlice<Int16> {
        let start = produced.count
        let channelCount = engine.timeline.channelCount
        var remaining = frames
        while remaining > 0 {
            let block = min(nextBlock(), remaining)
            let count = buffer.withUnsafeMutableBufferPointer { engine.render(into: $0.baseAddress!, frameCount: block) }
            if count == 0 { break }
            produced += buffer[0..<(count * channelCount)]
            remaining -= count
        }
        return produced[start...]
    }

    /// Renders until the engine's position reaches `position`.
    mutating func run(until position: Int64) {
        while engine.snapshot.position < position, engine.snapshot.mode != .finished {
            run(frames: period)
        }
    }

    /// Renders to the end; returns all frames produced.
    mutating func runToEnd(limitSeconds: Int = 600) -> [Int16] {
        let limit = engine.timeline.sampleRate * limitSeconds
        while engine.snapshot.mode != .finished, produced.count < limit {
            if run(frames: period * 100).isEmpty { break }
        }
        return produced
    }
}
