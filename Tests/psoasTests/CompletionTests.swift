import Foundation
import PsoasTestSupport
import Testing

/// Shell completions: the generated script asks psoas for session ids, voice pack names and
/// cue ids the way swift-argument-parser's scripts do (`psoas ---completion …`).
@Suite struct CompletionTests {
    /// The built-in session ids, from the Audio folder the tests use.
    var builtinSessions: [String] {
        let folder = repositoryRoot.appendingPathComponent("Audio/sessions").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Runs the completion helper as the bash script does: the subcommands, `--`, the argument
    /// (`positional@N` or its option name), the index of the word completed, the cursor position
    /// in it, then the command line's words ending with the word being completed.
    func complete(_ subcommands: [String], _ argument: String, words: [String]) throws -> [String] {
        let result = try runPsoas(["---completion"] + subcommands + ["--", argument,
                                   "\(words.count - 1)", "\(words.last?.count ?? 0)"] + words)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty)
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test func theBashScriptAsksPsoasForSessionsPacksAndCues() throws {
        let result = try runPsoas(["--generate-completion-script", "bash"])
        #expect(result.status == 0, "\(result.stderr)")
        for call in ["---completion play -- positional@0", "---completion export -- positional@0",
                     "---completion plan -- positional@0", "---completion play -- --voice",
                     "---completion export -- --voice", "---completion voice record -- --cue"] {
            #expect(result.stdout.contains(call), "the script calls '\(call)'")
        }
    }

    @Test(arguments: ["play", "export", "plan"])
    func sessionArgumentsCompleteTheBuiltinSessionIDs(command: String) throws {
        #expect(builtinSessions.contains("psoas-kurz"))
        #expect(try complete([command], "positional@0", words: ["psoas", command, ""]) == builtinSessions)
        #expect(try complete([command], "positional@0", words: ["psoas", command, "psoas"])
                == builtinSessions.filter { $0.hasPrefix("psoas") })
    }

    @Test func voiceCompletesThePackNames() throws {
        #expect(try complete(["export"], "--voice", words: ["psoas", "export", "--voice", ""]) == ["de-espeak"])
        #expect(try complete(["voice", "check"], "positional@0", words: ["psoas", "voice", "check", "de"]) == ["de-espeak"])
        #expect(try complete(["breathe", "calibrate"], "--voice", words: ["psoas", "breathe", "calibrate", "--voice", ""]) == ["de-espeak"])
    }

    @Test func cueCompletesTheCueIDs() throws {
        let all = try complete(["voice", "record"], "--cue", words: ["psoas", "voice", "record", "anna", "--cue", ""])
        #expect(all.contains("intro.welcome"))
        #expect(all.contains("hold.start"))
        let holds = try complete(["voice", "record"], "--cue", words: ["psoas", "voice", "record", "anna", "--cue", "hold."])
        #expect(!holds.isEmpty)
        #expect(holds.allSatisfy { $0.hasPrefix("hold.") })
        #expect(holds == all.filter { $0.hasPrefix("hold.") })
    }
}
