/// Decides from the breath heard when the pacing should stretch or shorten (`--follow-breath`):
/// when the median lag of the last few detected phase changes is beyond a quarter of a second,
/// it asks the engine for that much (``TransportCommand/adapt(frames:)``), which the engine
/// bounds to a fifth of the cycle and does at the next cycle boundary where no cue speaks.
///
/// A change the engine made shifts the pacing after it: the lags heard before it are corrected
/// by it, so a change is not asked for twice.
///
/// Thread-safety: a value used by the control side only. Pure: a test feeds it lags.
package struct PacingAdapter {
    /// A median lag beyond this (either way) asks for a change.
    package static let thresholdSeconds = 0.25
    /// The median is over this many changes heard, and needs at least ``minimumCount``.
    package static let historyCount = 4
    package static let minimumCount = 3
    /// Changes heard after asking, without the engine making it, before asking again.
    static let patience = 4

    package let sampleRate: Int
    /// The lags heard (frames, positive: the person later than the pacing), with where the play was.
    private var heard: [(position: Int64, lag: Int64)] = []
    /// The shifts of the pacing the engine made (positive: later), where it made them.
    private var shifts: [(position: Int64, frames: Int64)] = []
    /// Changes heard since the last request, while it is not done.
    private var sinceAsking: Int?

    package init(sampleRate: Int) {
        self.sampleRate = sampleRate
    }

    /// Takes a phase change heard `lag` frames after the paced one, at `position`.
    /// - Returns: the frames to ask the engine to stretch (positive) or shorten (negative)
    ///   by, or `nil`.
    package mutating func heard(lag: Int64, at position: Int64) -> Int64? {
        // The pacing moved after this change was heard: its lag against the new pacing.
        let shifted = shifts.reduce(Int64(0)) { $1.position > position ? $0 + $1.frames : $0 }
        heard.append((position, lag - shifted))
        if heard.count > Self.historyCount { heard.removeFirst(heard.count - Self.historyCount) }
        if let count = sinceAsking {
            guard count + 1 >= Self.patience else {
                sinceAsking = count + 1
                return nil
            }
        }
        guard heard.count >= Self.minimumCount, let median = median else { return nil }
        let threshold = Int64(Self.thresholdSeconds * Double(sampleRate))
        guard abs(median) > threshold else { return nil }
        sinceAsking = 0
        return median
    }

    /// Takes a change the engine made. A cue that waited a whole cycle moved the pacing by a
    /// cycle: the phases fall where they fell, and the lags (taken within half a cycle) stay.
    package mutating func engineMade(_ adaptation: PlaybackEngine.Adaptation) {
        guard adaptation.kind != .cueGaveUp else { return }
        shifted(by: adaptation.frames, at: adaptation.position,
                answersRequest: adaptation.kind == .held || adaptation.kind == .shortened)
    }

    /// The engine shifted the pacing by `frames` at `position` (a stretch, a cue's wait:
    /// positive; a shortening: negative).
    package mutating func shifted(by frames: Int64, at position: Int64, answersRequest: Bool) {
        for index in heard.indices where heard[index].position < position { heard[index].lag -= frames }
        shifts.append((position, frames))
        if shifts.count > 8 { shifts.removeFirst() }
        if answersRequest { sinceAsking = nil }
    }

    /// The median lag heard, in frames (the mean of the middle two of an even count).
    package var median: Int64? {
        guard !heard.isEmpty else { return nil }
        let sorted = heard.map(\.lag).sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }
}
