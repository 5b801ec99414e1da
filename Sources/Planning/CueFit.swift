import SessionKit

/// One use of a cue that must fit a span of time: a breath phase it is anchored to, or a
/// wait's export length. Made by ``Planner/fits(_:)`` with the planner's own rules.
public struct CueFit: Sendable, Hashable {
    /// The cue id.
    public var cue: String
    /// Where the session file uses it.
    public var location: SourceLocation
    /// The step's id.
    public var step: String
    /// The clip's length in frames.
    public var length: Int64
    /// How long the span is, in frames.
    public var room: Int64
    /// What the span is, in words: `exhale`, `inhale and hold`, `span before the exhale`, `wait`.
    public var span: String
    /// Frames per second of `length` and `room`.
    public var rate: Int

    public init(cue: String, location: SourceLocation, step: String, length: Int64, room: Int64, span: String, rate: Int) {
        self.cue = cue
        self.location = location
        self.step = step
        self.length = length
        self.room = room
        self.span = span
        self.rate = rate
    }

    public var isTooLong: Bool { length > room }

    /// Whether a slower breath gives the cue more room (it does for breath phases, not for waits).
    public var isOnTheBreath: Bool { span != "wait" }

    /// `sink.exhale: 8.4 s, but it must fit the 6.0 s exhale of step 'sink' in psoas (line 33); 2.4 s too long`,
    /// where `session` names the session (`psoas`, `psoas --level beginner`).
    public func tooLongText(in session: String) -> String {
        let lengthTenths = tenths(length, rounding: .toNearestOrAwayFromZero)
        let roomTenths = tenths(room, rounding: .down)
        // Two decimals where one would hide the difference.
        let fine = lengthTenths <= roomTenths
        let lengthText = fine ? hundredthsText(length, rounding: .up) : tenthsText(lengthTenths)
        let excess = length - room
        let excessText = fine ? hundredthsText(excess, rounding: .up)
            : tenthsText(max(1, tenths(excess, rounding: .toNearestOrAwayFromZero)))
        return "\(cue): \(lengthText), but it must fit the \(tenthsText(roomTenths)) \(span) of step '\(step)' in \(session) (line \(location.line)); \(excessText) too long"
    }

    private func tenths(_ frames: Int64, rounding: FloatingPointRoundingRule) -> Int64 {
        Int64((Double(frames) * 10 / Double(rate)).rounded(rounding))
    }

    private func tenthsText(_ tenths: Int64) -> String { ClockText.seconds(tenths: tenths) }

    /// Hundredths rounded by `rounding` (up, so a clip never reads as short as its room).
    private func hundredthsText(_ frames: Int64, rounding: FloatingPointRoundingRule) -> String {
        ClockText.seconds(hundredths: Int64((Double(frames) * 100 / Double(rate)).rounded(rounding)))
    }
}
