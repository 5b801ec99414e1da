import Foundation

/// Normalised correlation of two equally long signals (1 = the same shape).
public func correlation(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
    var dot = 0.0, energyA = 0.0, energyB = 0.0
    for (x, y) in zip(a, b) {
        dot += Double(x) * Double(y)
        energyA += Double(x) * Double(x)
        energyB += Double(y) * Double(y)
    }
    return dot / max((energyA * energyB).squareRoot(), 1e-20)
}

/// Root mean square of float samples.
public func rms(_ samples: ArraySlice<Float>) -> Double {
    guard !samples.isEmpty else { return 0 }
    return (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
}

/// Root mean square of 16-bit samples (in sample units).
public func rms(_ samples: ArraySlice<Int16>) -> Double {
    guard !samples.isEmpty else { return 0 }
    return (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
}

/// The longest run of exact zeros among the first `count` samples of raw 16-bit `data`
/// (all of them when `nil`), in samples.
public func longestZeroRun(in data: Data, count: Int? = nil) -> Int {
    data.withUnsafeBytes { raw in
        let samples = raw.bindMemory(to: Int16.self)
        let end = min(samples.count, count ?? samples.count)
        var run = 0
        var longest = 0
        for index in 0..<end {
            if samples[index] == 0 {
                run += 1
                if run > longest { longest = run }
            } else {
                run = 0
            }
        }
        return longest
    }
}

/// Raw 16-bit little-endian PCM as floats (full scale 1).
public func floatSamples(_ data: Data) -> [Float] {
    data.withUnsafeBytes { raw in raw.bindMemory(to: Int16.self).map { Float(Int16(littleEndian: $0)) / 32_768 } }
}
