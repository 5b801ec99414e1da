import Foundation
import PsoasTestSupport
import Testing

/// The built-in sessions: all there, all valid, the lengths and options the article asks for.
@Suite struct BuiltinSessionTests {
    static let ids = ["atem", "psoas", "psoas-kurz", "ruhelage", "uebungen"]

    func plan(_ arguments: [String]) throws -> (frames: Int, events: [[String: Any]]) {
        let result = try runPsoas(["plan", "--json"] + arguments)
        #expect(result.status == 0, "\(arguments): \(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        return (try #require(object["frames"] as? Int), try #require(object["events"] as? [[String: Any]]))
    }

    func minutes(_ frames: Int) -> Double { Double(frames) / 48_000 / 60 }

    @Test func sessionsListsAllFiveWithDurationsAndEachPassesCheck() throws {
        let result = try runPsoas(["sessions", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(list.compactMap { $0["id"] as? String } == Self.ids)
        #expect(list.allSatisfy { ($0["seconds"] as? Double ?? 0) > 60 })
        let table = try runPsoas(["sessions"])
        for id in Self.ids {
            #expect(table.stdout.contains(id))
            let check = try runPsoas(["check", "Audio/sessions/\(id).yaml"], currentDirectory: repositoryRoot.path)
            #expect(check.status == 0, "\(id): \(check.stderr)")
        }
    }

    @Test func everyCueOfEveryVariantIsInTheManifestAndThePack() throws {
        let manifest = try String(contentsOf: repositoryRoot.appendingPathComponent("Audio/cues/de.yaml"), encoding: .utf8)
        let variants: [[String]] = Self.ids.map { [$0] }
            + ["beginner", "standard", "advanced"].map { ["psoas", "--level", $0] }
            + ["left", "right"].map { ["psoas", "--sides", $0] }
        for variant in variants {
            let events = try plan(variant).events
            for cue in Set(events.compactMap { $0["cue"] as? String }) {
                #expect(manifest.contains("\n\(cue): "), "\(variant): \(cue) not in the manifest")
                let clip = repositoryRoot.appendingPathComponent("Audio/voices/de-espeak/\(cue).flac").path
                #expect(FileManager.default.fileExists(atPath: clip), "\(variant): \(cue) has no clip")
            }
        }
    }

    @Test func sessionLengthsAreAsTheArticleAsks() throws {
        let psoas = minutes(try plan(["psoas"]).frames)
        #expect((18...30).contains(psoas), "psoas lasts \(psoas) min")
        let short = minutes(try plan(["psoas-kurz"]).frames)
        #expect((6...10).contains(short), "psoas-kurz lasts \(short) min")
        let rest = minutes(try plan(["ruhelage", "--rest", "10"]).frames)
        #expect(rest >= 10, "ruhelage --rest 10 lasts \(rest) min")
        let restTooLong = try runPsoas(["plan", "ruhelage", "--rest", "11"])
        #expect(restTooLong.status == 64)
    }

    @Test func levelChangesHoldsRepsAndTheToolSpoken() throws {
        func summary(_ level: String) throws -> (hold: Double, tensions: Int, cues: Set<String>) {
            let events = try plan(["psoas", "--level", level]).events
            let hold = try #require(events.first { $0["type"] as? String == "hold" }?["seconds"] as? Double)
            let tensions = events.filter { $0["type"] as? String == "tension" }.count
            return (hold, tensions, Set(events.compactMap { $0["cue"] as? String }))
        }
        let beginner = try summary("beginner")
        let standard = try summary("standard")
        let advanced = try summary("advanced")
        #expect(beginner.hold < standard.hold && standard.hold < advanced.hold)
        #expect(beginner.tensions < standard.tensions && standard.tensions < advanced.tensions)
        #expect(beginner.cues.contains("prep.tool.beginner") && advanced.cues.contains("prep.tool.advanced"))
        #expect(beginner.cues.contains("sink.intro.beginner"))
        // An explicit --hold wins over the level's default.
        let events = try plan(["psoas", "--level", "beginner", "--hold", "70"]).events
        #expect(events.first { $0["type"] as? String == "hold" }?["seconds"] as? Int == 70)
    }

    @Test func sidesLeftPlaysOneSide() throws {
        let both = try plan(["psoas"]).events
        let left = try plan(["psoas", "--sides", "left"]).events
        let holds = { (events: [[String: Any]]) in events.filter { $0["type"] as? String == "hold" }.count }
        #expect(holds(both) == 2)
        #expect(holds(left) == 1)
        let cues = Set(left.compactMap { $0["cue"] as? String })
        #expect(cues.contains("locate.left") && !cues.contains("locate.right"))
        let titles = left.compactMap { $0["title"] as? String }
        #expect(titles.contains("Halten (links)") && !titles.contains { $0.hasSuffix("(rechts)") })
    }

    @Test func everyHoldFromThirtyToNinetySecondsPlansAtEveryLevel() throws {
        for level in ["beginner", "standard", "advanced"] {
            for hold in stride(from: 30, through: 90, by: 5) {
                let result = try runPsoas(["plan", "psoas", "--level", level, "--hold", "\(hold)", "--json"])
                #expect(result.status == 0, "--level \(level) --hold \(hold): \(result.stderr)")
            }
        }
    }

    /// Every built-in session at every level it offers and at three breath patterns plans with
    /// the built-in clips: no cue is too long for its breath phase (that would exit 65).
    @Test func everySessionPlansAtEveryLevelAndBreathPattern() throws {
        var leveled: [String] = []
        for id in Self.ids {
            let file = try String(contentsOf: repositoryRoot.appendingPathComponent("Audio/sessions/\(id).yaml"), encoding: .utf8)
            let hasLevels = file.contains("\n  level: ")
            if hasLevels { leveled.append(id) }
            let levels: [[String]] = hasLevels ? ["beginner", "standard", "advanced"].map { ["--level", $0] } : [[]]
            for level in levels {
                for breath in ["4-6", "4-7-8", "4-2-6-0"] {
                    let arguments = ["plan", id] + level + ["--breath", breath, "--json"]
                    let result = try runPsoas(arguments)
                    #expect(result.status == 0, "\(arguments.joined(separator: " ")): \(result.stderr)")
                }
            }
        }
        #expect(leveled == ["psoas"])
    }

    @Test func breathSessionTakesPatternMinutesOrCycles() throws {
        let byMinutes = try plan(["atem", "--breath", "4-2-6", "--set", "minutes=2"])
        let inhales = byMinutes.events.filter { $0["type"] as? String == "breath" && $0["phase"] as? String == "inhale" }
        #expect(inhales.count == 10, "2 min of 12 s cycles")
        let byCycles = try plan(["atem", "--set", "cycles=7"])
        #expect(byCycles.events.filter { $0["type"] as? String == "breath" && $0["phase"] as? String == "inhale" }.count == 7)
    }

    @Test func theBuiltInVoicePackIsComplete() throws {
        let result = try runPsoas(["voice", "check", "de-espeak"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("complete"))
    }
}
