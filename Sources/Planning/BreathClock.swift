import SessionKit

/// The first frame of each phase of one cycle, and of the next cycle.
struct CycleFrames {
    var inhale: Int64 = 0
    var holdIn: Int64 = 0
    var exhale: Int64 = 0
    var holdOut: Int64 = 0
    var end: Int64 = 0
}

/// Timing rule 1: a phase boundary is `round(cumulative seconds × rate)` of the running total
/// since the step's start, never a sum of rounded phases.
struct BreathClock {
    let start: Int64
    let rate: Int
    private(set) var elapsed = Tenths.zero

    init(start: Int64, rate: Int) {
        self.start = start
        self.rate = rate
    }

    var position: Int64 { start + elapsed.frames(at: rate) }

    /// Moves on by `length`; returns the new position.
    mutating func advance(by length: Tenths) -> Int64 {
        elapsed = elapsed + length
        return position
    }
}
