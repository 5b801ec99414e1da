import ArgumentParser
import AudioIO
import SessionKit

/// `psoas config`: where your settings are and what they set.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show your settings file and what it sets.",
        discussion: """
            Your defaults live in $XDG_CONFIG_HOME/psoas/config.yaml (~/.config/psoas/config.yaml). \
            Keys: voice, tones, breath, device, capture-device, and parameters (a mapping such as \
            'hold: 45' or 'level: beginner', applied to every session that has them). The command \
            line and $PSOAS_DEVICE win over them. Exits 65 when the file has a problem.
            """
    )

    @Flag(help: "Print only the file's path.")
    var path = false

    func run() throws {
        try reportingFailures {
            let file = Library.settingsPath
            if path {
                Console.output(file + "\n")
                return
            }
            guard FileBytes.exists(path: file) else {
                Console.output("\(file): no such file; psoas uses its own defaults\n")
                return
            }
            let settings = try Library.settings()
            var lines = ["\(file):"]
            func line(_ key: String, _ value: String?) {
                if let value { lines.append("  \(key): \(value)") }
            }
            line("voice", settings.voice)
            line("tones", settings.tones)
            line("breath", settings.breath.map { "\($0)" })
            line("device", settings.device)
            line("capture-device", settings.captureDevice)
            if !settings.parameters.isEmpty {
                lines.append("  parameters:")
                lines += settings.parameters.map { "    \($0.name): \($0.value)" }
            }
            if lines.count == 1 { lines.append("  (sets nothing)") }
            Console.output(lines.joined(separator: "\n") + "\n")
        }
    }
}
