import BreathSensing
import Foundation

/// A person breathing near a headset microphone, made up: noise that is louder through each
/// exhale than through each inhale, with a known rhythm that drifts, over a faint room noise.
public struct SyntheticBreather: Sendable {
    public var sampleRate = 16_000
    public var inhaleSeconds = 4.0
    public var exhaleSeconds = 6.0
    /// How far each breath's length strays from the pattern, at most (0.1: ±10 %), slowly,
    /// over ``driftPeriodBreaths`` breaths, with a little jitter breath to breath.
    public var drift = 0.1
    public var driftPeriodBreaths = 7.0
    /// The exhale's noise level (RMS, full scale 1) and how much quieter the inhale is.
    public var exhaleLevel: Float = 0.05
    public var inhaleDecibelsBelow: Float = 12
    /// How long the level takes to move from one phase's to the next's.
    public var rampSeconds = 0.25
    public var roomLevel: Float = 0.0005
    /// Seconds of room noise before the first inhale.
    public var leadSeconds = 1.0

    public init() {}

    /// The samples of `seconds`, and the moment (in frames) each phase begins.
    public func make(seconds: Double, seed: UInt64 = 1) -> (samples: [Float], changes: [BreathChange]) {
        var random = SplitMix(seed: seed)
        let frameCount = Int(seconds * Double(sampleRate))
        var changes: [BreathChange] = []
        var position = leadSeconds
        var breath = 0
        while position < seconds {
            let slow: Double = drift * 0.8 * sin(2 * Double.pi * Double(breath) / driftPeriodBreaths)
            let jitter: Double = drift * 0.2 * (random.unit() * 2 - 1)
            let scale: Double = 1 + slow + jitter
            changes.append(BreathChange(.inhale, at: Int64(position * Double(sampleRate))))
            position += inhaleSeconds * scale
            changes.append(BreathChange(.exhale, at: Int64(position * Double(sampleRate))))
            position += exhaleSeconds * scale
            breath += 1
        }
        let inhaleLevel: Float = exhaleLevel * Float(pow(10, Double(-inhaleDecibelsBelow) / 20))
        let rampFrames = Int(rampSeconds * Double(sampleRate))
        var samples = [Float](repeating: 0, count: frameCount)
        var next = 0
        var from: Float = 0
        var to: Float = 0
        var changeFrame = 0
        // Uniform noise of RMS 1 is ±√3.
        let root3 = Float(3).squareRoot()
        for frame in 0..<frameCount {
            while next < changes.count, changes[next].frame <= frame {
                from = level(at: frame, from: from, to: to, since: changeFrame, ramp: rampFrames)
                to = changes[next].phase == .exhale ? exhaleLevel : inhaleLevel
                changeFrame = frame
                next += 1
            }
            let amplitude = level(at: frame, from: from, to: to, since: changeFrame, ramp: rampFrames)
            let noise: Float = Float(random.unit() * 2 - 1) * root3
            let room: Float = Float(random.unit() * 2 - 1) * root3 * roomLevel
            samples[frame] = amplitude * noise + room
        }
        return (samples, changes.filter { $0.frame < frameCount })
    }

    /// A raised-cosine move from `from` to `to` over `ramp` frames after `since`.
    private func level(at frame: Int, from: Float, to: Float, since: Int, ramp: Int) -> Float {
        let done = Double(frame - since) / Double(max(1, ramp))
        guard done < 1 else { return to }
        let weight = Float(0.5 - 0.5 * cos(Double.pi * done))
        return from + (to - from) * weight
    }
}

/// A small seeded generator (SplitMix64): the same noise on every run.
public struct SplitMix: Sendable {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// Uniform in 0..<1.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// How detected changes compare with the known ones.
public struct LagReport: CustomStringConvertible, Sendable {
    public var lags: [Double] = []
    /// Known changes no detection matched.
    public var missed = 0
    /// Detections that matched no known change.
    public var extra = 0
    /// Where the extra detections were, in seconds.
    public var extraSeconds: [Double] = []

    /// Matches each known change after `warmUpSeconds` with the first detection of the same phase
    /// from 0.3 s before it to 2 s after it; every other detection after the warm-up is extra.
    public init(known: [BreathChange], detected: [BreathChange], sampleRate: Int, warmUpSeconds: Double = 8) {
        let rate = Double(sampleRate)
        let warmUp = Int64(warmUpSeconds * rate)
        var used = Set<Int>()
        for change in known where change.frame >= warmUp {
            let match = detected.indices.first { index in
                !used.contains(index) && detected[index].phase == change.phase
                    && detected[index].frame >= change.frame - Int64(0.3 * rate)
                    && detected[index].frame <= change.frame + Int64(2 * rate)
            }
            guard let match else {
                missed += 1
                continue
            }
            used.insert(match)
            lags.append(Double(detected[match].frame - change.frame) / rate)
        }
        let extras = detected.indices.filter { !used.contains($0) && detected[$0].frame >= warmUp + Int64(2 * rate) }
        extra = extras.count
        extraSeconds = extras.map { (Double(detected[$0].frame) / rate * 10).rounded() / 10 }
    }

    public var median: Double {
        guard !lags.isEmpty else { return .infinity }
        let sorted = lags.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    public var maximum: Double { lags.max() ?? .infinity }

    public var description: String {
        guard !lags.isEmpty else { return "no change matched, \(missed) missed, \(extra) extra" }
        return "\(lags.count) changes matched, median lag \(Int((median * 1000).rounded())) ms, "
            + "largest \(Int((maximum * 1000).rounded())) ms, \(missed) missed, \(extra) extra"
            + (extraSeconds.isEmpty ? "" : " (at \(extraSeconds.map { "\($0) s" }.joined(separator: ", ")))")
    }
}
