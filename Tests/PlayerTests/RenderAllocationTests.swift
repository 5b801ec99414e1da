import CAllocationCounter
import Foundation
import Player
import Testing

/// The real-time path allocates nothing: every call of `render` is counted by the
/// `CAllocationCounter` shim, through every command and mode the engine has.
@Suite struct RenderAllocationTests {
    @Test func theCounterSeesAnAllocation() {
        allocation_counter_begin()
        let array = [Int](repeating: 7, count: 1_000)
        let counted = allocation_counter_end()
        #expect(array.count == 1_000)
        #expect(counted >= 1, "an array of 1000 Ints was not counted")
        allocation_counter_begin()
        #expect(allocation_counter_end() == 0, "nothing allocated, yet \(allocation_counter_end()) counted")
    }

    @Test(arguments: [
        EngineCase(sampleRate: 48_000, blocks: .fixed(480)),
        EngineCase(sampleRate: 44_100, blocks: .random(seed: 7, range: 1...4096)),
        EngineCase(sampleRate: 96_000, blocks: .fixed(97)),
    ])
    func renderAllocatesNothingAfterWarmUp(_ test: EngineCase) throws {
        let (engine, timeline, safety) = try test.engine(waits: true, ambience: .surf)
        var player = CountingPlayer(engine: engine, blocks: test.blocks)
        defer { player.deallocate() }
        let second = test.frames(1)
        player.render(frames: second / 2, counting: false)   // warm-up: first calls may set things up

        player.render(frames: second, label: "playing")
        engine.send(.pause)
        player.render(frames: second / 2, label: "pause")
        engine.send(.resume)
        player.render(frames: second, label: "resume")
        engine.send(.volume(decibels: -6))
        player.render(frames: second / 2, label: "volume -6")
        engine.send(.toggle)
        player.render(frames: second / 5, label: "toggle")
        engine.send(.toggle)
        player.render(frames: second / 2, label: "toggle back")
        engine.send(.next)
        player.render(frames: 2 * second, label: "next")
        #expect(engine.snapshot.step == 1, "in the breathing step")
        engine.send(.extend)
        player.render(frames: second, label: "extend")
        engine.send(.back)
        player.render(frames: second, label: "back")
        engine.send(.next)
        player.render(frames: second / 2, label: "next to the wait")
        #expect(engine.snapshot.step == 2, "in the wait's step")
        for _ in 0..<200 where engine.snapshot.mode != .waiting {
            player.render(frames: second / 10, label: "to the wait")
        }
        #expect(engine.snapshot.mode == .waiting)
        player.render(frames: 2 * second, label: "waiting")
        engine.send(.continueWait)
        player.render(frames: second, label: "continue")
        #expect(timeline.steps[engine.snapshot.step].isHold)
        engine.send(.extend)
        engine.send(.volume(decibels: 12))
        player.render(frames: 11 * second, label: "extended hold, volume +12")
        engine.send(.safety)
        player.render(frames: safety.count + second / 2, label: "safety stop")
        #expect(engine.snapshot.safetyStops == 1)
        engine.send(.resume)
        player.render(frames: second, label: "resume after safety")
        engine.send(.stop)
        player.render(frames: second, label: "stop and drain")
        #expect(engine.snapshot.mode == .finished)
        #expect(engine.snapshot.extends == 2 && engine.snapshot.skips == 3)

        #expect(player.allocations.isEmpty, "render allocated: \(player.allocations)")
    }

    /// `--follow-breath`'s changes: a shortening, an exhale cue's wait ended by a detection,
    /// a stretch, with the ambience going on through the holds.
    @Test func followingTheBreathAllocatesNothing() throws {
        let engine = try FollowBreathAdaptationTests.engine(ambience: .surf, yaml: FollowBreathAdaptationTests.shortYaml)
        var player = CountingPlayer(engine: engine, blocks: .fixed(480))
        defer { player.deallocate() }
        let second = 48_000
        player.render(frames: second / 2, counting: false)
        engine.send(.followBreath(true))
        engine.send(.adapt(frames: -Int64(second)))
        player.render(frames: 12 * second, label: "shortened")
        #expect(engine.snapshot.lastAdaptation?.kind == .shortened)
        player.render(frames: 12 * second, label: "to the exhale cue")
        #expect(engine.snapshot.isHolding, "the sink's exhale cue waits")
        engine.send(.breathHeard(.exhale, at: engine.snapshot.position))
        engine.send(.adapt(frames: Int64(second)))
        player.render(frames: 10 * second, label: "cue, then a stretch")
        #expect(engine.snapshot.adaptations == 3 && engine.snapshot.lastAdaptation?.kind == .held,
                "adaptations: \(engine.snapshot.adaptations), the last \(String(describing: engine.snapshot.lastAdaptation))")
        #expect(player.allocations.isEmpty, "render allocated: \(player.allocations)")
    }
}

/// Calls `render` as the playback thread does, counting the allocations of each call alone.
struct CountingPlayer {
    let engine: PlaybackEngine
    var blocks: BlockSizes
    /// The allocations counted, by the label of the part of the run they happened in.
    private(set) var allocations: [String: Int] = [:]
    private var generator: SplitMix64
    private let buffer: UnsafeMutablePointer<Int16>

    init(engine: PlaybackEngine, blocks: BlockSizes) {
        self.engine = engine
        self.blocks = blocks
        if case let .random(seed, _) = blocks { generator = SplitMix64(seed: seed) } else { generator = SplitMix64(seed: 0) }
        buffer = .allocate(capacity: blocks.largest * engine.timeline.channelCount)
    }

    func deallocate() { buffer.deallocate() }

    mutating func render(frames: Int, label: String = "", counting: Bool = true) {
        var remaining = frames
        var counted = 0
        while remaining > 0 {
            let block = switch blocks {
            case let .fixed(size): min(size, remaining)
            case let .random(_, range): min(Int.random(in: range, using: &generator), remaining)
            }
            if counting { allocation_counter_begin() }
            let made = engine.render(into: buffer, frameCount: block)
            if counting { counted += allocation_counter_end() }
            if made == 0 { break }
            remaining -= made
        }
        if counted > 0 { allocations[label, default: 0] += counted }
    }
}
