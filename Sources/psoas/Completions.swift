import ArgumentParser
import Foundation
import SessionKit
import SystemIO

/// What the shell completion scripts (`psoas --generate-completion-script`) offer for the
/// values psoas knows: built-in session ids, voice pack names and cue ids. The scripts run
/// psoas to ask; these never print or fail, they offer nothing instead.
enum Completions {
    /// Built-in session ids.
    static let sessions = CompletionKind.custom { _, _, prefix in
        matching(prefix, (try? Library.locate())?.builtinSessionIDs() ?? [])
    }

    /// Voice pack names: the built-in packs and the user's own.
    static let voicePacks = CompletionKind.custom { _, _, prefix in
        matching(prefix, (try? Library.locate())?.packNames() ?? [])
    }

    /// Cue ids of the manifest.
    static let cues = CompletionKind.custom { _, _, prefix in
        matching(prefix, (try? Library.locate().manifest())?.ids ?? [])
    }

    private static func matching(_ prefix: String, _ words: [String]) -> [String] {
        words.filter { $0.hasPrefix(prefix) }
    }
}

extension Library {
    /// The names of the voice packs, built-in and the user's own, sorted, each once.
    func packNames() -> [String] {
        let builtin = (try? FileManager.default.contentsOfDirectory(atPath: audioDirectory + "/voices")) ?? []
        let own = (try? FileManager.default.contentsOfDirectory(atPath: Self.userVoicesDirectory)) ?? []
        let packs = builtin.filter { FileBytes.exists(path: voiceDirectory($0) + "/pack.yaml") }
            + own.filter { FileBytes.exists(path: Self.userVoicesDirectory + "/" + $0 + "/pack.yaml") }
        return Array(Set(packs)).sorted()
    }
}
