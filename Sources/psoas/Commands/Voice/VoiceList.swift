import ArgumentParser
import Foundation
import Sound

extension Voice {
    /// `psoas voice list`: the packs and how many cues each speaks.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the voice packs with their cue coverage.")

        func run() throws {
            try reportingFailures {
                let library = try Library.locate()
                let manifest = try library.manifest()
                let builtin = (try? FileManager.default.contentsOfDirectory(atPath: library.audioDirectory + "/voices")) ?? []
                let own = (try? FileManager.default.contentsOfDirectory(atPath: Library.userVoicesDirectory)) ?? []
                var text = ""
                for (name, folder, kind) in builtin.sorted().map({ ($0, library.voiceDirectory($0), "built-in") })
                    + own.sorted().map({ ($0, Library.userVoicesDirectory + "/" + $0, "yours") }) {
                    guard let pack = try? VoicePack.open(directory: folder, cues: manifest) else { continue }
                    let count = pack.clipPaths.count
                    let rest = count < manifest.ids.count && name != Library.builtinVoice ? " (the rest from \(Library.builtinVoice))" : ""
                    text += "\(name.padded(14))  \(kind.padded(8))  \(count)/\(manifest.ids.count) cues\(rest)  \(folder)\n"
                }
                Console.output(text)
            }
        }
    }
}
