import ArgumentParser
import Planning
import SessionKit

/// `psoas breathe`: breath pacing (`pace`, the default: `psoas breathe 4-6`) and measuring
/// your own breath (`calibrate`).
struct Breathe: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breathe",
        abstract: "Pace your breath with tones (play it, or export it with -o), or measure your own.",
        discussion: """
            psoas breathe 4-6 --minutes 5 plays five minutes; add -o breath.wav to write a file instead \
            ('psoas breathe pace --help' lists its options). 'psoas breathe calibrate' measures your \
            natural breath and suggests a pattern.
            """,
        subcommands: [Pace.self, Calibrate.self],
        defaultSubcommand: Pace.self
    )
}

extension Breathe {
    /// `psoas breathe [pace]`: breath pacing only, played or exported.
    struct Pace: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pace",
            abstract: "Pace your breath with tones: play it, or export it with -o.",
            discussion: "psoas breathe 4-6 --minutes 5 plays five minutes; add -o breath.wav to write a file instead."
        )

        @Argument(help: ArgumentHelp("The breath pattern: 4-6, 4-2-6 or 4-7-8-0 (seconds).", valueName: "pattern"),
                  transform: BreathPattern.argument)
        var pattern: BreathPattern

        /// The longest breathing psoas plays: its limit for a session.
        static let minuteRange = Tenths(1)...Tenths(Limits.maximumSessionSeconds / 6)
        static let cycleRange = 1...10_000

        @Option(help: ArgumentHelp("How many minutes, \(minuteRange.lowerBound) to \(minuteRange.upperBound) (default 5).", valueName: "minutes"),
                transform: { try Tenths.argument($0, unit: "minutes", in: minuteRange) })
        var minutes: Tenths?

        @Option(help: ArgumentHelp("How many cycles, \(cycleRange.lowerBound) to \(cycleRange.upperBound) (instead of --minutes).", valueName: "cycles"),
                transform: { try Int.argument($0, in: cycleRange) })
        var cycles: Int?

        /// The tones breathing can be paced with: all but `off`, which would leave nothing to hear.
        enum PacingTones: String, CaseIterable, ExpressibleByArgument {
            case glide, bell
            var style: ToneStyle { ToneStyle(rawValue: rawValue) ?? .glide }
        }

        @Option(help: ArgumentHelp("Breath pacing tones (default: your settings' 'tones' unless off, else glide).", valueName: "tones"))
        var tones: PacingTones?

        @Option(help: ArgumentHelp("A soft bed of sound that breathes with you: surf, rain or off (default: your settings' 'ambience', else surf).", valueName: "ambience"))
        var ambience: AmbienceStyle?

        @OptionGroup var target: ExportOptions
        @OptionGroup var outputFormat: FormatOptions
        @OptionGroup var playback: PlaybackOptions
        @OptionGroup var notices: NoticeOptions

        func validate() throws {
            if minutes != nil, cycles != nil { throw ValidationError("--minutes and --cycles: choose one") }
            if target.output != nil { _ = try target.resolvedFormat() }
            if target.output != nil, playback.followBreath {
                throw ValidationError("--follow-breath listens while playing; an export (-o) plays nothing: leave out one of them")
            }
        }

        func run() throws {
            notices.apply()
            try reportingFailures {
                let breath = pattern
                let length: Step.Length = cycles.map { .cycles($0) } ?? .seconds((minutes ?? Tenths(seconds: 5)) * 60)
                let given = cycles.map { "--cycles \($0)" } ?? "--minutes \(minutes ?? Tenths(seconds: 5))"
                let step = Step(kind: .breathe, id: "breathe", title: "Atmen", side: nil, breath: breath,
                                body: .paced(length, cues: []), location: .start)
                let session = Session(id: "breathe", title: "Atmen \(breath)", breath: breath, parameters: [], steps: [step])
                let settings = try Library.settings()
                let style = tones?.style ?? settings.tones.flatMap { $0 == .off ? nil : $0 } ?? .glide
                let planned = try PlannedSession.prepare(
                    session, given: given, library: try Library.locate(), voice: settings.voice ?? Library.builtinVoice,
                    options: PlanOptions(sampleRate: outputFormat.rate, channelCount: outputFormat.channels, tones: style,
                                         ambience: ambience ?? settings.ambience ?? .surf))
                if target.output != nil {
                    try target.export(planned)
                } else {
                    try playback.play(planned, settings: settings)
                }
            }
        }
    }
}
