/// How fast a clip speaks its cue: the words of the cue's German text per minute of the
/// (trimmed) clip. `psoas voice check`, `psoas voice normalize --text` and the tests of the
/// built-in voice all measure with this.
///
/// The rule for a calm voice: every clip of at least ``minimumRatedWords`` words speaks
/// within ``calmBand``; no clip at all is faster than ``ceiling``. Shorter clips
/// ("Und loslassen.", "Drei. Zwei. Eins.", "Ausatmen. Knie heben.") are mostly the pause
/// between their sentences, so their rate says little about the pace and they are only held
/// to the ceiling.
public struct SpeechRate: Sendable, Hashable {
    /// Calm guided practice, in words per minute.
    public static let calmBand = 105.0...120.0
    /// No clip speaks faster than this, in words per minute.
    public static let ceiling = 130.0
    /// Clips with fewer words are held to the ceiling only.
    public static let minimumRatedWords = 4

    /// Whitespace-separated words of the text.
    public var words: Int
    /// The clip's length in seconds.
    public var seconds: Double

    public init(text: String, seconds: Double) {
        self.words = text.split(whereSeparator: { $0.isWhitespace }).count
        self.seconds = seconds
    }

    /// Words per minute (0 for an empty clip).
    public var wordsPerMinute: Double { seconds > 0 ? Double(words) / (seconds / 60) : 0 }

    /// Whether the calm band applies (enough words to say something about the pace).
    public var isRated: Bool { words >= Self.minimumRatedWords }

    /// What is wrong with the pace under the rule, or `nil` when it keeps it.
    public var problem: String? {
        let rate = wordsPerMinute
        if rate > Self.ceiling { return "faster than \(Int(Self.ceiling)) words/min" }
        guard isRated else { return nil }
        if rate > Self.calmBand.upperBound { return "faster than \(Int(Self.calmBand.upperBound)) words/min" }
        if rate < Self.calmBand.lowerBound { return "slower than \(Int(Self.calmBand.lowerBound)) words/min" }
        return nil
    }

    /// The rule in words, for reports.
    public static var ruleDescription: String {
        "\(Int(calmBand.lowerBound))–\(Int(calmBand.upperBound)) words/min for clips of \(minimumRatedWords) or more words, none above \(Int(ceiling))"
    }
}
