import ArgumentParser
import AudioIO
import Foundation
import Sound
import SystemIO

extension Voice {
    /// `psoas voice import`: recordings from a folder into a pack of the user's.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import recordings named <cue-id>.<wav|flac|ogg|mp3> into your voice pack NAME.",
            discussion: "Any rate and channel count: clips are resampled to 48 kHz mono, trimmed, normalised to -18 LUFS and saved as FLAC in $XDG_DATA_HOME/psoas/voices/NAME/. If any file cannot be used, or a clip is too long for a breath phase or wait its cue is spoken in by a built-in session, nothing is stored (exit 65)."
        )

        @Argument(help: "The pack's name (lowercase letters, digits, - and _).")
        var name: String

        @Argument(help: "The folder with the recordings.")
        var folder: String

        @OptionGroup var notices: NoticeOptions

        func validate() throws {
            if let problem = Library.problemWithPackName(name) { throw ValidationError(problem) }
        }

        func run() throws {
            notices.apply()
            try reportingFailures {
                let library = try Library.locate()
                let manifest = try library.manifest()
                guard FileBytes.isDirectory(path: folder) else { throw Failure.noInput("\(folder): no such folder") }
                let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
                    .filter { !$0.hasPrefix(".") && FileBytes.exists(path: folder + "/" + $0) }
                guard !files.isEmpty else { throw Failure.noInput("\(folder) holds no recordings") }
                let clips: [PackImport.Clip]
                let prepared = Console.withProgress { show in
                    PackImport.prepare(files: files, folder: folder, manifest: manifest,
                                       progress: show.map { show in { number, count, cue in show("importing \(number)/\(count): \(cue)") } })
                }
                switch prepared {
                case let .success(prepared): clips = prepared
                case let .failure(problems):
                    throw Failure(problems: problems.all.map { "\(folder)/\($0.description)" },
                                  code: .dataError, conclusion: "nothing was imported; pack '\(name)' is unchanged")
                }
                let check = try ClipLengthCheck(pack: name, replacing: Set(clips.map(\.cue)), library: library, manifest: manifest)
                let tooLong = check.tooLong(Dictionary(clips.map { ($0.cue, $0.audio) }) { _, later in later })
                if !tooLong.isEmpty {
                    let files = Dictionary(clips.map { ($0.cue, $0.file) }) { _, later in later }
                    throw Failure(problems: tooLong.map { "\(folder)/\(files[$0.fit.cue] ?? $0.fit.cue): \($0); record it again shorter (psoas voice record \(name) --cue \($0.fit.cue)) or cut it" },
                                  code: .dataError, conclusion: "nothing was imported; pack '\(name)' is unchanged")
                }
                let target = try Library.userPackFolder(name)
                for clip in clips {
                    do throws(OutputError) {
                        try ClipProcessor.write(clip.audio, to: "\(target)/\(clip.cue).flac", title: manifest.text(for: clip.cue) ?? clip.cue)
                    } catch {
                        throw Failure(outputError: error)
                    }
                }
                let total = (try? VoicePack.open(directory: target, cues: manifest).clipPaths.count) ?? clips.count
                Console.notice("imported \(clips.count) clip\(clips.count == 1 ? "" : "s") into \(name) (\(target)); it has \(total) of \(manifest.ids.count) cues, the rest come from \(Library.builtinVoice)")
            }
        }
    }
}
