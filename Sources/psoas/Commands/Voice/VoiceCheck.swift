import ArgumentParser
import Foundation
import Sound

extension Voice {
    /// `psoas voice check`: is a pack complete, in time and at the right loudness?
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Check a voice pack: cues without a clip, clips too long for their breath phase, clips off the loudness target.",
            discussion: "Prints every clip's words per minute on stdout (informational). Exits 0 only when the pack is complete; 65 otherwise."
        )

        @Argument(help: ArgumentHelp("A pack name or folder.", valueName: "pack"), completion: Completions.voicePacks)
        var pack: String = "de-espeak"

        func run() throws {
            try reportingFailures {
                let library = try Library.locate()
                let manifest = try library.manifest()
                let voicePack = try library.voicePack(pack, cues: manifest, fallback: false)
                // The cues it has no clip for are planned with the built-in pack's, as play does.
                let fallback = voicePack.manifest.name == Library.builtinVoice ? nil
                    : try library.voicePack(Library.builtinVoice, cues: manifest, fallback: false)
                let sessions = try library.builtinVariants(manifest: manifest)
                let report = PackCheck.run(pack: voicePack, fallback: fallback, manifest: manifest, sessions: sessions)
                Console.output(Self.paceTable(report.rates))
                var lines: [String] = []
                for id in report.missing { lines.append("missing clip: \(id)") }
                for problem in report.timing { lines.append("too long: \(problem)") }
                for problem in report.loudness { lines.append("loudness: \(problem)") }
                lines.forEach { Console.error($0) }
                let summary = "\(voicePack.manifest.name): \(report.clipCount) of \(manifest.ids.count) cues have a clip; \(sessions.count) session variants planned"
                guard report.isComplete else {
                    throw Failure.data("\(summary); \(lines.count) problem\(lines.count == 1 ? "" : "s")")
                }
                Console.error("\(summary); complete")
            }
        }

        /// Every clip's length, words and words per minute, then the spread over the clips the
        /// calm band applies to.
        static func paceTable(_ rates: [(cue: String, rate: SpeechRate)]) -> String {
            guard !rates.isEmpty else { return "" }
            let width = max(4, rates.map(\.cue.count).max() ?? 0)
            var text = "cue".padded(width) + "  seconds  words  words/min\n"
            for (cue, rate) in rates {
                let note = rate.problem.map { "  " + $0 } ?? (rate.isRated ? "" : "  (too short to rate)")
                text += cue.padded(width) + String(format: "  %7.2f  %5d  %9.1f", rate.seconds, rate.words, rate.wordsPerMinute) + note + "\n"
            }
            let rated = rates.map(\.rate).filter(\.isRated).map(\.wordsPerMinute).sorted()
            let fastest = rates.map(\.rate.wordsPerMinute).max() ?? 0
            if !rated.isEmpty {
                let middle = rated.count / 2
                let median = rated.count % 2 == 1 ? rated[middle] : (rated[middle - 1] + rated[middle]) / 2
                text += String(format: "words/min of %d rated clips: min %.1f, median %.1f, max %.1f; fastest clip %.1f (rule: ",
                               rated.count, rated[0], median, rated[rated.count - 1], fastest) + SpeechRate.ruleDescription + ")\n"
            }
            return text
        }
    }
}
