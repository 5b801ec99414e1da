/// One phase of a breath cycle.
public enum BreathPhase: String, CaseIterable, Sendable {
    case inhale, holdIn, exhale, holdOut
}

/// Seconds of inhale, hold-in, exhale and hold-out, written `4-6`, `4-2-6` or `4-7-8-0`.
///
/// Inhale and exhale are longer than zero; every part has at most one decimal.
public struct BreathPattern: Hashable, Sendable, CustomStringConvertible {
    public var inhale: Tenths
    public var holdIn: Tenths
    public var exhale: Tenths
    public var holdOut: Tenths

    public init(inhale: Tenths, holdIn: Tenths = .zero, exhale: Tenths, holdOut: Tenths = .zero) {
        self.inhale = inhale
        self.holdIn = holdIn
        self.exhale = exhale
        self.holdOut = holdOut
    }

    /// Why a text is not a breath pattern, in words a person can act on.
    public struct ParseError: Error, Equatable, Sendable {
        public var message: String
    }

    /// Parses `4-6`, `4-2-6` or `4-7-8-0`.
    /// - Throws: ``ParseError`` naming the part that is wrong.
    public init(parsing text: String) throws(ParseError) {
        let expectation = "expected a breath pattern like 4-6, 4-2-6 or 4-7-8-0 (seconds, at most one decimal)"
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (2...4).contains(parts.count) else {
            throw ParseError(message: "'\(text)' is not a breath pattern; \(expectation)")
        }
        var values: [Tenths] = []
        for part in parts {
            guard let value = Tenths(parsing: part) else {
                throw ParseError(message: "'\(part)' in '\(text)' is not a number of seconds; \(expectation)")
            }
            values.append(value)
        }
        switch values.count {
        case 2: self.init(inhale: values[0], exhale: values[1])
        case 3: self.init(inhale: values[0], holdIn: values[1], exhale: values[2])
        default: self.init(inhale: values[0], holdIn: values[1], exhale: values[2], holdOut: values[3])
        }
        guard inhale > .zero, exhale > .zero else {
            throw ParseError(message: "'\(text)' has a zero-length inhale or exhale; both must be longer than 0 s")
        }
        guard cycleLength <= Tenths(seconds: 120) else {
            throw ParseError(message: "'\(text)' lasts \(cycleLength) s a cycle; at most 120 s are allowed")
        }
    }

    /// The length of one full cycle.
    public var cycleLength: Tenths { inhale + holdIn + exhale + holdOut }

    /// The length of one phase.
    public func seconds(of phase: BreathPhase) -> Tenths {
        switch phase {
        case .inhale: inhale
        case .holdIn: holdIn
        case .exhale: exhale
        case .holdOut: holdOut
        }
    }

    /// The shortest text that parses back to this pattern.
    public var description: String {
        if holdOut != .zero { return "\(inhale)-\(holdIn)-\(exhale)-\(holdOut)" }
        if holdIn != .zero { return "\(inhale)-\(holdIn)-\(exhale)" }
        return "\(inhale)-\(exhale)"
    }
}
