import SystemIO

#if arch(x86_64)
import _Builtin_intrinsics.intel
#endif

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
    /// On x86-64, eight at a time with SSE2 (part of every x86-64 processor): scaled and held
    /// within the 16-bit range, converted rounding to nearest (ties to even, the processor's
    /// default), packed to 16 bits. Elsewhere, and for the last few: adding 1.5 × 2²³ rounds a
    /// float to the nearest integer (ties to even) in plain arithmetic and leaves that integer
    /// in the low bits of the sum's bit pattern, so the loop needs no conversion instruction
    /// and vectorises.
    public static func convert(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<Int16>, count: Int) {
        var index = 0
        #if arch(x86_64)
        let scale = _mm_set1_ps(32_767)
        let lowest = _mm_set1_ps(-32_768)
        let highest = _mm_set1_ps(32_767)
        let output = UnsafeMutableRawPointer(target)
        while index + 8 <= count {
            let first = _mm_min_ps(_mm_max_ps(_mm_mul_ps(_mm_loadu_ps(source + index), scale), lowest), highest)
            let second = _mm_min_ps(_mm_max_ps(_mm_mul_ps(_mm_loadu_ps(source + index + 4), scale), lowest), highest)
            let packed = _mm_packs_epi32(_mm_cvtps_epi32(first), _mm_cvtps_epi32(second))
            _mm_storeu_si128(output.advanced(by: index * 2).assumingMemoryBound(to: __m128i.self), packed)
            index += 8
        }
        #endif
        let magic: Float = 12_582_912
        while index < count {
            let scaled = min(max(source[index] * 32_767, -32_768), 32_767)
            target[index] = Int16(truncatingIfNeeded: (scaled + magic).bitPattern)
            index += 1
        }
    }
}
