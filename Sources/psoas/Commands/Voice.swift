import ArgumentParser
import AudioIO
import Foundation
import SessionKit
import Sound

/// `psoas voice`: voice packs and the cues they speak.
struct Voice: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Work with voice packs and the cue manifest.",
        subcommands: [Check.self, Cues.self, Normalize.self]
    )

    /// `psoas voice check`: is a pack complete, in time and at the right loudness?
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check a voice pack: cues without a clip, clips too long for their breath phase, clips off the loudness target.",
            discussion: "Exits 0 only when the pack is complete; 65 otherwise."
        )

        @Argument(help: ArgumentHelp("A pack name or folder.", valueName: "pack"))
        var pack: String = "de-espeak"

        func run() throws {
            try reportingFailures {
                let library = try Library.locate()
                let manifest = try library.manifest()
                let voicePack = try library.voicePack(pack, cues: manifest)
                let sessions = try library.builtinVariants(manifest: manifest)
                let report = PackCheck.run(pack: voicePack, manifest: manifest, sessions: sessions)
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

        func run() throws {
            try reportingFailures {
                let audio: MonoAudio
                let result: (audio: MonoAudio, loudness: Loudness)
                do throws(AudioIOError) {
                    audio = try SoundFileReader.readMono(path: input)
                    result = try ClipProcessor.prepare(audio)
                } catch {
                    throw Failure.data("error: \(input): \(error.message)")
                }
                do throws(OutputError) {
                    try ClipProcessor.write(result.audio, to: output, title: output)
                } catch {
                    throw Failure(outputError: error)
                }
                let loudness = (result.loudness.integrated * 10).rounded() / 10
                let peak = (result.loudness.truePeakDecibels * 10).rounded() / 10
                Console.error("\(output): \(loudness) LUFS, true peak \(peak) dBTP, \(String(format: "%.2f", result.audio.duration)) s")
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
