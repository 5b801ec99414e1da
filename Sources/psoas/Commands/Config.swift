import ArgumentParser
import Planning
import SessionKit
import SystemIO

/// `psoas config`: where your settings are and what they set.
struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Show your settings file, what it sets, its problems, and the Audio folder in use.",
        discussion: """
            Your defaults live in $XDG_CONFIG_HOME/psoas/config.yaml (~/.config/psoas/config.yaml). \
            Keys: voice, tones, breath, device, capture-device, stall-limit, mpris (false: not on the D-Bus \
            session bus), and parameters (a mapping such as \
            'hold: 45' or 'level: beginner', applied to every session that has them). The command \
            line and $PSOAS_DEVICE win over them. Checks the file against the built-in sessions and \
            voice packs and exits 65 when anything is wrong, naming every problem's line and column.
            """
    )

    @Flag(help: "Print only the file's path.")
    var path = false

    @OptionGroup var notices: NoticeOptions

    func run() throws {
        notices.apply()
        try reportingFailures {
            let file = Library.settingsPath
            if path {
                Console.output(file + "\n")
                return
            }
            let library = try Library.locate()
            let audio = "Audio folder: \(library.audioDirectory) (\(library.origin))\n"
            guard FileBytes.exists(path: file) else {
                Console.output("\(file): no such file; psoas uses its own defaults\n" + audio)
                return
            }
            let settings = try Library.settings()
            var lines = ["\(file):"]
            func line(_ key: String, _ value: String?) {
                if let value { lines.append("  \(key): \(value)") }
            }
            line("voice", settings.voice)
            line("tones", settings.tones?.rawValue)
            line("breath", settings.breath.map { "\($0)" })
            line("device", settings.device)
            line("capture-device", settings.captureDevice)
            line("mpris", settings.mpris.map { "\($0)" })
            line("stall-limit", settings.stallLimit.map { "\($0)" })
            if !settings.parameters.isEmpty {
                lines.append("  parameters:")
                lines += settings.parameters.map { "    \($0.name): \($0.value)" }
            }
            if lines.count == 1 { lines.append("  (sets nothing)") }
            Console.output(lines.joined(separator: "\n") + "\n" + audio)
            let problems = try Self.problems(settings, library: library)
            guard problems.isEmpty else {
                throw Failure(diagnostics: DiagnosticList(problems, source: (try? library.source(at: file))?.text))
            }
        }
    }

    /// Every problem the settings have with the built-in sessions and voice packs, each at its
    /// place in the file: parameters no session has, values a session refuses, a voice pack
    /// that does not exist or does not fit.
    static func problems(_ settings: Settings, library: Library) throws -> [Diagnostic] {
        let manifest = try library.manifest()
        var problems: [Diagnostic] = []
        func add(_ place: FilePlace?, _ message: String) {
            guard let place else { return }
            let diagnostic = Diagnostic(path: place.path, location: place.location, message: message)
            if !problems.contains(diagnostic) { problems.append(diagnostic) }
        }
        var declared: [Parameter] = []
        for id in library.builtinSessionIDs() {
            declared += try SessionLoader(cues: manifest).load(library.source(at: library.sessionPath(for: id))).parameters
        }
        for value in settings.parameters {
            let declarations = declared.filter { $0.name == value.name }
            guard !declarations.isEmpty else {
                var names: [String] = []
                for name in declared.map(\.name) where !names.contains(name) { names.append(name) }
                add(settings.places["parameters." + value.name] ?? value.place,
                    "parameter '\(value.name)': no built-in session has it; they have: \(names.joined(separator: ", "))")
                continue
            }
            for problem in declarations.compactMap({ $0.problem(with: value.value) }) {
                add(value.place, "\(value.option): \(problem)")
            }
        }
        var voice = settings.voice ?? Library.builtinVoice
        do {
            _ = try library.voicePack(voice, cues: manifest)
        } catch let failure as Failure {
            add(settings.places["voice"], failure.problems.first ?? "voice pack '\(voice)' cannot be read; 'psoas voice check \(voice)' says why")
            voice = Library.builtinVoice
        }
        for id in library.builtinSessionIDs() {
            do {
                _ = try PlannedSession.prepare(id, library: library, overrides: settings.overrides, voice: voice,
                                               options: PlanOptions(tones: settings.tones ?? .glide,
                                                                    ambience: settings.ambience ?? .surf),
                                               reportingFallback: false)
            } catch let error as OverrideError {
                add(error.place, error.message)
            } catch let failure as Failure {
                add(settings.places["voice"], failure.problems.first ?? "")
            }
        }
        return problems.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) }
    }
}
