import AudioIO
import Foundation
import Planning
import Player
import PsoasTestSupport
import Testing

/// The transport, driven block by block with no device: every command's effect on the samples,
/// at each supported rate and with fixed, odd and random block sizes (``EngineCase/all``).
@Suite struct PlaybackEngineTests {
    @Test(arguments: EngineCase.all)
    func anUninterruptedPlayIsTheExportBitForBit(_ test: EngineCase) throws {
        let (engine, _, _) = try test.engine()
        var driver = test.driver(engine)
        let played = driver.runToEnd()
        let exported = try test.exported()
        #expect(played.count == exported.count)
        let firstDifference = (0..<min(played.count, exported.count)).first { played[$0] != exported[$0] }
        #expect(firstDifference == nil, "first differs at frame \(firstDifference ?? -1)")
        #expect(engine.snapshot.completed)
    }

    @Test(arguments: EngineCase.all)
    func pauseFadesToSilenceWithin20msAndResumeRestartsTheBreathCycle(_ test: EngineCase) throws {
        let (engine, timeline, _) = try test.engine()
        var driver = test.driver(engine)
        let breathe = timeline.steps[1]
        driver.run(until: breathe.start + Int64(test.frames(12)))   // 2 s into the second cycle's inhale
        engine.send(.pause)
        let fading = driver.run(frames: driver.period + test.fadeFrames)
        let after = driver.run(frames: test.frames(1))
        #expect(engine.snapshot.mode == .paused)
        #expect(after.allSatisfy { $0 == 0 }, "silent while paused")
        #expect(fading.suffix(100).allSatisfy { abs($0) < 40 }, "the fade reached silence within 20 ms")
        #expect(zip(fading, fading.dropFirst()).allSatisfy { abs(Int($0) - Int($1)) < 1000 }, "no click")
        engine.send(.resume)
        let resumed = driver.run(frames: driver.period)
        #expect(engine.snapshot.mode == .playing)
        let cycleStart = breathe.start + Int64(test.frames(10))
        #expect(engine.snapshot.position == cycleStart + Int64(driver.period), "resume restarts the breath cycle")
        #expect(abs(Int(resumed.first ?? 0)) < 40, "resume fades in")
        #expect(engine.snapshot.pauses == 1 && engine.snapshot.resumes == 1)
    }

    @Test(arguments: EngineCase.all)
    func aResumeDuringThePausesFadeCancelsThePause(_ test: EngineCase) throws {
        let (engine, timeline, _) = try test.engine()
        var driver = test.driver(engine)
        driver.run(until: timeline.steps[1].start + Int64(test.frames(2)))
        engine.send(.pause)
        driver.run(frames: driver.period)
        engine.send(.resume)
        let after = driver.run(frames: test.frames(1))
        #expect(engine.snapshot.mode == .playing)
        #expect(engine.snapshot.pauses == 0)
        #expect(rms(after.suffix(test.frames(0.5))) > 100, "it kept playing")
        #expect(zip(after, after.dropFirst()).allSatisfy { abs(Int($0) - Int($1)) < 1000 }, "no click")
    }

    @Test(arguments: EngineCase.all)
    func nextSkipsToTheNextStepAndBackRestartsOrGoesBack(_ test: EngineCase) throws {
        let (engine, timeline, _) = try test.engine()
        var driver = test.driver(engine)
        driver.run(until: timeline.steps[1].start + Int64(test.frames(3)))
        engine.send(.next)
        driver.run(frames: driver.period * 4)
        #expect(engine.snapshot.step == 2)
        #expect(engine.snapshot.position < timeline.steps[2].start + Int64(driver.period * 3))
        driver.run(until: timeline.steps[2].start + Int64(test.frames(2.1)))
        engine.send(.back)
        driver.run(frames: driver.period * 4)
        #expect(engine.snapshot.step == 2, "more than 2 s into a step, back restarts it")
        engine.send(.back)
        driver.run(frames: driver.period * 4)
        #expect(engine.snapshot.step == 1, "within its first 2 s, back goes to the step before")
        #expect(engine.snapshot.skips == 3)
    }

    @Test(arguments: EngineCase.all)
    func extendLengthensTheHoldByExactlyOneCycle(_ test: EngineCase) throws {
        let (engine, timeline, _) = try test.engine()
        var driver = test.driver(engine)
        let hold = try #require(timeline.steps.firstIndex { $0.isHold })
        driver.run(until: timeline.steps[hold].start + Int64(test.frames(3)))
        engine.send(.extend)
        let played = driver.runToEnd()
        let cycle = test.frames(10)   // 4-6
        #expect(played.count == Int(timeline.frameCount) + cycle)
        #expect(engine.snapshot.extends == 1)
        #expect(engine.snapshot.completed)
        // Everything after the hold is the export's audio, one cycle later.
        let exported = try test.exported()
        let tail = Int(timeline.steps[hold].end)
        #expect(Array(played[(tail + cycle)...]) == Array(exported[tail...]))
    }

    @Test(arguments: EngineCase.all)
    func extendOutsideABreathingStepDoesNothing(_ test: EngineCase) throws {
        let (engine, timeline, _) = try test.engine()
        var driver = test.driver(engine)
        driver.run(frames: test.frames(0.1))
        engine.send(.extend)
        #expect(driver.runToEnd().count == Int(timeline.frameCount))
        #expect(engine.snapshot.extends == 0)
    }

    @Test(arguments: EngineCase.all)
    func safetyStopSaysReleaseThePressureThenPauses(_ test: EngineCase) throws {
        let (engine, timeline, safety) = try test.engine()
        var driver = test.driver(engine)
        driver.run(until: timeline.steps[1].start + Int64(test.frames(2)))
        engine.send(.safety)
        driver.run(frames: driver.period)
        let spoken = driver.run(frames: safety.count + test.fadeFrames + driver.period)
        let expected = safety.map { Int16(($0 * 32_767).rounded()) }
        // The cue follows the 20 ms fade-out: find where its first 50 ms match.
        let start = try #require((spoken.startIndex..<spoken.startIndex + test.frames(1.0 / 12)).first { offset in
            (0..<test.frames(0.05)).allSatisfy { abs(Int(spoken[offset + $0]) - Int(expected[$0])) <= 1 }
        })
        let heard = Array(spoken[start..<min(spoken.endIndex, start + expected.count)])
        #expect(heard.count == expected.count)
        #expect(zip(heard, expected).allSatisfy { abs(Int($0) - Int($1)) <= 1 }, "the safety cue is spoken as recorded")
        #expect(engine.snapshot.mode == .paused)
        #expect(driver.run(frames: test.frames(0.1)).allSatisfy { $0 == 0 })
        #expect(engine.snapshot.safetyStops == 1)
    }

    @Test(arguments: EngineCase.all)
    func volumeStepsChangeTheLevelByTheirDecibels(_ test: EngineCase) throws {
        let (engine, timeline, _) = try test.engine()
        var driver = test.driver(engine)
        driver.run(until: timeline.steps[1].start + Int64(test.frames(0.1)))
        let window = test.frames(0.2)
        let before = driver.run(frames: window)
        engine.send(.volume(decibels: -6))
        driver.run(frames: test.frames(0.1))
        let after = driver.run(frames: window)
        let exported = try test.exported()
        let start = after.startIndex
        let reference = exported[start..<start + window]
        let ratio = 20 * log10(rms(after) / rms(reference))
        #expect(abs(ratio - -6) < 0.2, "volume -6 dB measured \(ratio) dB")
        #expect(rms(before) > 0)
        #expect(engine.snapshot.volumeDecibels == -6)
    }

    @Test(arguments: EngineCase.all)
    func theLoudestVolumeNeverReachesFullScaleAndStillRaisesQuietPassagesBy12dB(_ test: EngineCase) throws {
        let (engine, timeline, safety) = try test.engine()
        var driver = test.driver(engine)
        engine.send(.volume(decibels: 12))
        let played = driver.runToEnd()
        #expect(played.count == Int(timeline.frameCount))
        let clipped = played.filter { $0 >= 32_767 || $0 <= -32_767 }.count
        #expect(clipped == 0, "\(clipped) samples at full scale")
        let truePeak = try Loudness.measure(MonoAudio(samples: played.map { Float($0) / 32_768 },
                                                      sampleRate: test.sampleRate)).truePeakDecibels
        #expect(truePeak <= -1.0, "true peak \(truePeak) dBTP at +12 dB")
        // A quiet passage (tones only, well under the ceiling) is exactly 12 dB louder.
        let exported = try test.exported()
        let window = test.frames(0.2)
        let second = test.frames(1)
        // (After a second of quiet too: the limiter's release after a loud cue is over by then.)
        let quiet = try #require(stride(from: second, to: exported.count - window, by: window).first { start in
            rms(exported[start..<start + window]) > 100
                && exported[(start - second)..<(start + window)].allSatisfy { abs(Int($0)) < 6_000 }
        })
        let gain = 20 * log10(rms(played[quiet..<quiet + window]) / rms(exported[quiet..<quiet + window]))
        #expect(abs(gain - 12) < 0.1, "a quiet passage got \(gain) dB")
        #expect(played.contains { abs(Int($0)) > 27_000 }, "loud passages reach the limiter's ceiling")

        // The safety cue at +12 dB goes through the same ceiling.
        let (loud, _, _) = try test.engine()
        var loudDriver = test.driver(loud)
        loud.send(.volume(decibels: 12))
        loudDriver.run(frames: second)
        loud.send(.safety)
        let spoken = loudDriver.run(frames: safety.count + test.fadeFrames + 2 * loudDriver.period)
        #expect(loud.snapshot.safetyStops == 1)
        #expect(!spoken.contains { $0 >= 32_767 || $0 <= -32_767 }, "the safety cue at +12 dB clipped")
        #expect(spoken.contains { abs(Int($0)) > 27_000 })
    }

    @Test(arguments: EngineCase.all)
    func aSafetyStopOrStopIsNeverPushedOutByABurstOfCommands(_ test: EngineCase) throws {
        let (engine, timeline, safety) = try test.engine()
        var driver = test.driver(engine)
        driver.run(until: timeline.steps[1].start + Int64(test.frames(2)))
        engine.send(.safety)
        for _ in 0..<1_000 { engine.send(.volume(decibels: -0.01)) }
        for _ in 0..<100 { engine.send(.extend) }
        driver.run(frames: driver.period + test.fadeFrames + safety.count + driver.period)
        #expect(engine.snapshot.safetyStops == 1, "the safety cue followed")
        #expect(engine.snapshot.mode == .paused)
        #expect(abs(engine.snapshot.volumeDecibels - -10) < 0.001, "every volume step counted")

        let (stopping, _, _) = try test.engine()
        var stopDriver = test.driver(stopping)
        stopDriver.run(until: timeline.steps[1].start + Int64(test.frames(2)))
        stopping.send(.stop)
        for _ in 0..<1_000 { stopping.send(.volume(decibels: 0.01)) }
        for _ in 0..<100 { stopping.send(.next) }
        stopDriver.run(frames: test.frames(1))
        #expect(stopping.snapshot.mode == .finished, "the stop won")
        #expect(!stopping.snapshot.completed)
    }

    @Test(arguments: EngineCase.all)
    func aStopUnderWayStaysAStop(_ test: EngineCase) throws {
        let (engine, timeline, _) = try test.engine()
        var driver = test.driver(engine)
        driver.run(until: timeline.steps[1].start + Int64(test.frames(2)))
        engine.send(.stop)
        driver.run(frames: driver.period)
        engine.send(.next)
        engine.send(.safety)
        driver.run(frames: test.frames(1))
        #expect(engine.snapshot.mode == .finished, "the stop was not undone")
        #expect(engine.snapshot.safetyStops == 0)
    }

    @Test(arguments: EngineCase.all)
    func resumeAfterASafetyStopInAWaitGoesOnFromTheWait(_ test: EngineCase) throws {
        let (engine, timeline, safety) = try test.engine(waits: true)
        var driver = test.driver(engine)
        let wait = try #require(timeline.steps.firstIndex { $0.isWait })
        driver.run(until: timeline.steps[wait].start + Int64(test.frames(0.1)))
        for _ in 0..<1_000 where engine.snapshot.mode != .waiting { driver.run(frames: driver.period) }
        let held = engine.snapshot.position
        engine.send(.safety)
        driver.run(frames: safety.count + 4 * driver.period)
        #expect(engine.snapshot.mode == .paused)
        engine.send(.resume)
        driver.run(frames: driver.period)
        #expect(engine.snapshot.step == wait, "resumed in the wait's step, not at \(engine.snapshot.step)")
        #expect(engine.snapshot.position >= held && engine.snapshot.position < held + Int64(test.frames(1)))
    }

    @Test(arguments: EngineCase.all)
    func playedTimeLeavesOutPausesAndCoverageLeavesOutSkips(_ test: EngineCase) throws {
        let (engine, timeline, _) = try test.engine()
        var driver = test.driver(engine)
        driver.run(frames: test.frames(1))
        engine.send(.pause)
        let pause = test.frames(5)
        driver.run(frames: pause)
        #expect(engine.snapshot.mode == .paused)
        engine.send(.resume)
        let total = driver.runToEnd().count
        let snapshot = engine.snapshot
        #expect(snapshot.completed)
        let pausedFrames = Int64(total) - snapshot.playedFrames
        #expect(pausedFrames >= Int64(pause - test.fadeFrames - 2 * driver.period) && pausedFrames <= Int64(pause + driver.period),
                "played \(snapshot.playedFrames) of \(total) frames produced")
        #expect(snapshot.coveredFrames >= timeline.frameCount, "resume replays from the cycle start")

        let (skipping, _, _) = try test.engine()
        var skipDriver = test.driver(skipping)
        while skipping.snapshot.mode != .finished {
            skipping.send(.next)
            skipDriver.run(frames: test.frames(0.1))
        }
        #expect(skipping.snapshot.completed, "skipped through to the end")
        #expect(skipping.snapshot.coveredFrames < timeline.frameCount / 4, "covered \(skipping.snapshot.coveredFrames)")
    }

    @Test(arguments: EngineCase.all)
    func aWaitHoldsUntilContinueThenGoesOnToTheNextStep(_ test: EngineCase) throws {
        let (engine, timeline, _) = try test.engine(waits: true)
        var driver = test.driver(engine)
        let wait = try #require(timeline.steps.firstIndex { $0.isWait })
        driver.run(until: timeline.steps[wait].start + Int64(test.frames(0.1)))
        for _ in 0..<1_000 where engine.snapshot.mode != .waiting { driver.run(frames: driver.period) }
        #expect(engine.snapshot.mode == .waiting)
        let cueEnd = try #require(timeline.events.first {
            if case .voice = $0.kind { $0.start == timeline.steps[wait].start } else { false }
        }?.end)
        #expect(engine.snapshot.position == cueEnd, "it waits right after the step's cue")
        driver.run(frames: test.frames(10))
        #expect(engine.snapshot.mode == .waiting)
        #expect(driver.run(frames: test.frames(1)).allSatisfy { $0 == 0 })
        engine.send(.continueWait)
        // The wait's sound fades out over 20 ms first.
        driver.run(frames: driver.period * 3)
        #expect(engine.snapshot.mode == .playing)
        #expect(engine.snapshot.step == wait + 1)
        #expect(engine.snapshot.waitsStarted == 1)
    }

    @Test(arguments: EngineCase.all)
    func theAmbienceGoesOnThroughAWaitAndSettles(_ test: EngineCase) throws {
        let (engine, timeline, _) = try test.engine(waits: true, ambience: .surf)
        var driver = test.driver(engine)
        let wait = try #require(timeline.steps.firstIndex { $0.isWait })
        driver.run(until: timeline.steps[wait].start + Int64(test.frames(0.1)))
        for _ in 0..<1_000 where engine.snapshot.mode != .waiting { driver.run(frames: driver.period) }
        #expect(engine.snapshot.mode == .waiting)
        let before = driver.produced.count
        let held = Array(driver.run(frames: test.frames(6)))
        #expect(engine.snapshot.mode == .waiting)
        var run = 0, longest = 0
        for sample in held {
            run = sample == 0 ? run + 1 : 0
            longest = max(longest, run)
        }
        #expect(longest < test.frames(0.001), "\(longest) exact zeros in a row while waiting")
        let settled = rms(held[test.frames(3)...])
        #expect(settled > 100 && settled < 1_500, "the bed while waiting: rms \(settled)")
        // Into the wait the noise goes on where it was: no step larger than the noise's own.
        let reach = test.frames(0.005)
        let join = driver.produced[(before - reach)..<(before + reach)]
        let largestAtJoin = zip(join, join.dropFirst()).map { abs(Int($1) - Int($0)) }.max() ?? 0
        let later = held[test.frames(4)...]
        let largestLater = zip(later, later.dropFirst()).map { abs(Int($1) - Int($0)) }.max() ?? 0
        #expect(largestAtJoin <= 2 * max(largestLater, 1), "a step of \(largestAtJoin) into the wait (\(largestLater) later)")
        // Leaving the wait fades the bed out (20 ms) before the next step fades in: no cut.
        let beforeLeaving = driver.produced.count
        engine.send(.continueWait)
        driver.run(frames: driver.period * 4)
        let leaving = driver.produced[(beforeLeaving - 1)..<(beforeLeaving + test.frames(0.029))]
        let largestLeaving = zip(leaving, leaving.dropFirst()).map { abs(Int($1) - Int($0)) }.max() ?? 0
        #expect(largestLeaving <= max(largestLater, 1), "a step of \(largestLeaving) leaving the wait (\(largestLater) in it)")
        #expect(leaving.contains { abs(Int($0)) <= 2 }, "faded out before the next step")
        #expect(engine.snapshot.mode == .playing)
        #expect(engine.snapshot.step == wait + 1)
    }

    @Test(arguments: EngineCase.all)
    func aWaitGoesOnByItselfAfterItsLongest(_ test: EngineCase) throws {
        let (engine, timeline, _) = try test.engine(waits: true, maximumWait: 1)
        var driver = test.driver(engine)
        let played = driver.runToEnd()
        let waitStep = try #require(timeline.steps.first { $0.isWait })
        let cueEnd = try #require(timeline.events.first { if case .voice = $0.kind { $0.start == waitStep.start } else { false } }?.end)
        // Played: up to the cue's end, one second of waiting and the 20 ms fade out of it, then
        // from the wait's end. The wait ends at the end of the block it reaches its longest in.
        let expected = Int(cueEnd) + test.frames(1) + test.fadeFrames + Int(timeline.frameCount - waitStep.end)
        #expect(played.count >= expected && played.count - expected <= test.blocks.largest,
                "played \(played.count) frames, expected \(expected) and up to a block more")
        #expect(engine.snapshot.completed)
    }

    @Test(arguments: EngineCase.all)
    func stopFadesOutAndEnds(_ test: EngineCase) throws {
        let (engine, timeline, _) = try test.engine()
        var driver = test.driver(engine)
        driver.run(until: timeline.steps[1].start + Int64(test.frames(2)))
        engine.send(.stop)
        let tail = driver.run(frames: test.frames(1))
        #expect(engine.snapshot.mode == .finished)
        #expect(!engine.snapshot.completed)
        #expect(tail.count <= driver.period + test.fadeFrames)
        #expect(abs(Int(tail.last ?? 0)) < 40)
    }
}
