import Foundation

/// Where sounds begin in `samples`, in seconds from its first sample: the starts of 10 ms RMS
/// windows (moved 1 ms at a time) that rise above a threshold `below` dB under the loudest
/// such window, after at least `gap` seconds of windows under it.
///
/// 30 dB finds a spoken word at its first consonant; much less (20 dB) misses a soft one, such
/// as the "D" of "Drei", by some 50 ms.
public func soundOnsets(_ samples: ArraySlice<Float>, rate: Int, below decibels: Double = 30,
                        gap: Double = 0.15) -> [Double] {
    let window = rate / 100
    let hop = rate / 1000
    guard samples.count > window else { return [] }
    // Running sums of squares, so every window costs two look-ups.
    var sums = [Double](repeating: 0, count: samples.count + 1)
    for (offset, sample) in samples.enumerated() { sums[offset + 1] = sums[offset] + Double(sample) * Double(sample) }
    let starts = Array(stride(from: 0, to: samples.count - window, by: hop))
    let levels = starts.map { ((sums[$0 + window] - sums[$0]) / Double(window)).squareRoot() }
    let threshold = (levels.max() ?? 0) * pow(10, -decibels / 20)
    let quietWindows = Int(gap * 1000)
    var quiet = quietWindows
    var onsets: [Double] = []
    for (start, level) in zip(starts, levels) {
        if level > threshold {
            if quiet >= quietWindows { onsets.append(Double(start) / Double(rate)) }
            quiet = 0
        } else {
            quiet += 1
        }
    }
    return onsets
}
