/// The levels of the last few seconds, counted in quarter-decibel bins, for their percentiles.
///
/// Thread-safety: a value type; each copy belongs to one thread. Allocates only in `init`.
struct LevelHistogram: Sendable {
    static let lowest = -130.0
    static let highest = 10.0
    static let binsPerDecibel = 4.0

    private var counts: [Int32]
    /// The bin of each level kept, oldest at `first`.
    private var ring: [Int16]
    private var first = 0
    private(set) var count = 0

    /// - Parameter capacity: how many levels are kept; a new one then pushes out the oldest.
    init(capacity: Int) {
        counts = Array(repeating: 0, count: Int((Self.highest - Self.lowest) * Self.binsPerDecibel) + 1)
        ring = Array(repeating: 0, count: max(1, capacity))
    }

    mutating func add(_ decibels: Double) {
        let clamped = min(Self.highest, max(Self.lowest, decibels))
        let bin = Int16(((clamped - Self.lowest) * Self.binsPerDecibel).rounded())
        if count == ring.count {
            counts[Int(ring[first])] -= 1
            ring[first] = bin
            first = (first + 1) % ring.count
        } else {
            ring[(first + count) % ring.count] = bin
            count += 1
        }
        counts[Int(bin)] += 1
    }

    /// The level below which `fraction` (0…1) of the kept levels lie, in dB; `nil` when none are kept.
    func percentile(_ fraction: Double) -> Double? {
        guard count > 0 else { return nil }
        let wanted = max(1, Int((fraction * Double(count)).rounded(.up)))
        var seen = 0
        for (bin, binCount) in counts.enumerated() {
            seen += Int(binCount)
            if seen >= wanted { return Self.lowest + Double(bin) / Self.binsPerDecibel }
        }
        return Self.highest
    }
}
