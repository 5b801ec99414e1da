#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A second-order IIR filter section (RBJ's audio-EQ cookbook), direct form I.
///
/// Thread-safety: a value type; each copy belongs to one thread.
struct Biquad {
    private let b0, b1, b2, a1, a2: Double
    private var x1 = 0.0, x2 = 0.0, y1 = 0.0, y2 = 0.0

    private init(b0: Double, b1: Double, b2: Double, a0: Double, a1: Double, a2: Double) {
        self.b0 = b0 / a0
        self.b1 = b1 / a0
        self.b2 = b2 / a0
        self.a1 = a1 / a0
        self.a2 = a2 / a0
    }

    /// A Butterworth high-pass (Q = 1/√2) at `cutoff` Hz.
    static func highPass(cutoff: Double, sampleRate: Int) -> Biquad {
        let (cosine, alpha) = terms(cutoff: cutoff, sampleRate: sampleRate)
        return Biquad(b0: (1 + cosine) / 2, b1: -(1 + cosine), b2: (1 + cosine) / 2,
                      a0: 1 + alpha, a1: -2 * cosine, a2: 1 - alpha)
    }

    /// A Butterworth low-pass (Q = 1/√2) at `cutoff` Hz.
    static func lowPass(cutoff: Double, sampleRate: Int) -> Biquad {
        let (cosine, alpha) = terms(cutoff: cutoff, sampleRate: sampleRate)
        return Biquad(b0: (1 - cosine) / 2, b1: 1 - cosine, b2: (1 - cosine) / 2,
                      a0: 1 + alpha, a1: -2 * cosine, a2: 1 - alpha)
    }

    /// cos ω and α = sin ω / (2Q) for `cutoff`, kept below 45 % of the rate.
    private static func terms(cutoff: Double, sampleRate: Int) -> (cosine: Double, alpha: Double) {
        let limited = min(cutoff, 0.45 * Double(sampleRate))
        let omega: Double = 2 * Double.pi * limited / Double(sampleRate)
        let twiceQ: Double = 2.0.squareRoot()
        return (cos(omega), sin(omega) / twiceQ)
    }

    mutating func process(_ x: Double) -> Double {
        let forward: Double = b0 * x + b1 * x1 + b2 * x2
        let y: Double = forward - a1 * y1 - a2 * y2
        x2 = x1
        x1 = x
        y2 = y1
        y1 = y
        return y
    }
}
