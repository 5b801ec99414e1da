import BreathSensing
import Planning

/// Where the paced breath's exhales begin and end on a timeline, to say how far a detected
/// phase change lies from the paced one.
///
/// Thread-safety: an immutable value.
package struct PacedBoundaries: Sendable {
    /// The first frame of each paced exhale, and the frame after its last, in order.
    package let exhaleStarts: [Int64]
    package let exhaleEnds: [Int64]

    package init(_ timeline: Timeline) {
        var starts: [Int64] = []
        var ends: [Int64] = []
        for event in timeline.events {
            if case .breath(.exhale, _) = event.kind {
                starts.append(event.start)
                ends.append(event.end)
            }
        }
        exhaleStarts = starts
        exhaleEnds = ends.sorted()
    }

    /// How late (positive) or early (negative) a change to `phase` found at `position` comes,
    /// in frames, against the nearest paced change of the same kind (an inhale against the end
    /// of a paced exhale); `nil` when none lies within half a cycle of it.
    package func lag(of phase: SensedPhase, at position: Int64) -> Int64? {
        let boundaries = phase == .exhale ? exhaleStarts : exhaleEnds
        let next = TimelineIndex.firstIndex(in: boundaries, atLeast: position)
        var best: Int64?
        for index in [next - 1, next] where boundaries.indices.contains(index) {
            let neighbour = index + 1 < boundaries.count ? boundaries[index + 1] : index > 0 ? boundaries[index - 1] : nil
            guard let neighbour else { continue }
            let halfCycle = abs(neighbour - boundaries[index]) / 2
            let lag = position - boundaries[index]
            if abs(lag) <= halfCycle, best.map({ abs(lag) < abs($0) }) ?? true { best = lag }
        }
        return best
    }
}
