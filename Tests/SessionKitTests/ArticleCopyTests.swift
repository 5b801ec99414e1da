import Foundation
import PsoasTestSupport
import Testing

/// The German script takes the article's facts, never its sentences.
@Suite struct ArticleCopyTests {
    /// Lower-case words without punctuation.
    static func words(_ text: String) -> [String] {
        text.lowercased()
            .components(separatedBy: CharacterSet.letters.union(.decimalDigits).inverted)
            .filter { !$0.isEmpty }
    }

    static func article() throws -> String {
        let candidates = [
            repositoryRoot.appendingPathComponent("../shared/seed/psoas-massage-article.de.txt"),
            repositoryRoot.appendingPathComponent("../../shared/seed/psoas-massage-article.de.txt"),
        ]
        for url in candidates where FileManager.default.fileExists(atPath: url.path) {
            return try String(contentsOf: url, encoding: .utf8)
        }
        Issue.record("the article is not at ../shared/seed/psoas-massage-article.de.txt beside the repository")
        return ""
    }

    @Test func noRunOfEightWordsFromTheArticleIsInTheManifest() throws {
        let source = Self.words(try Self.article())
        try #require(source.count > 2000, "the article was found and read")
        var runs = Set<String>()
        for start in 0...(source.count - 8) {
            runs.insert(source[start..<start + 8].joined(separator: " "))
        }
        let manifest = try String(contentsOf: repositoryRoot.appendingPathComponent("Audio/cues/de.yaml"), encoding: .utf8)
        for line in manifest.split(separator: "\n") where !line.hasPrefix("#") && line.contains(": ") {
            let text = Self.words(String(line.split(separator: ":", maxSplits: 1)[1]))
            guard text.count >= 8 else { continue }
            for start in 0...(text.count - 8) {
                let run = text[start..<start + 8].joined(separator: " ")
                #expect(!runs.contains(run), "copied from the article: \"\(run)\" in \(line.prefix(40))")
            }
        }
    }

    @Test func theCheckFindsACopiedSentence() throws {
        let source = Self.words(try Self.article())
        try #require(source.count > 2000, "the article was found and read")
        let copied = Self.words("Halte den Druck an einer Stelle für ungefähr 30 bis 90 Sekunden.")
        let runs = Set((0...(source.count - 8)).map { source[$0..<$0 + 8].joined(separator: " ") })
        #expect(runs.contains(copied[0..<8].joined(separator: " ")))
    }
}
