import ArgumentParser
import SessionKit
import Timeline

/// `psoas breathe`: breath pacing only, played or exported.
struct Breathe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Pace your breath with tones: play it, or export it with -o.",
        discussion: "psoas breathe 4-6 --minutes 5 plays five minutes; add -o breath.wav to write a file instead."
    )

    @Argument(help: ArgumentHelp("The breath pattern: 4-6, 4-2-6 or 4-7-8-0 (seconds).", valueName: "pattern"))
    var pattern: String

    @Option(help: "How many minutes (default 5).")
    var minutes: String?

    @Option(help: "How many cycles (instead of --minutes).")
    var cycles: Int?

    @Option(help: ArgumentHelp("Breath pacing tones: glide or bell (default: your settings' 'tones' unless off, else glide).", valueName: "tones"))
    var tones: ToneStyle?

    @Option(help: ArgumentHelp("A soft bed of sound that breathes with you: surf, rain or off (default: your settings' 'ambience', else surf).", valueName: "ambience"))
    var ambience: AmbienceStyle?

    @OptionGroup var target: ExportOptions
    @OptionGroup var outputFormat: FormatOptions
    @OptionGroup var playback: PlaybackOptions

    func validate() throws {
        do {
            _ = try BreathPattern(parsing: pattern)
        } catch {
            throw ValidationError("\(error.message)")
        }
        if minutes != nil, cycles != nil { throw ValidationError("--minutes and --cycles: choose one") }
        if let cycles, !(1...10_000).contains(cycles) { throw ValidationError("--cycles \(cycles): expected 1 to 10000") }
        if let minutes {
            guard let value = Tenths(parsing: Substring(minutes)), value > .zero, value <= Tenths(seconds: 600) else {
                throw ValidationError("--minutes \(minutes): expected a number of minutes from 0.1 to 600")
            }
        }
        if tones == .off { throw ValidationError("--tones off would leave nothing to hear; use glide or bell") }
        if target.output != nil { _ = try target.resolvedFormat() }
    }

    func run() throws {
        try reportingFailures {
            let breath = try BreathPattern(parsing: pattern)
            let length: Step.Length = cycles.map { .cycles($0) }
                ?? .duration((minutes.flatMap { Tenths(parsing: Substring($0)) } ?? Tenths(seconds: 5)) * 60)
            let step = Step(kind: .breathe, id: "breathe", title: "Atmen", side: nil, breath: breath,
                            body: .paced(length, cues: []), location: .start)
            let session = Session(id: "breathe", title: "Atmen \(breath)", breath: breath, parameters: [], steps: [step])
            let settings = try Library.settings()
            let style = tones ?? settings.toneStyle.flatMap { $0 == .off ? nil : $0 } ?? .glide
            let planned = try PlannedSession.prepare(
                session, library: try Library.locate(), voice: settings.voice ?? Library.builtinVoice,
                options: PlanOptions(sampleRate: outputFormat.rate, channelCount: outputFormat.channels, tones: style,
                                     ambience: ambience ?? settings.ambienceStyle ?? .surf))
            if target.output != nil {
                try target.export(planned)
            } else {
                try playback.play(planned, settings: settings)
            }
        }
    }
}
