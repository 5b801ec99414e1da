import BreathSensing
import Foundation
import PsoasTestSupport
import Testing

/// Breath phases found in a synthetic breather's noise, and how late.
@Suite struct BreathDetectionTests {
    static let rate = 16_000

    /// Feeds `samples` in blocks of `blockFrameCount` (a capture period); returns every change.
    static func detect(_ samples: [Float], played: [Float]? = nil, blockFrameCount: Int = 160,
                       rate: Int = rate) -> (changes: [BreathChange], sensor: BreathSensor) {
        var sensor = BreathSensor(sampleRate: rate)
        var changes: [BreathChange] = []
        var start = 0
        while start < samples.count {
            let end = min(samples.count, start + blockFrameCount)
            changes += sensor.process(Array(samples[start..<end]), played: played.map { Array($0[start..<end]) })
            start = end
        }
        return (changes, sensor)
    }

    /// Pacing tones as a microphone near the mouth hears them from headphones: a glide under
    /// the band (G3 to D4) through every paced phase of a steady 4-6, and a bell with partials
    /// inside the band at each paced phase start.
    static func pacingTones(frameCount: Int, rate: Int = rate, level: Float) -> [Float] {
        var samples = [Float](repeating: 0, count: frameCount)
        let cycle = 10.0
        var phaseAngle = 0.0
        for frame in 0..<frameCount {
            let seconds = Double(frame) / Double(rate)
            let inCycle = seconds.truncatingRemainder(dividingBy: cycle)
            let frequency: Double = inCycle < 4 ? 196 + 98 * inCycle / 4 : 294 - 98 * (inCycle - 4) / 6
            phaseAngle += 2 * Double.pi * frequency / Double(rate)
            let sinceStrike: Double = inCycle < 4 ? inCycle : inCycle - 4
            let bell: Double = exp(-sinceStrike * 3) * (sin(2 * Double.pi * 880 * seconds) + 0.5 * sin(2 * Double.pi * 1_320 * seconds))
            samples[frame] = level * Float(sin(phaseAngle) + bell)
        }
        return samples
    }

    // MARK: - Lag

    @Test func findsEveryPhaseOfADriftingBreatherWithinTheLagGoal() {
        let breather = SyntheticBreather()
        let (samples, known) = breather.make(seconds: 150)
        let detected = Self.detect(samples).changes
        let report = LagReport(known: known, detected: detected, sampleRate: Self.rate)
        print("drifting breather, 4-6 ±10 %: \(report)")
        #expect(report.missed == 0, "\(report)")
        #expect(report.extra == 0, "\(report)")
        #expect(report.median < 0.4, "\(report)")
    }

    @Test func findsThePhasesWithPacingTonesMixedIn() {
        let (breath, known) = SyntheticBreather().make(seconds: 150, seed: 2)
        let tones = Self.pacingTones(frameCount: breath.count, level: 0.01)
        let mixed = zip(breath, tones).map { $0 + $1 }
        let report = LagReport(known: known, detected: Self.detect(mixed).changes, sampleRate: Self.rate)
        print("drifting breather with pacing tones: \(report)")
        #expect(report.missed <= 1, "\(report)")
        #expect(report.extra <= 1, "\(report)")
        #expect(report.median < 0.4, "\(report)")
    }

    @Test func aFainterInhaleAndAFasterPatternAreFollowedToo() {
        var breather = SyntheticBreather()
        breather.inhaleSeconds = 3
        breather.exhaleSeconds = 3
        breather.inhaleDecibelsBelow = 8
        breather.sampleRate = 48_000
        let (samples, known) = breather.make(seconds: 90, seed: 3)
        let report = LagReport(known: known, detected: Self.detect(samples, blockFrameCount: 480, rate: 48_000).changes,
                               sampleRate: 48_000)
        print("3-3 at 48 kHz, inhale 8 dB below: \(report)")
        #expect(report.missed <= 1, "\(report)")
        #expect(report.extra <= 1, "\(report)")
        #expect(report.median < 0.4, "\(report)")
    }

    @Test func theBlockSizeChangesNothing() {
        let (samples, _) = SyntheticBreather().make(seconds: 40, seed: 4)
        let even = Self.detect(samples, blockFrameCount: 160).changes
        #expect(Self.detect(samples, blockFrameCount: 1).changes == even)
        #expect(Self.detect(samples, blockFrameCount: 1_234).changes == even)
        #expect(even.count >= 6)
    }

    // MARK: - Signal

    @Test func silenceIsJudgedSilent() {
        let sensor = Self.detect([Float](repeating: 0, count: Self.rate * 25)).sensor
        #expect(sensor.signal == .silent)
    }

    @Test func steadyNoiseIsJudgedUnmodulated() {
        var random = SplitMix(seed: 5)
        let noise = (0..<(Self.rate * 25)).map { _ in Float(random.unit() * 2 - 1) * 0.05 }
        let result = Self.detect(noise)
        #expect(result.sensor.signal == .unmodulated, "changes: \(result.changes)")
    }

    @Test func aBreatherIsJudgedUsable() {
        let (samples, _) = SyntheticBreather().make(seconds: 25, seed: 6)
        let sensor = Self.detect(samples).sensor
        #expect(sensor.signal == .usable)
    }

    @Test func theJudgementWaitsForEnoughSound() {
        let sensor = Self.detect([Float](repeating: 0, count: Self.rate * 5)).sensor
        #expect(sensor.signal == .listening)
    }
}
