import ArgumentParser
import Foundation

/// Every command names itself (`commandName:`): without a name swift-argument-parser derives one
/// from `String(describing:)` of the type at every start, for every command, and those reflection
/// lookups cost a fifth of the instructions of `psoas plan` (CommandNameTests keeps them named).
@main
struct Psoas: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "psoas",
        abstract: "A guided psoas self-massage for closed eyes: German voice cues on the breath.",
        discussion: """
            Sessions are YAML files; the built-in ones live in the Audio folder's sessions/ \
            (see 'psoas sessions'): $PSOAS_AUDIO_DIR, else ../share/psoas beside the executable, \
            else the source tree psoas was built from ('psoas config' shows which). Your own defaults go in ~/.config/psoas/config.yaml \
            (see 'psoas config'). Human text goes to stderr, data to stdout.

            Exit codes: 0 ok, 64 usage, 65 bad session/cue/pack data, 66 input file missing, \
            69 audio device unavailable, 73 cannot create output, 74 I/O error, 130 interrupted, \
            141 the reader of the output went away.
            """,
        version: version,
        subcommands: [Play.self, Export.self, Plan.self, Check.self, Sessions.self, Breathe.self, Ctl.self, Log.self, Voice.self, Config.self, Devices.self],
        defaultSubcommand: nil
    )

    /// Parses and runs a command; a usage error is reported like every other problem.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            guard code != .success, message.hasPrefix("Error: ") else { exit(withError: error) }
            Console.problem(String(message.dropFirst("Error: ".count)))
            Foundation.exit(code.rawValue)
        }
    }
}
