import ArgumentParser
import Planning
import SessionKit

/// `psoas check`: validate session files without playing them.
struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check session files: keys, values, cue ids and timing.",
        discussion: "Exits 0 when every file is valid, 65 when one has problems, 66 when one is missing."
    )

    @Argument(help: ArgumentHelp("Session files to check (- reads standard input).", valueName: "file"))
    var files: [String]

    @Option(help: ArgumentHelp("The voice pack whose clip lengths the timing is checked with (default: your settings' 'voice', else de-espeak).", valueName: "name"), completion: Completions.voicePacks)
    var voice: String?

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one session file") }
    }

    @OptionGroup var notices: NoticeOptions

    func run() throws {
        notices.apply()
        var worst: Int32 = 0
        let library: Library
        let manifest: CueManifest
        let voice: String
        do {
            library = try Library.locate()
            manifest = try library.manifest()
            voice = try self.voice ?? Library.settings().voice ?? Library.builtinVoice
        } catch {
            try reportingFailures { throw error }
            return
        }
        for file in files {
            do {
                try reportingFailures {
                    let source = try library.source(at: file)
                    let session = try SessionLoader(cues: manifest).load(source)
                    let pack = try library.voicePack(voice, cues: manifest)
                    let timeline = try PlannedSession.plan(session, source: source, manifest: manifest,
                                                           pack: pack, voice: voice, options: PlanOptions())
                    Console.error("\(file): ok (\(session.id), \(timeline.lengthText(timeline.frameCount)))")
                }
            } catch let exit as ExitCode {
                // A missing file (66) outranks a bad one (65).
                let missing = Failure.ExitCodeValue.noInput.rawValue
                worst = worst == missing || exit.rawValue == missing ? missing : max(worst, exit.rawValue)
            }
        }
        if worst != 0 { throw ExitCode(worst) }
    }
}
