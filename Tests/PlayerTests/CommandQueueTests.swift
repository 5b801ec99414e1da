import Player
import Testing

/// The queue between the control side and the playback thread: what survives a burst, and in
/// which order the engine sees it.
@Suite struct CommandQueueTests {
    func commands(in batch: CommandBatch) -> [TransportCommand] {
        var commands: [TransportCommand] = []
        batch.forEach { commands.append($0) }
        return commands
    }

    @Test func aStopAndASafetyStopComeLastWhateverWasSentAfterThem() {
        var batch = CommandBatch()
        for command: TransportCommand in [.stop, .pause, .safety, .next, .volume(decibels: 3), .volume(decibels: -1)] {
            batch.append(command)
        }
        #expect(commands(in: batch) == [.pause, .next, .volume(decibels: 2), .safety, .stop])
    }

    @Test func pastItsCapacityTheOldestQueuedCommandIsDroppedButNeverAStop() {
        var batch = CommandBatch()
        batch.append(.safety)
        batch.append(.stop)
        batch.append(.pause)
        for _ in 0..<CommandBatch.capacity - 1 { batch.append(.next) }
        batch.append(.back)
        let taken = commands(in: batch)
        #expect(taken.count == CommandBatch.capacity + 2)
        #expect(!taken.contains(.pause), "the oldest queued command goes first")
        #expect(Array(taken.suffix(3)) == [.back, .safety, .stop])
    }

    @Test func volumeStepsAddUpWithinWhatAnyStepsCouldMean() {
        var batch = CommandBatch()
        for _ in 0..<100 { batch.append(.volume(decibels: 3)) }
        let span = PlaybackEngine.volumeRange.upperBound - PlaybackEngine.volumeRange.lowerBound
        #expect(commands(in: batch) == [.volume(decibels: span)])
        batch.clear()
        batch.append(.volume(decibels: 2))
        batch.append(.volume(decibels: -2))
        #expect(commands(in: batch).isEmpty, "steps that cancel out leave nothing to do")
    }

    @Test func takingMovesEverythingSentAndEmptiesTheQueue() {
        let queue = CommandQueue()
        queue.send(.stop)
        queue.send(.extend)
        queue.send(.volume(decibels: -3))
        var batch = CommandBatch()
        batch.append(.pause)
        #expect(queue.take(into: &batch))
        #expect(commands(in: batch) == [.pause, .extend, .volume(decibels: -3), .stop])
        var next = CommandBatch()
        #expect(queue.take(into: &next))
        #expect(commands(in: next).isEmpty)
    }
}
