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

/// What a sink's monitor heard, compared with what was sent to it.
public struct MonitorMatch: Sendable {
    /// The normalised correlation of the reference with the recording, every stretch where it was found.
    public let correlation: Double
    /// Where the recording moved against the reference: at which reference frame, and by how
    /// many frames (positive: the sink heard that many frames of silence that were not sent,
    /// a cycle the server missed; negative: sent frames it never played).
    public let shifts: [(frame: Int, frames: Int)]
    /// Reference frames compared.
    public let comparedFrames: Int

    /// Whether every shift is silence the server put in, none longer than `frames`.
    public func onlyInsertedSilence(atMost frames: Int) -> Bool {
        shifts.allSatisfy { $0.frames > 0 && $0.frames <= frames }
    }

    /// The shifts as text, for a test's message.
    public var shiftsText: String { shifts.map { "\($0.frames) at \($0.frame)" }.joined(separator: ", ") }
}

/// Compares `recording`, where `reference` starts at `offset`, with `reference`, following the
/// recording where it moves.
///
/// A PipeWire graph with a short quantum on a busy (or virtual) machine now and then misses a
/// cycle and plays a quantum of silence into the sink, whoever the client is (`aplay` too): all
/// that follows is heard that much later, and one correlation over the whole would fall to
/// chance although every frame arrived. 16-bit sound passes PipeWire unchanged, so the
/// recording is followed sample by sample: where it stops matching the reference (more than a
/// few steps of 16 bits apart), the place within 2048 frames either way where the next 10 ms
/// match exactly again is a shift. A stretch that matches nowhere is compared where it was (at
/// most 64 searches, so a recording that differs throughout is not searched at every sample).
/// The correlation takes every sample as it was placed: sound that differs, or is missing,
/// still lowers it; the caller decides which shifts a test allows, and whether the player
/// itself reported an underrun.
public func monitorMatch(of reference: [Float], in recording: [Float], at offset: Int) -> MonitorMatch {
    let tolerance: Float = 4 / 32_768
    let window = 480
    let reach = 2_048
    var searchesLeft = 64
    var lag = offset
    var dot = 0.0, energyReference = 0.0, energyHeard = 0.0
    var shifts: [(frame: Int, frames: Int)] = []
    var index = 0
    reference.withUnsafeBufferPointer { sent in
        recording.withUnsafeBufferPointer { heard in
            func matches(_ start: Int, _ lag: Int) -> Bool {
                guard start + lag >= 0, start + lag + window <= heard.count, start + window <= sent.count else { return false }
                var loud = false
                for at in start..<(start + window) {
                    if abs(heard[at + lag] - sent[at]) > tolerance { return false }
                    if abs(sent[at]) > 16 * tolerance { loud = true }
                }
                return loud
            }
            // Where a search found nothing, the next one waits until 10 ms on.
            var searchFrom = 0
            while index < sent.count, index + lag < heard.count {
                if index >= searchFrom, abs(heard[index + lag] - sent[index]) > tolerance, searchesLeft > 0 {
                    searchesLeft -= 1
                    // Nearest first: the smallest move that makes the next 10 ms match.
                    if let move = (1...reach).lazy.flatMap({ [$0, -$0] }).first(where: { matches(index, lag + $0) }) {
                        shifts.append((index, move))
                        lag += move
                    } else {
                        searchFrom = index + window
                    }
                }
                let x = Double(sent[index]), y = Double(heard[index + lag])
                dot += x * y
                energyReference += x * x
                energyHeard += y * y
                index += 1
            }
        }
    }
    return MonitorMatch(correlation: dot / max((energyReference * energyHeard).squareRoot(), 1e-20),
                        shifts: shifts, comparedFrames: index)
}
