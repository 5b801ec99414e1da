/// An exact duration in tenths of a second, as session files write them (`2.5`, `60`, `4-2-6`).
///
/// Seconds exist only at the edges; the planner turns these into frames with
/// ``frames(at:)``, so no floating-point error ever accumulates.
public struct Tenths: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var value: Int64

    public init(_ value: Int64) { self.value = value }

    public init(seconds: Int64) { self.value = seconds * 10 }

    public static let zero = Tenths(0)

    /// Parses `60`, `2.5` or `0.0`; at most one decimal, never negative.
    public init?(parsing text: Substring) {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty, whole.allSatisfy(\.isASCIIDigit),
              whole.count <= 9, let wholeValue = Int64(whole)
        else { return nil }
        var tenths: Int64 = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard fraction.count == 1, let digit = fraction.first, digit.isASCIIDigit,
                  let digitValue = Int64(String(digit))
            else { return nil }
            tenths = digitValue
        }
        self.value = wholeValue * 10 + tenths
    }

    /// The number of frames at `rate`: `round(seconds × rate)`, half up.
    public func frames(at rate: Int) -> Int64 {
        (value * Int64(rate) + 5) / 10
    }

    public var seconds: Double { Double(value) / 10 }

    /// `60`, `2.5`: the way a person writes it.
    public var description: String {
        value % 10 == 0 ? "\(value / 10)" : "\(value / 10).\(value % 10)"
    }

    public static func < (lhs: Tenths, rhs: Tenths) -> Bool { lhs.value < rhs.value }
    public static func + (lhs: Tenths, rhs: Tenths) -> Tenths { Tenths(lhs.value + rhs.value) }
    public static func * (lhs: Tenths, rhs: Int64) -> Tenths { Tenths(lhs.value * rhs) }
}

extension Character {
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
