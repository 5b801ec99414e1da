import Foundation
import PsoasTestSupport
import Testing

/// The German script takes the article's facts, never its sentences.
///
/// The article lives in `../shared/seed/` beside the repository. So that the check also runs
/// where it is missing, `article-runs.txt` holds a fingerprint of every run of eight words in it
/// (FNV-1a hashes, not the text); when the article is present the fingerprint must match it.
@Suite struct ArticleCopyTests {
    static let fingerprint = repositoryRoot.appendingPathComponent("Tests/SessionKitTests/article-runs.txt")

    /// Lower-case words without punctuation.
    static func words(_ text: String) -> [String] {
        text.lowercased()
            .components(separatedBy: CharacterSet.letters.union(.decimalDigits).inverted)
            .filter { !$0.isEmpty }
    }

    /// Every run of eight consecutive words, hashed.
    static func runs(_ words: [String]) -> Set<UInt64> {
        guard words.count >= 8 else { return [] }
        return Set((0...(words.count - 8)).map { hash(words[$0..<$0 + 8].joined(separator: " ")) })
    }

    static func hash(_ text: String) -> UInt64 {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 {
            value ^= UInt64(byte)
            value = value &* 0x0000_0100_0000_01B3
        }
        return value
    }

    static func article() -> String? {
        for relative in ["../shared/seed/psoas-massage-article.de.txt", "../../shared/seed/psoas-massage-article.de.txt"] {
            let url = repositoryRoot.appendingPathComponent(relative)
            if let text = try? String(contentsOf: url, encoding: .utf8) { return text }
        }
        return nil
    }

    /// The article's runs: from the article when present (checked against the fingerprint),
    /// else from the fingerprint.
    static func articleRuns() throws -> Set<UInt64> {
        let stored = Set(try String(contentsOf: fingerprint, encoding: .utf8)
            .split(separator: "\n").compactMap { UInt64($0, radix: 16) })
        guard let article = article() else { return stored }
        let computed = runs(words(article))
        if ProcessInfo.processInfo.environment["PSOAS_UPDATE_FINGERPRINT"] == "1" {
            let text = computed.sorted().map { String($0, radix: 16) }.joined(separator: "\n") + "\n"
            try Data(text.utf8).write(to: fingerprint)
            return computed
        }
        #expect(computed == stored, "article-runs.txt is stale: PSOAS_UPDATE_FINGERPRINT=1 rewrites it")
        return computed
    }

    @Test func noRunOfEightWordsFromTheArticleIsInTheManifest() throws {
        let article = try Self.articleRuns()
        try #require(article.count > 2000, "the article's runs were read")
        let manifest = try String(contentsOf: repositoryRoot.appendingPathComponent("Audio/cues/de.yaml"), encoding: .utf8)
        for line in manifest.split(separator: "\n") where !line.hasPrefix("#") && line.contains(": ") {
            let text = Self.words(String(line.split(separator: ":", maxSplits: 1)[1]))
            guard text.count >= 8 else { continue }
            for start in 0...(text.count - 8) {
                let run = text[start..<start + 8].joined(separator: " ")
                #expect(!article.contains(Self.hash(run)), "copied from the article: \"\(run)\" in \(line.prefix(40))")
            }
        }
    }

    @Test func theCheckFindsACopiedSentence() throws {
        let article = try Self.articleRuns()
        let copied = Self.words("Halte den Druck an einer Stelle für ungefähr 30 bis 90 Sekunden.")
        #expect(article.contains(Self.hash(copied[0..<8].joined(separator: " "))))
        let mine = Self.words("Bleib auf diesem Punkt und atme weiter ruhig in den Bauch.")
        #expect(!article.contains(Self.hash(mine[0..<8].joined(separator: " "))))
    }
}
