import Foundation
import SessionKit
import Sound
import SystemIO

/// Where the built-in sessions, the cue manifest and the voice packs are: the `Audio/` folder.
///
/// Found from `PSOAS_AUDIO_DIR`, else installed beside the executable (`../share/psoas`), else
/// in the source tree psoas was built from; never from the current folder.
struct Library {
    let audioDirectory: String
    /// Where the choice came from, for `psoas config`.
    var origin = ""

    static func locate() throws -> Library {
        if let override = environmentValue("PSOAS_AUDIO_DIR") {
            guard FileBytes.isDirectory(path: override + "/sessions") else {
                throw Failure.noInput("PSOAS_AUDIO_DIR=\(override) has no sessions/ folder")
            }
            return Library(audioDirectory: override, origin: "$PSOAS_AUDIO_DIR")
        }
        // The running executable itself, wherever it was started from (PATH, a relative path).
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        let installed = executable.deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("share/psoas").standardizedFileURL.path
        if FileBytes.isDirectory(path: installed + "/sessions") {
            return Library(audioDirectory: installed, origin: "installed beside \(executable.path)")
        }
        let built = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Audio").path
        if FileBytes.isDirectory(path: built + "/sessions") {
            return Library(audioDirectory: built, origin: "the source tree psoas was built from")
        }
        throw Failure.noInput("cannot find the Audio folder with the built-in sessions (not in \(installed) nor \(built)); set PSOAS_AUDIO_DIR")
    }

    var sessionsDirectory: String { audioDirectory + "/sessions" }
    var manifestPath: String { audioDirectory + "/cues/de.yaml" }
    func voiceDirectory(_ name: String) -> String { audioDirectory + "/voices/" + name }

    /// Standard input, read to its end once (so `check - -` reads the same text twice).
    static let standardInput: [UInt8] = Array(FileHandle.standardInput.readDataToEndOfFile())

    /// The ids of the built-in sessions, sorted.
    func builtinSessionIDs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: sessionsDirectory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// Reads a text file the user named or a built-in one; `-` is standard input, named
    /// `<stdin>` in diagnostics.
    /// - Throws: ``Failure`` (66) when it is missing; ``DiagnosticList`` when it is not text.
    func source(at path: String) throws -> SourceFile {
        if path == "-" { return try SourceFile(path: "<stdin>", bytes: Self.standardInput) }
        guard let bytes = FileBytes.read(path: path) else {
            if FileBytes.isDirectory(path: path) { throw Failure.noInput("\(path): is a folder, not a file") }
            throw Failure.noInput("\(path): no such file")
        }
        return try SourceFile(path: path, bytes: bytes)
    }

    /// The path of a session named on the command line: `-` is standard input; a path (it
    /// contains `/` or ends in `.yaml`) is a file; a name is a built-in session, also when a file of that name is here.
    func sessionPath(for name: String) throws -> String {
        if name == "-" || name.contains("/") || name.hasSuffix(".yaml") { return name }
        let builtin = "\(sessionsDirectory)/\(name).yaml"
        let file = FileBytes.exists(path: name)
        if FileBytes.exists(path: builtin) {
            if file { Console.notice("note: '\(name)' is the built-in session; for the file of that name write ./\(name)") }
            return builtin
        }
        let known = builtinSessionIDs().joined(separator: ", ")
        let hint = file ? "; for the file of that name write ./\(name)" : ""
        throw Failure.noInput("no built-in session '\(name)' (\(known))\(hint)")
    }

    func manifest() throws -> CueManifest {
        try CueManifest.load(source(at: manifestPath))
    }

    /// The pack every other falls back to.
    static let builtinVoice = "de-espeak"

    /// psoas's folder for the user's data: `$XDG_DATA_HOME/psoas` (default `~/.local/share/psoas`).
    static var dataDirectory: String {
        let data = environmentValue("XDG_DATA_HOME")
            ?? (ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return data + "/psoas"
    }

    /// The user's settings file: `$XDG_CONFIG_HOME/psoas/config.yaml` (default `~/.config/psoas/config.yaml`).
    static var settingsPath: String {
        let config = environmentValue("XDG_CONFIG_HOME")
            ?? (ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return config + "/psoas/config.yaml"
    }

    /// The user's settings; none when the file does not exist.
    /// - Throws: ``DiagnosticList`` (65) naming every problem in the file.
    static func settings() throws -> Settings {
        let path = settingsPath
        guard let bytes = FileBytes.read(path: path) else {
            if FileBytes.exists(path: path) { throw Failure.data("cannot read \(path)") }
            return Settings()
        }
        return try Settings.load(try SourceFile(path: path, bytes: bytes))
    }

    /// Where the user's own packs live: `$XDG_DATA_HOME/psoas/voices/`.
    static var userVoicesDirectory: String { dataDirectory + "/voices" }

    /// An environment variable's value, `nil` when unset or empty.
    static func environmentValue(_ name: String) -> String? {
        ProcessInfo.processInfo.environment[name].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// Why `name` cannot name a pack of the user's, or `nil` when it can.
    static func problemWithPackName(_ name: String) -> String? {
        guard !name.isEmpty, name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" }) else {
            return "'\(name)' is not a pack name: use lowercase letters, digits, - and _"
        }
        return name == builtinVoice ? "'\(name)' is the built-in pack; choose another name" : nil
    }

    /// The folder of the user's pack `name`, created with its `pack.yaml` if it is new.
    /// - Throws: ``Failure`` (73) when it cannot be created.
    static func userPackFolder(_ name: String) throws -> String {
        let target = userVoicesDirectory + "/" + name
        do {
            try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        } catch {
            throw Failure(message: "cannot create \(target): \(error.localizedDescription)", code: .cannotCreate)
        }
        if !FileBytes.exists(path: target + "/pack.yaml") {
            let pack = "name: \(name)\nlanguage: de\nspeaker: \"\(name)\"\nloudness: \(ClipProcessor.targetLoudness)\nformat: flac\n"
            try OutputFile.writeAtomically(Data(pack.utf8), to: target + "/pack.yaml")
        }
        return target
    }

    /// The folder of the pack called `name`: a path, a pack of the user's, or a built-in one.
    func voiceFolder(_ name: String) -> String {
        if name.contains("/") { return name }
        let own = Self.userVoicesDirectory + "/" + name
        if FileBytes.exists(path: own + "/pack.yaml") { return own }
        return voiceDirectory(name)
    }

    /// Opens a voice pack by name or folder. Unless `fallback` is off, cues it lacks are taken
    /// from the built-in pack.
    func voicePack(_ name: String, cues: CueManifest, fallback: Bool = true) throws -> VoicePack {
        let folder = voiceFolder(name)
        if !name.contains("/"), !FileBytes.isDirectory(path: folder) {
            throw Failure.noInput("no voice pack '\(name)': neither yours (in \(Self.userVoicesDirectory)) nor built in; 'psoas voice list' shows them")
        }
        let pack: VoicePack
        do {
            pack = try VoicePack.open(directory: folder, cues: cues)
        } catch {
            throw Failure(packError: error)
        }
        guard fallback, pack.manifest.name != Self.builtinVoice else { return pack }
        do {
            return pack.fallingBack(to: try VoicePack.open(directory: voiceDirectory(Self.builtinVoice), cues: cues))
        } catch {
            throw Failure(packError: error)
        }
    }
}

extension Failure {
    init(packError: VoicePack.LoadError) {
        switch packError {
        case let .missing(path):
            self = .noInput("\(path): no such voice pack file")
        case let .invalid(list):
            self = Failure(diagnostics: list)
        case let .badClip(cue, error):
            self = .data("clip for cue '\(cue)' cannot be read: \(error)")
        }
    }
}

extension Library {
    /// Every built-in session at its defaults and at each of its levels, labelled, for
    /// checks that must hold for all of them.
    func builtinVariants(manifest: CueManifest) throws -> [(label: String, session: Session)] {
        var variants: [(label: String, session: Session)] = []
        let loader = SessionLoader(cues: manifest)
        for id in builtinSessionIDs() {
            let source = try source(at: "\(sessionsDirectory)/\(id).yaml")
            let session = try loader.load(source)
            variants.append((id, session))
            let levels = session.parameters.first { $0.name == "level" }?.choices ?? []
            for level in levels {
                let overrides = SessionOverrides(values: [.init(name: "level", value: level, option: "--level")])
                variants.append(("\(id) --level \(level)", try loader.load(source, overrides: overrides)))
            }
        }
        return variants
    }
}
