import AudioIO
import Foundation
import Player
import PsoasTestSupport
import Testing
import Planning

/// The transport, driven block by block with no device: every command's effect on the samples.
@Suite struct PlaybackEngineTests {
    let fadeFrames = 960

    @Test func anUninterruptedPlayIsTheExportBitForBit() throws {
        let (engine, _, _) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        let played = driver.runToEnd()
        #expect(played == (try EngineFixture.exported()))
        #expect(engine.snapshot.completed)
    }

    @Test func pauseFadesToSilenceWithin20msAndResumeRestartsTheBreathCycle() throws {
        let (engine, timeline, _) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        let breathe = timeline.steps[1]
        driver.run(until: breathe.start + 48_000 * 12)   // 2 s into the second cycle's inhale
        engine.send(.pause)
        let fading = driver.run(frames: driver.block + fadeFrames)
        let after = driver.run(frames: 48_000)
        #expect(engine.snapshot.mode == .paused)
        #expect(after.allSatisfy { $0 == 0 }, "silent while paused")
        #expect(fading.suffix(100).allSatisfy { abs($0) < 40 }, "the fade reached silence within 20 ms")
        #expect(zip(fading, fading.dropFirst()).allSatisfy { abs(Int($0) - Int($1)) < 1000 }, "no click")
        engine.send(.resume)
        let resumed = driver.run(frames: driver.block)
        #expect(engine.snapshot.mode == .playing)
        let cycleStart = breathe.start + 48_000 * 10
        #expect(engine.snapshot.position == cycleStart + Int64(driver.block), "resume restarts the breath cycle")
        #expect(abs(Int(resumed.first ?? 0)) < 40, "resume fades in")
        #expect(engine.snapshot.pauses == 1 && engine.snapshot.resumes == 1)
    }

    @Test func aResumeDuringThePausesFadeCancelsThePause() throws {
        let (engine, timeline, _) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        driver.run(until: timeline.steps[1].start + 48_000 * 2)
        engine.send(.pause)
        driver.run(frames: driver.block)
        engine.send(.resume)
        let after = driver.run(frames: 48_000)
        #expect(engine.snapshot.mode == .playing)
        #expect(engine.snapshot.pauses == 0)
        #expect(rms(after.suffix(24_000)) > 100, "it kept playing")
        #expect(zip(after, after.dropFirst()).allSatisfy { abs(Int($0) - Int($1)) < 1000 }, "no click")
    }

    @Test func nextSkipsToTheNextStepAndBackRestartsOrGoesBack() throws {
        let (engine, timeline, _) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        driver.run(until: timeline.steps[1].start + 48_000 * 3)
        engine.send(.next)
        driver.run(frames: driver.block * 4)
        #expect(engine.snapshot.step == 2)
        #expect(engine.snapshot.position < timeline.steps[2].start + Int64(driver.block * 3))
        driver.run(until: timeline.steps[2].start + 48_000 * 2 + 4_800)
        engine.send(.back)
        driver.run(frames: driver.block * 4)
        #expect(engine.snapshot.step == 2, "more than 2 s into a step, back restarts it")
        engine.send(.back)
        driver.run(frames: driver.block * 4)
        #expect(engine.snapshot.step == 1, "within its first 2 s, back goes to the step before")
        #expect(engine.snapshot.skips == 3)
    }

    @Test func extendLengthensTheHoldByExactlyOneCycle() throws {
        let (engine, timeline, _) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        let hold = try #require(timeline.steps.firstIndex { $0.kind == .hold })
        driver.run(until: timeline.steps[hold].start + 48_000 * 3)
        engine.send(.extend)
        let played = driver.runToEnd()
        #expect(played.count == Int(timeline.frameCount) + 48_000 * 10)
        #expect(engine.snapshot.extends == 1)
        #expect(engine.snapshot.completed)
        // Everything after the hold is the export's audio, one cycle later.
        let exported = try EngineFixture.exported()
        let tail = Int(timeline.steps[hold].end)
        #expect(Array(played[(tail + 480_000)...]) == Array(exported[tail...]))
    }

    @Test func extendOutsideABreathingStepDoesNothing() throws {
        let (engine, timeline, _) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        driver.run(frames: 4_800)
        engine.send(.extend)
        #expect(driver.runToEnd().count == Int(timeline.frameCount))
        #expect(engine.snapshot.extends == 0)
    }

    @Test func safetyStopSaysReleaseThePressureThenPauses() throws {
        let (engine, timeline, safety) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        driver.run(until: timeline.steps[1].start + 48_000 * 2)
        engine.send(.safety)
        driver.run(frames: driver.block)
        let spoken = driver.run(frames: safety.count + fadeFrames + driver.block)
        let expected = safety.map { Int16(($0 * 32_767).rounded()) }
        // The cue follows the 20 ms fade-out: find where its first 50 ms match.
        let start = try #require((spoken.startIndex..<spoken.startIndex + 4_000).first { offset in
            (0..<2_400).allSatisfy { abs(Int(spoken[offset + $0]) - Int(expected[$0])) <= 1 }
        })
        let heard = Array(spoken[start..<min(spoken.endIndex, start + expected.count)])
        #expect(heard.count == expected.count)
        #expect(zip(heard, expected).allSatisfy { abs(Int($0) - Int($1)) <= 1 }, "the safety cue is spoken as recorded")
        #expect(engine.snapshot.mode == .paused)
        #expect(driver.run(frames: 4_800).allSatisfy { $0 == 0 })
        #expect(engine.snapshot.safetyStops == 1)
    }

    @Test func volumeStepsChangeTheLevelByTheirDecibels() throws {
        let (engine, timeline, _) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        driver.run(until: timeline.steps[1].start + 4_800)
        let before = driver.run(frames: 9_600)
        engine.send(.volume(decibels: -6))
        driver.run(frames: 4_800)
        let after = driver.run(frames: 9_600)
        let exported = try EngineFixture.exported()
        let start = after.startIndex
        let reference = exported[start..<start + 9_600]
        let ratio = 20 * log10(rms(after) / rms(reference))
        #expect(abs(ratio - -6) < 0.2, "volume -6 dB measured \(ratio) dB")
        #expect(rms(before) > 0)
        #expect(engine.snapshot.volumeDecibels == -6)
    }

    @Test func theLoudestVolumeNeverReachesFullScaleAndStillRaisesQuietPassagesBy12dB() throws {
        let (engine, timeline, safety) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        engine.send(.volume(decibels: 12))
        let played = driver.runToEnd()
        #expect(played.count == Int(timeline.frameCount))
        let clipped = played.filter { $0 >= 32_767 || $0 <= -32_767 }.count
        #expect(clipped == 0, "\(clipped) samples at full scale")
        let truePeak = try Loudness.measure(MonoAudio(samples: played.map { Float($0) / 32_768 }, sampleRate: 48_000)).truePeakDecibels
        #expect(truePeak <= -1.0, "true peak \(truePeak) dBTP at +12 dB")
        // A quiet passage (tones only, well under the ceiling) is exactly 12 dB louder.
        let exported = try EngineFixture.exported()
        let window = 9_600
        // (After a second of quiet too: the limiter's release after a loud cue is over by then.)
        let quiet = try #require(stride(from: 48_000, to: exported.count - window, by: window).first { start in
            rms(exported[start..<start + window]) > 100
                && exported[(start - 48_000)..<(start + window)].allSatisfy { abs(Int($0)) < 6_000 }
        })
        let gain = 20 * log10(rms(played[quiet..<quiet + window]) / rms(exported[quiet..<quiet + window]))
        #expect(abs(gain - 12) < 0.1, "a quiet passage got \(gain) dB")
        #expect(played.contains { abs(Int($0)) > 27_000 }, "loud passages reach the limiter's ceiling")

        // The safety cue at +12 dB goes through the same ceiling.
        let (loud, _, _) = try EngineFixture.engine()
        var loudDriver = Driver(engine: loud)
        loud.send(.volume(decibels: 12))
        loudDriver.run(frames: 48_000)
        loud.send(.safety)
        let spoken = loudDriver.run(frames: safety.count + fadeFrames + 2 * loudDriver.block)
        #expect(loud.snapshot.safetyStops == 1)
        #expect(!spoken.contains { $0 >= 32_767 || $0 <= -32_767 }, "the safety cue at +12 dB clipped")
        #expect(spoken.contains { abs(Int($0)) > 27_000 })
    }

    @Test func aSafetyStopOrStopIsNeverPushedOutByABurstOfCommands() throws {
        let (engine, timeline, safety) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        driver.run(until: timeline.steps[1].start + 48_000 * 2)
        engine.send(.safety)
        for _ in 0..<1_000 { engine.send(.volume(decibels: -0.01)) }
        for _ in 0..<100 { engine.send(.extend) }
        driver.run(frames: driver.block + fadeFrames + safety.count + driver.block)
        #expect(engine.snapshot.safetyStops == 1, "the safety cue followed")
        #expect(engine.snapshot.mode == .paused)
        #expect(abs(engine.snapshot.volumeDecibels - -10) < 0.001, "every volume step counted")

        let (stopping, _, _) = try EngineFixture.engine()
        var stopDriver = Driver(engine: stopping)
        stopDriver.run(until: timeline.steps[1].start + 48_000 * 2)
        stopping.send(.stop)
        for _ in 0..<1_000 { stopping.send(.volume(decibels: 0.01)) }
        for _ in 0..<100 { stopping.send(.next) }
        stopDriver.run(frames: 48_000)
        #expect(stopping.snapshot.mode == .finished, "the stop won")
        #expect(!stopping.snapshot.completed)
    }

    @Test func aStopUnderWayStaysAStop() throws {
        let (engine, timeline, _) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        driver.run(until: timeline.steps[1].start + 48_000 * 2)
        engine.send(.stop)
        driver.run(frames: driver.block)
        engine.send(.next)
        engine.send(.safety)
        driver.run(frames: 48_000)
        #expect(engine.snapshot.mode == .finished, "the stop was not undone")
        #expect(engine.snapshot.safetyStops == 0)
    }

    @Test func resumeAfterASafetyStopInAWaitGoesOnFromTheWait() throws {
        let (engine, timeline, safety) = try EngineFixture.engine(waits: true)
        var driver = Driver(engine: engine)
        let wait = try #require(timeline.steps.firstIndex { $0.kind == .wait })
        driver.run(until: timeline.steps[wait].start + 4_800)
        for _ in 0..<1_000 where engine.snapshot.mode != .waiting { driver.run(frames: driver.block) }
        let held = engine.snapshot.position
        engine.send(.safety)
        driver.run(frames: safety.count + 4 * driver.block)
        #expect(engine.snapshot.mode == .paused)
        engine.send(.resume)
        driver.run(frames: driver.block)
        #expect(engine.snapshot.step == wait, "resumed in the wait's step, not at \(engine.snapshot.step)")
        #expect(engine.snapshot.position >= held && engine.snapshot.position < held + 48_000)
    }

    @Test func playedTimeLeavesOutPausesAndCoverageLeavesOutSkips() throws {
        let (engine, timeline, _) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        driver.run(frames: 48_000)
        engine.send(.pause)
        driver.run(frames: 48_000 * 5)
        #expect(engine.snapshot.mode == .paused)
        engine.send(.resume)
        let total = driver.runToEnd().count
        let snapshot = engine.snapshot
        #expect(snapshot.completed)
        let pausedFrames = Int64(total) - snapshot.playedFrames
        #expect(pausedFrames >= 48_000 * 5 - Int64(fadeFrames + 2 * driver.block) && pausedFrames <= 48_000 * 5 + Int64(driver.block),
                "played \(snapshot.playedFrames) of \(total) frames produced")
        #expect(snapshot.coveredFrames >= timeline.frameCount, "resume replays from the cycle start")

        let (skipping, _, _) = try EngineFixture.engine()
        var skipDriver = Driver(engine: skipping)
        while skipping.snapshot.mode != .finished {
            skipping.send(.next)
            skipDriver.run(frames: 4_800)
        }
        #expect(skipping.snapshot.completed, "skipped through to the end")
        #expect(skipping.snapshot.coveredFrames < timeline.frameCount / 4, "covered \(skipping.snapshot.coveredFrames)")
    }

    @Test func aWaitHoldsUntilContinueThenGoesOnToTheNextStep() throws {
        let (engine, timeline, _) = try EngineFixture.engine(waits: true)
        var driver = Driver(engine: engine)
        let wait = try #require(timeline.steps.firstIndex { $0.kind == .wait })
        driver.run(until: timeline.steps[wait].start + 4_800)
        for _ in 0..<1_000 where engine.snapshot.mode != .waiting { driver.run(frames: driver.block) }
        #expect(engine.snapshot.mode == .waiting)
        let cueEnd = try #require(timeline.events.first {
            if case .voice = $0.kind { $0.start == timeline.steps[wait].start } else { false }
        }?.end)
        #expect(engine.snapshot.position == cueEnd, "it waits right after the step's cue")
        driver.run(frames: 48_000 * 10)
        #expect(engine.snapshot.mode == .waiting)
        #expect(driver.run(frames: 48_000).allSatisfy { $0 == 0 })
        engine.send(.continueWait)
        // The wait's sound fades out over 20 ms first.
        driver.run(frames: driver.block * 3)
        #expect(engine.snapshot.mode == .playing)
        #expect(engine.snapshot.step == wait + 1)
        #expect(engine.snapshot.waitsStarted == 1)
    }

    @Test func theAmbienceGoesOnThroughAWaitAndSettles() throws {
        let (engine, timeline, _) = try EngineFixture.engine(waits: true, ambience: .surf)
        var driver = Driver(engine: engine)
        let wait = try #require(timeline.steps.firstIndex { $0.kind == .wait })
        driver.run(until: timeline.steps[wait].start + 4_800)
        for _ in 0..<1_000 where engine.snapshot.mode != .waiting { driver.run(frames: driver.block) }
        #expect(engine.snapshot.mode == .waiting)
        let before = driver.produced.count
        let held = Array(driver.run(frames: 48_000 * 6))
        #expect(engine.snapshot.mode == .waiting)
        var run = 0, longest = 0
        for sample in held {
            run = sample == 0 ? run + 1 : 0
            longest = max(longest, run)
        }
        #expect(longest < 48, "\(longest) exact zeros in a row while waiting")
        let settled = rms(held[(48_000 * 3)...])
        #expect(settled > 100 && settled < 1_500, "the bed while waiting: rms \(settled)")
        // Into the wait the noise goes on where it was: no step larger than the noise's own.
        let join = driver.produced[(before - 240)..<(before + 240)]
        let largestAtJoin = zip(join, join.dropFirst()).map { abs(Int($1) - Int($0)) }.max() ?? 0
        let later = held[(48_000 * 4)...]
        let largestLater = zip(later, later.dropFirst()).map { abs(Int($1) - Int($0)) }.max() ?? 0
        #expect(largestAtJoin <= 2 * max(largestLater, 1), "a step of \(largestAtJoin) into the wait (\(largestLater) later)")
        // Leaving the wait fades the bed out (20 ms) before the next step fades in: no cut.
        let beforeLeaving = driver.produced.count
        engine.send(.continueWait)
        driver.run(frames: driver.block * 4)
        let leaving = driver.produced[(beforeLeaving - 1)..<(beforeLeaving + 1_400)]
        let largestLeaving = zip(leaving, leaving.dropFirst()).map { abs(Int($1) - Int($0)) }.max() ?? 0
        #expect(largestLeaving <= max(largestLater, 1), "a step of \(largestLeaving) leaving the wait (\(largestLater) in it)")
        #expect(leaving.contains { abs(Int($0)) <= 2 }, "faded out before the next step")
        #expect(engine.snapshot.mode == .playing)
        #expect(engine.snapshot.step == wait + 1)
    }

    @Test func aWaitGoesOnByItselfAfterItsLongest() throws {
        let (engine, timeline, _) = try EngineFixture.engine(waits: true, maximumWait: 1)
        var driver = Driver(engine: engine)
        let played = driver.runToEnd()
        let waitStep = try #require(timeline.steps.first { $0.kind == .wait })
        let cueEnd = try #require(timeline.events.first { if case .voice = $0.kind { $0.start == waitStep.start } else { false } }?.end)
        // Played: up to the cue's end, one second of waiting and the 20 ms fade out of it, then
        // from the wait's end.
        let expected = Int(cueEnd) + 48_000 + fadeFrames + Int(timeline.frameCount - waitStep.end)
        #expect(abs(played.count - expected) <= 480)
        #expect(engine.snapshot.completed)
    }

    @Test func stopFadesOutAndEnds() throws {
        let (engine, timeline, _) = try EngineFixture.engine()
        var driver = Driver(engine: engine)
        driver.run(until: timeline.steps[1].start + 48_000 * 2)
        engine.send(.stop)
        let tail = driver.run(frames: 48_000)
        #expect(engine.snapshot.mode == .finished)
        #expect(!engine.snapshot.completed)
        #expect(tail.count <= driver.block + fadeFrames)
        #expect(abs(Int(tail.last ?? 0)) < 40)
    }
}

@Suite struct ControlAndKeyTests {
    @Test func theSocketProtocolParsesEveryCommand() throws {
        let cases: [(String, ControlProtocol.Request)] = [
            ("pause", .command(.pause)), ("resume", .command(.resume)), ("toggle", .command(.toggle)),
            ("next", .command(.next)), ("back", .command(.back)), ("extend", .command(.extend)),
            ("continue", .command(.continueWait)), ("safety", .command(.safety)), ("stop", .command(.stop)),
            ("volume +3", .command(.volume(decibels: 3))), ("volume -6", .command(.volume(decibels: -6))),
            ("status", .status), ("  PAUSE \r", .command(.pause)),
        ]
        for (line, request) in cases {
            #expect(try ControlProtocol.parse(line).get() == request, "\(line)")
        }
        for bad in ["", "jump", "volume", "volume loud", "volume +1000", "pause now"] {
            if case .success = ControlProtocol.parse(bad) { Issue.record("'\(bad)' was accepted") }
        }
    }

    @Test func aVolumeChangeLeavingTheRangeIsRefusedNotLimited() {
        #expect(ControlProtocol.volumeProblem(change: 12, current: 0) == nil)
        #expect(ControlProtocol.volumeProblem(change: -30, current: 0) == nil)
        #expect(ControlProtocol.volumeProblem(change: 3, current: 12)
            == "volume +3: the volume is +12 dB and stays within -30…+12 dB; it is already there")
        #expect(ControlProtocol.volumeProblem(change: -6, current: -27)
            == "volume -6: the volume is -27 dB and stays within -30…+12 dB; at most volume -3 now")
    }

    @Test func keysMapToCommandsWithClosedEyes() {
        #expect(KeyMap.actions(for: Array(" ".utf8)) == [.command(.toggle)])
        #expect(KeyMap.actions(for: [0x0D]) == [.command(.continueWait)])
        #expect(KeyMap.actions(for: [0x1B, 0x5B, 0x43, 0x1B, 0x5B, 0x44]) == [.command(.next), .command(.back)])
        #expect(KeyMap.actions(for: [0x1B, 0x5B, 0x41, 0x1B, 0x5B, 0x42]) == [.command(.volume(decibels: 3)), .command(.volume(decibels: -3))])
        #expect(KeyMap.actions(for: Array("+xq?".utf8)) == [.command(.extend), .command(.safety), .command(.stop), .help])
    }
}
