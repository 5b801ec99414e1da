import ArgumentParser
import AudioIO
import Foundation
import Sound
import SystemIO

extension Voice {
    /// `psoas voice normalize`: the clip processing of voice packs, for Scripts/render-voice.
    struct Normalize: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "normalize",
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
                    let rate = SpeechRate(text: text, seconds: result.audio.seconds)
                    pace = String(format: ", %d words, %.1f words/min", rate.words, rate.wordsPerMinute)
                        + (rate.isRated ? "" : " (too short to rate)")
                }
                Console.error("\(output): \(loudness) LUFS, true peak \(peak) dBTP, \(String(format: "%.2f", result.audio.seconds)) s\(pace)")
            }
        }
    }
}
