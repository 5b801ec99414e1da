/// A look-ahead peak limiter for whole clips: the gain dips smoothly just before a peak
/// that would pass the ceiling and recovers slowly after it, so speech keeps its shape.
enum PeakLimiter {
    /// How far ahead the gain starts to fall, and how slowly it recovers, in seconds.
    static let attack = 0.002
    static let release = 0.060

    /// Limits `samples` in place so no sample's magnitude exceeds `ceiling`.
    static func apply(_ samples: inout [Float], ceiling: Float, rate: Int) {
        let count = samples.count
        guard count > 0 else { return }
        // The gain each sample needs on its own.
        var gain = samples.map { abs($0) > ceiling ? ceiling / abs($0) : Float(1) }
        let attackFrames = max(1, Int(attack * Double(rate)))
        let releaseFrames = max(1, Int(release * Double(rate)))
        let attackStep = 1 / Float(attackFrames)
        let releaseStep = 1 / Float(releaseFrames)
        // Backwards: fall at most one attack step per frame towards a dip ahead.
        if count > 1 {
            for index in stride(from: count - 2, through: 0, by: -1) {
                gain[index] = min(gain[index], gain[index + 1] + attackStep)
            }
        }
        // Forwards: rise at most one release step per frame after a dip.
        for index in 1..<count {
            gain[index] = min(gain[index], gain[index - 1] + releaseStep)
        }
        for index in 0..<count {
            samples[index] *= gain[index]
        }
    }
}
