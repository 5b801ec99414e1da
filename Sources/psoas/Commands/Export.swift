import ArgumentParser
import AudioIO
import Foundation
import Planning
import SessionKit
import Sound
import SystemIO

extension AudioFileFormat: ExpressibleByArgument {}
extension LoudnessTarget: ExpressibleByArgument {}

/// `psoas export`: render a session to an audio file.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Render a session to an audio file (WAV, FLAC, Ogg Vorbis, MP3 or raw PCM).",
        discussion: """
            The format follows the file's extension unless --format says otherwise. \
            '-o - --format raw' writes signed 16-bit little-endian PCM to stdout. \
            The file appears only when it is complete; an existing file is replaced only then \
            (a symbolic link's target is replaced; its mode is kept). A character device, FIFO or \
            socket is written directly; one that cannot seek takes raw PCM only. \
            When the reader of the output goes away, psoas stops quietly with exit 141.
            """
    )

    @Argument(help: ArgumentHelp("A built-in session id, a session file, or - for standard input.", valueName: "session"), completion: Completions.sessions)
    var session: String = "psoas"

    @OptionGroup var target: ExportOptions
    @OptionGroup var options: SessionOptions
    @OptionGroup var outputFormat: FormatOptions

    func validate() throws {
        guard target.output != nil else { throw ValidationError("name the file to write with -o PATH (or -o - --format raw)") }
        _ = try target.resolvedFormat()
    }

    @OptionGroup var notices: NoticeOptions

    func run() throws {
        notices.apply()
        try reportingFailures {
            try target.export(try options.planned(session, format: outputFormat, settings: try Library.settings()))
        }
    }
}

/// Where and how `export` and `breathe -o` write.
struct ExportOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write, or - for stdout (raw only).", valueName: "path"))
    var output: String?

    @Option(help: "wav, flac, ogg, mp3 or raw (default: from the extension).")
    var format: AudioFileFormat?

    @Option(help: ArgumentHelp("Also write WebVTT captions of every cue to this file (- for stdout).", valueName: "path.vtt"))
    var captions: String?

    @Option(help: ArgumentHelp("Bring the whole file to a loudness: podcast (−16 LUFS stereo, −19 LUFS mono), broadcast (−23 LUFS) or none (as rendered, about −21 LUFS). True peak stays at or under −1 dBTP either way.", valueName: "target"))
    var loudness: LoudnessTarget = .none

    func resolvedFormat() throws -> AudioFileFormat {
        if output == "-", captions == "-" { throw ValidationError("-o - and --captions -: only one can go to standard output") }
        if let format {
            if output == "-", format != .raw { throw ValidationError("-o - writes raw PCM only: use --format raw") }
            if let output, let named = AudioFileFormat(path: output), named != format {
                throw ValidationError("-o \(output) --format \(format.rawValue): the file's extension says \(named.rawValue); name it for \(format.rawValue) or leave out --format")
            }
            return format
        }
        guard let output else { return .wav }
        if output == "-" { throw ValidationError("-o - writes to stdout: add --format raw") }
        guard let fromExtension = AudioFileFormat(path: output) else {
            throw ValidationError("cannot tell the format of '\(output)' from its extension; add --format wav|flac|ogg|mp3|raw")
        }
        return fromExtension
    }

    /// Renders `planned` to ``output``; throws the documented exit codes.
    func export(_ planned: PlannedSession) throws {
        guard let output else { throw Failure.usage("name the file to write with -o PATH") }
        let format = try resolvedFormat()
        let timeline = planned.timeline
        if let problem = format.capacityProblem(frameCount: timeline.frameCount, sampleRate: timeline.sampleRate) {
            throw Failure.usage(problem)
        }
        let renderer = try planned.renderer(decoding: .ahead)
        if let lufs = loudness.lufs(channelCount: timeline.channelCount) {
            do {
                try LoudnessTarget.match(renderer, to: lufs)
            } catch {
                throw Failure(message: "cannot measure the loudness: \(error.message)", code: .ioError)
            }
        }
        do throws(OutputError) {
            // Every output is opened before anything is rendered, and all are committed
            // together at the end: the audio and its captions appear both or neither.
            var companions: [OutputTarget] = []
            if let captions {
                let target = try OutputTarget.at(captions, seekable: false)
                companions.append(target)
                try target.write(Array(timeline.webVTT.utf8))
            }
            let target = try OutputTarget.at(output, seekable: format != .raw)
            let parameters = planned.session.parameters.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
            let metadata = AudioMetadata(title: planned.session.title, artist: "psoas",
                                         comment: "psoas \(planned.session.id) breath=\(planned.session.breath) \(parameters) voice=\(planned.voice) tones=\(planned.tones.rawValue) ambience=\(planned.ambience.rawValue)")
            let sink = try SoundFileSink(target: target, format: format, sampleRate: timeline.sampleRate,
                                         channelCount: timeline.channelCount, frameCount: timeline.frameCount,
                                         metadata: metadata,
                                         cues: timeline.steps.map { CueMarker(position: $0.start, name: $0.title) },
                                         companions: companions)
            let total = max(1, Int(timeline.frameCount))
            let name = output == "-" ? "standard output" : output
            try Console.withProgress { show throws(OutputError) in
                try Exporter.run(renderer, into: sink, progress: show.map { show in
                    { frames in show("writing \(name): \(min(100, frames * 100 / total)) %") }
                })
            }
            if output != "-" {
                // A file states the length its header gives (the sink checked it against what
                // was written); a device or FIFO cannot be read back: what was sent to it.
                let frameCount = sink.writtenFile?.frameCount ?? timeline.frameCount
                Console.notice("wrote \(output): \(timeline.title), \(timeline.lengthText(frameCount)), \(format.rawValue) \(timeline.sampleRate) Hz")
            }
        } catch {
            throw Failure(outputError: error)
        }
    }
}

extension Failure {
    init(outputError: OutputError) {
        switch outputError.kind {
        case .cannotCreate: self.init(message: outputError.message, code: .cannotCreate)
        case .io: self.init(message: outputError.message, code: .ioError)
        case .readerClosed: self.init(message: "", code: .readerClosed)
        }
    }
}

extension PlannedSession {
    /// A renderer for this session's timeline with its voice pack.
    /// - Parameter decoding: when its clips are decoded: just ahead of an export, behind a player.
    func renderer(decoding: RenderPlan.Decoding) throws -> Renderer {
        do {
            return try RenderPlan.renderer(for: timeline, pack: pack, ambience: ambience, decoding: decoding,
                                           cache: ClipCache(environment: ProcessInfo.processInfo.environment))
        } catch {
            throw Failure.data("\(error.description)")
        }
    }
}
