import ArgumentParser
import Planning
import SessionKit

// The values of each choice are its raw values, given here: swift-argument-parser's default
// writes each one through string interpolation, which costs reflection at every start.
extension ToneStyle: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension AmbienceStyle: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

extension SideChoice: ExpressibleByArgument {
    public static var allValueStrings: [String] { allCases.map(\.rawValue) }
}

/// The session options shared by `play`, `export` and `plan`.
struct SessionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Seconds to hold each point (the session's 'hold' parameter), at most one decimal.", valueName: "seconds"),
            transform: { try Tenths.argument($0, unit: "seconds") })
    var hold: Tenths?

    @Option(help: ArgumentHelp("Breath pattern: inhale-exhale, inhale-hold-exhale or inhale-hold-exhale-hold, in seconds (4-6, 4-2-6).", valueName: "pattern"),
            transform: BreathPattern.argument)
    var breath: BreathPattern?

    @Option(help: ArgumentHelp("Which sides to massage (the 'sides' parameter).", valueName: "side"))
    var sides: SideChoice?

    @Option(help: ArgumentHelp("Minutes of constructive rest (the 'rest' parameter), at most one decimal.", valueName: "minutes"),
            transform: { try Tenths.argument($0, unit: "minutes") })
    var rest: Tenths?

    @Option(help: ArgumentHelp("beginner (a ball, gentler, shorter holds, fewer reps) or advanced (the psoas tool, longer holds, more reps); the session's 'level' parameter.", valueName: "level"))
    var level: String?

    @Option(help: ArgumentHelp("The voice pack to speak the cues (default: your settings' 'voice', else de-espeak).", valueName: "name"), completion: Completions.voicePacks)
    var voice: String?

    @Option(help: ArgumentHelp("Breath pacing tones: glide, bell or off (default: your settings' 'tones', else glide).", valueName: "tones"))
    var tones: ToneStyle?

    @Option(help: ArgumentHelp("A soft bed of sound under the whole session that breathes with you: surf, rain or off (default: your settings' 'ambience', else surf).", valueName: "ambience"))
    var ambience: AmbienceStyle?

    @Option(name: .customLong("set"), help: ArgumentHelp("Set any session parameter.", valueName: "name=value"))
    var assignments: [String] = []

    func validate() throws {
        for assignment in assignments where !assignment.contains("=") || assignment.hasPrefix("=") {
            throw ValidationError("--set '\(assignment)': expected name=value, like --set hold=45")
        }
    }

    /// The overrides these options and the user's settings make. A parameter the command line
    /// sets is not taken from the settings at all.
    func overrides(_ settings: Settings) -> SessionOverrides {
        var values: [SessionOverrides.Value] = []
        if let hold { values.append(.init(name: "hold", value: "\(hold)", option: "--hold")) }
        if let sides { values.append(.init(name: "sides", value: sides.rawValue, option: "--sides")) }
        if let rest { values.append(.init(name: "rest", value: "\(rest)", option: "--rest")) }
        if let level { values.append(.init(name: "level", value: level, option: "--level")) }
        for assignment in assignments {
            let parts = assignment.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values.append(.init(name: String(parts[0]), value: parts.count > 1 ? String(parts[1]) : "",
                                option: "--set \(parts[0])"))
        }
        let named = Set(values.map(\.name))
        values = settings.parameters.filter { !named.contains($0.name) } + values
        guard let breath else {
            var fromSettings = settings.overrides
            fromSettings.values = values
            return fromSettings
        }
        return SessionOverrides(values: values, breath: breath,
                                breathSource: .init(name: "breath", value: "\(breath)", option: "--breath"))
    }

    /// The voice pack: the option, else the settings', else the built-in one.
    func voice(_ settings: Settings) -> String { voice ?? settings.voice ?? Library.builtinVoice }

    /// The tones: the option, else the settings', else glide.
    func tones(_ settings: Settings) -> ToneStyle { tones ?? settings.tones ?? .glide }

    /// The ambience: the option, else the settings', else surf.
    func ambience(_ settings: Settings) -> AmbienceStyle { ambience ?? settings.ambience ?? .surf }
}

extension Settings {
    /// What the settings change in every session that has the parameters they set.
    var overrides: SessionOverrides {
        SessionOverrides(values: parameters, breath: breath, breathSource: breath.map {
            .init(name: "breath", value: "\($0)", option: "breath", place: places["breath"])
        })
    }
}

/// The output format options of `plan` and `export`.
struct FormatOptions: ParsableArguments {
    @Option(help: "Output rate in frames per second: 44100, 48000 or 96000.")
    var rate: Int = 48_000

    @Option(help: "Output channels: 1 or 2.")
    var channels: Int = 1

    func validate() throws {
        guard PlanOptions.supportedRates.contains(rate) else {
            throw ValidationError("--rate \(rate): expected 44100, 48000 or 96000")
        }
        guard (1...2).contains(channels) else {
            throw ValidationError("--channels \(channels): expected 1 or 2")
        }
    }
}

extension SessionOptions {
    /// Loads and plans `session` with these options, the user's `settings` and `format`.
    func planned(_ session: String, format: FormatOptions, settings: Settings) throws -> PlannedSession {
        try PlannedSession.prepare(
            session, library: try Library.locate(), overrides: overrides(settings), voice: voice(settings),
            options: PlanOptions(sampleRate: format.rate, channelCount: format.channels, tones: tones(settings),
                                 ambience: ambience(settings)))
    }
}
