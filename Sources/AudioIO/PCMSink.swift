import SystemIO

/// Where rendered 16-bit PCM goes: a file, standard output, an ALSA device.
///
/// Not thread-safe; one thread writes.
public protocol PCMSink: AnyObject {
    /// Writes interleaved frames.
    func write(_ samples: UnsafeBufferPointer<Int16>) throws(OutputError)
    /// Completes the output (for files: closes and renames it into place).
    func finish() throws(OutputError)
    /// Gives up: removes anything half-written, leaves an existing target untouched.
    func abort()
}

/// Converts rendered samples to 16-bit, the same way for every sink.
public enum PCM {
    /// `sample` scaled to 16 bits, rounded to nearest, limited to the 16-bit range.
    @inline(__always)
    public static func int16(_ sample: Float) -> Int16 {
        let scaled = (sample * 32_767).rounded(.toNearestOrEven)
        if scaled >= 32_767 { return 32_767 }
        if scaled <= -32_768 { return -32_768 }
        return Int16(scaled)
    }

    /// Converts `count` samples from `source` into `target`; the same values as ``int16(_:)``.
    ///
    /// Adding 1.5 × 2²³ rounds a float to the nearest integer (ties to even) in plain
    /// arithmetic and leaves that integer in the low bits of the sum's bit pattern, so the loop
    /// needs no conversion instruction and vectorises.
    @inline(__always)
    public static func convert(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Int16>, count: Int) {
        let magic: Float = 12_582_912
        for index in 0..<count {
            let scaled = min(max(source[index] * 32_767, -32_768), 32_767)
            target[index] = Int16(truncatingIfNeeded: (scaled + magic).bitPattern)
        }
    }
}
