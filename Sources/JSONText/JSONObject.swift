/// A JSON object written with its keys in the order they were added, so `plan --json`,
/// `sessions --json`, `log --json` and the control socket's replies read in a fixed order and
/// diff line by line.
///
/// Its own module because the timeline, the player and the commands all write JSON, and none of
/// them is where JSON belongs.
public struct JSONObject: Sendable {
    /// The members written so far, comma-separated, without the braces.
    private var body = ""

    public init() {}

    public mutating func add(_ key: String, _ value: String) {
        appendKey(key)
        body += Self.quote(value)
    }

    public mutating func add(_ key: String, _ value: Int64) {
        appendKey(key)
        body += String(value)
    }

    public mutating func add(_ key: String, _ value: Int) {
        appendKey(key)
        body += String(value)
    }

    public mutating func add(_ key: String, _ value: Bool) {
        appendKey(key)
        body += value ? "true" : "false"
    }

    /// A number written with up to `decimals` decimals and no trailing zeros (`60`, `2.5`, `0.333`).
    public mutating func add(_ key: String, _ value: Double, decimals: Int = 3) {
        appendKey(key)
        body += Self.number(value, decimals: decimals)
    }

    /// A value already written as JSON (an array or object).
    public mutating func addRaw(_ key: String, _ json: String) {
        appendKey(key)
        body += json
    }

    public var text: String { "{" + body + "}" }

    /// Starts a member: the comma after the one before, the quoted key and the colon.
    private mutating func appendKey(_ key: String) {
        if !body.isEmpty { body += "," }
        body += Self.quote(key)
        body += ":"
    }

    public static func number(_ value: Double, decimals: Int) -> String {
        guard value.isFinite else { return "null" }
        var scale: Double = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (value * scale).rounded()
        let negative = scaled < 0
        let magnitude = Int64(abs(scaled))
        let divisor = Int64(scale)
        var text = String(magnitude / divisor)
        var fraction = magnitude % divisor
        if fraction != 0 {
            var digits = String(fraction)
            digits = String(repeating: "0", count: decimals - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
            fraction = 0
        }
        return (negative && magnitude != 0 ? "-" : "") + text
    }

    public static func quote(_ text: String) -> String {
        // Most text needs no escape: it is copied whole rather than scalar by scalar (which took
        // half of `plan --json`'s own work). In UTF-8 every byte below 0x80 is its own scalar.
        let needsEscape = text.utf8.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }
        guard needsEscape else { return "\"" + text + "\"" }
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
