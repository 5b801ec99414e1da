import ArgumentParser
import AudioIO
import Foundation
import SessionKit
import Sound
import SystemIO

/// `psoas voice`: voice packs and the cues they speak.
struct Voice: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with voice packs and the cue manifest.",
        subcommands: [List.self, Record.self, Import.self, Check.self, Cues.self, Normalize.self]
    )

    /// `psoas voice list`: the packs and how many cues each speaks.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the voice packs with their cue coverage.")

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

    /// `psoas voice import`: recordings from a folder into a pack of the user's.
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
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

    /// `psoas voice check`: is a pack complete, in time and at the right loudness?
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a voice pack: cues without a clip, clips too long for their breath phase, clips off the loudness target.",
            discussion: "Prints every clip's words per minute on stdout (informational). Exits 0 only when the pack is complete; 65 otherwise."
        )

        @Argument(help: ArgumentHelp("A pack name or folder.", valueName: "pack"), completion: Completions.voicePacks)
        var pack: String = "de-espeak"

        func run() throws {
            try reportingFailures {
                let library = try Library.locate()
                let manifest = try library.manifest()
                let voicePack = try library.voicePack(pack, cues: manifest, fallback: false)
                // The cues it has no clip for are planned with the built-in pack's, as play does.
                let fallback = voicePack.manifest.name == Library.builtinVoice ? nil
                    : try library.voicePack(Library.builtinVoice, cues: manifest, fallback: false)
                let sessions = try library.builtinVariants(manifest: manifest)
                let report = PackCheck.run(pack: voicePack, fallback: fallback, manifest: manifest, sessions: sessions)
                Console.output(Self.paceTable(report.rates))
                var lines: [String] = []
                for id in report.missing { lines.append("missing clip: \(id)") }
                for problem in report.timing { lines.append("too long: \(problem)") }
                for problem in report.loudness { lines.append("loudness: \(problem)") }
                lines.forEach { Console.error($0) }
                let summary = "\(voicePack.manifest.name): \(report.clipCount) of \(manifest.ids.count) cues have a clip; \(sessions.count) session variants planned"
                guard report.isComplete else {
                    throw Failure.data("\(summary); \(lines.count) problem\(lines.count == 1 ? "" : "s")")
                }
                Console.error("\(summary); complete")
            }
        }

        /// Every clip's length, words and words per minute, then the spread over the clips the
        /// calm band applies to.
        static func paceTable(_ rates: [(cue: String, rate: SpeechRate)]) -> String {
            guard !rates.isEmpty else { return "" }
            let width = max(4, rates.map(\.cue.count).max() ?? 0)
            var text = "cue".padded(width) + "  seconds  words  words/min\n"
            for (cue, rate) in rates {
                let note = rate.problem.map { "  " + $0 } ?? (rate.isRated ? "" : "  (too short to rate)")
                text += cue.padded(width) + String(format: "  %7.2f  %5d  %9.1f", rate.seconds, rate.words, rate.wordsPerMinute) + note + "\n"
            }
            let rated = rates.map(\.rate).filter(\.isRated).map(\.wordsPerMinute).sorted()
            let fastest = rates.map(\.rate.wordsPerMinute).max() ?? 0
            if !rated.isEmpty {
                let middle = rated.count / 2
                let median = rated.count % 2 == 1 ? rated[middle] : (rated[middle - 1] + rated[middle]) / 2
                text += String(format: "words/min of %d rated clips: min %.1f, median %.1f, max %.1f; fastest clip %.1f (rule: ",
                               rated.count, rated[0], median, rated[rated.count - 1], fastest) + SpeechRate.ruleDescription + ")\n"
            }
            return text
        }
    }

    /// `psoas voice normalize`: the clip processing of voice packs, for Scripts/render-voice.
    struct Normalize: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Process one clip for a voice pack: 48 kHz mono, trimmed, -18 LUFS, true peak <= -1 dBTP, 5 ms fades.",
            shouldDisplay: false
        )

        @Argument(help: "The audio file to read.")
        var input: String

        @Argument(help: "The FLAC file to write.")
        var output: String

        @Option(help: "The clip's German text: the report then gives its words and words per minute.")
        var text: String?

        func run() throws {
            try reportingFailures {
                let audio: MonoAudio
                let result: (audio: MonoAudio, loudness: Loudness)
                do throws(AudioIOError) {
                    audio = try SoundFileReader.readMono(path: input)
                    result = try ClipProcessor.prepare(audio)
                } catch {
                    throw Failure.data("\(input): \(error.message)")
                }
                do throws(OutputError) {
                    try ClipProcessor.write(result.audio, to: output, title: output)
                } catch {
                    throw Failure(outputError: error)
                }
                let loudness = (result.loudness.integrated * 10).rounded() / 10
                let peak = (result.loudness.truePeakDecibels * 10).rounded() / 10
                var pace = ""
                if let text {
                    let rate = SpeechRate(text: text, seconds: result.audio.duration)
                    pace = String(format: ", %d words, %.1f words/min", rate.words, rate.wordsPerMinute)
                        + (rate.isRated ? "" : " (too short to rate)")
                }
                Console.error("\(output): \(loudness) LUFS, true peak \(peak) dBTP, \(String(format: "%.2f", result.audio.duration)) s\(pace)")
            }
        }
    }

    /// `psoas voice cues`: every cue id with its German text.
    struct Cues: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every cue id and its German text, tab-separated, on stdout."
        )

        func run() throws {
            try reportingFailures {
                let manifest = try Library.locate().manifest()
                var text = ""
                for id in manifest.ids {
                    text += id + "\t" + (manifest.text(for: id) ?? "") + "\n"
                }
                Console.output(text)
            }
        }
    }
}
