import CAllocationCounter
import Foundation
import Player
import SessionKit
import Sound
import Testing

/// Taking queued audio back: an engine put back to a checkpoint renders the same bits again,
/// and a command taken after it sounds exactly as if it had been sent before that block.
@Suite struct CheckpointTests {
    static let block = 480

    /// Renders `blocks` blocks of 480 frames, saving a checkpoint before each in slot
    /// `index % capacity`, and noting in `starts` where each block's samples start.
    static func render(_ engine: PlaybackEngine, blocks: Int, from first: Int = 0, into output: inout [Int16],
                       starts: inout [Int: Int]) {
        let channels = engine.timeline.channelCount
        var buffer = [Int16](repeating: 0, count: block * channels)
        for index in first..<(first + blocks) {
            starts[index] = output.count
            engine.saveCheckpoint(index % engine.checkpointCapacity)
            let frames = buffer.withUnsafeMutableBufferPointer { engine.render(into: $0.baseAddress!, frameCount: block) }
            guard frames > 0 else { return }
            output.append(contentsOf: buffer[0..<(frames * channels)])
        }
    }

    static func render(_ engine: PlaybackEngine, blocks: Int, from first: Int = 0, into output: inout [Int16]) {
        var starts: [Int: Int] = [:]
        render(engine, blocks: blocks, from: first, into: &output, starts: &starts)
    }

    /// Where two renders first differ, for a short message.
    static func firstDifference(_ left: [Int16], _ right: [Int16]) -> String {
        guard let index = (0..<min(left.count, right.count)).first(where: { left[$0] != right[$0] }) else {
            return left.count == right.count ? "none" : "lengths \(left.count) and \(right.count)"
        }
        return "sample \(index): \(left[index]) against \(right[index])"
    }

    @Test(arguments: [AmbienceStyle.off, .surf])
    func aRewoundEngineRendersTheSameBits(_ ambience: AmbienceStyle) throws {
        let (straight, _, _) = try EngineFixture.engine(sampleRate: 48_000, ambience: ambience)
        let (rewound, _, _) = try EngineFixture.engine(sampleRate: 48_000, ambience: ambience)
        straight.reserveCheckpoints(64)
        rewound.reserveCheckpoints(64)
        var expected: [Int16] = []
        Self.render(straight, blocks: 1_200, into: &expected)
        // Every 37 blocks, 23 blocks are taken back and rendered again.
        var output: [Int16] = []
        var starts: [Int: Int] = [:]
        var next = 0
        while next < 1_200 {
            let count = min(37, 1_200 - next)
            Self.render(rewound, blocks: count, from: next, into: &output, starts: &starts)
            next += count
            guard next < 1_200 else { break }
            next -= 23
            rewound.restoreCheckpoint(next % rewound.checkpointCapacity)
            output.removeLast(output.count - starts[next]!)
        }
        #expect(output.count > 100_000)
        #expect(Self.firstDifference(output, expected) == "none", "the frames rendered again differ")
    }

    /// A pause (and a volume step) taken after going back to block 300 is the same as one sent
    /// just before block 300 was first rendered.
    @Test(arguments: [TransportCommand.pause, .volume(decibels: -6), .next, .stop])
    func aCommandAfterARewindActsWhereItWasTakenBack(_ command: TransportCommand) throws {
        let (reference, _, _) = try EngineFixture.engine(sampleRate: 48_000, ambience: .surf)
        let (rewound, _, _) = try EngineFixture.engine(sampleRate: 48_000, ambience: .surf)
        reference.reserveCheckpoints(64)
        rewound.reserveCheckpoints(64)
        var expected: [Int16] = []
        Self.render(reference, blocks: 300, into: &expected)
        reference.send(command)
        Self.render(reference, blocks: 200, from: 300, into: &expected)

        var output: [Int16] = []
        var starts: [Int: Int] = [:]
        Self.render(rewound, blocks: 340, into: &output, starts: &starts)
        rewound.send(command)
        rewound.restoreCheckpoint(300 % rewound.checkpointCapacity)
        output.removeLast(output.count - starts[300]!)
        Self.render(rewound, blocks: 200, from: 300, into: &output)
        #expect(Self.firstDifference(output, expected) == "none", "\(command) after the rewind differs")
        rewound.publishCurrentState()
        reference.publishCurrentState()
        let (left, right) = (rewound.snapshot, reference.snapshot)
        #expect(left.position == right.position && left.mode == right.mode && left.pauses == right.pauses
                && left.skips == right.skips && left.volumeDecibels == right.volumeDecibels && left.completed == right.completed)
    }

    /// What the control side reads goes back with the engine: a pause finished in audio that
    /// was taken back was never heard, so it is not counted.
    @Test func theCountsGoBackWithTheAudio() throws {
        let (engine, _, _) = try EngineFixture.engine(sampleRate: 48_000)
        engine.reserveCheckpoints(64)
        engine.publishesEachBlock = false
        var output: [Int16] = []
        Self.render(engine, blocks: 100, into: &output)
        engine.send(.pause)
        Self.render(engine, blocks: 20, from: 100, into: &output)
        engine.publishCurrentState()
        #expect(engine.snapshot.pauses == 1 && engine.snapshot.mode == .paused)
        engine.publishCheckpoint(100 % engine.checkpointCapacity)
        #expect(engine.snapshot.pauses == 0 && engine.snapshot.mode == .playing,
                "the state heard at block 100 is before the pause")
        engine.restoreCheckpoint(100 % engine.checkpointCapacity)
        engine.publishCurrentState()
        #expect(engine.snapshot.pauses == 0 && engine.snapshot.mode == .playing)
    }

    @Test func savingAndRestoringAllocateNothing() throws {
        let (engine, _, _) = try EngineFixture.engine(sampleRate: 48_000, waits: true, ambience: .surf)
        engine.reserveCheckpoints(64)
        var output: [Int16] = []
        output.reserveCapacity(400 * Self.block)
        Self.render(engine, blocks: 50, into: &output)
        allocation_counter_begin()
        for slot in 0..<64 { engine.saveCheckpoint(slot) }
        for slot in 0..<64 { engine.restoreCheckpoint(slot); engine.publishCheckpoint(slot) }
        let counted = allocation_counter_end()
        #expect(counted == 0, "saving and restoring checkpoints allocated \(counted) times")
    }
}
