import ArgumentParser
import AudioIO
import Foundation
import Planning
import Player
import SessionKit
import Sound
import SystemIO

/// `psoas play`: play a session through ALSA, controlled by keys and `psoas ctl`.
struct Play: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play a session through ALSA (keys and 'psoas ctl' control it).",
        discussion: """
            Keys (when stdin is a terminal): Space pause/resume, Enter continue a wait, → next step, \
            ← restart step, + one more cycle, ↑/↓ volume, x safety stop, q stop, ? help.
            A pause (Space, 'psoas ctl pause', Ctrl-Z) resumes from the start of the breath cycle it \
            interrupted (outside breathing, from the start of the interrupted cue).
            A control socket in $XDG_RUNTIME_DIR/psoas/ takes the same commands from 'psoas ctl'.
            On a desktop the player is an MPRIS player on the D-Bus session bus \
            (org.mpris.MediaPlayer2.psoas): media keys, a headset's button, 'playerctl' and \
            KDE Connect play, pause, skip and stop it.
            """
    )

    @Argument(help: ArgumentHelp("A built-in session id, a session file, or - for standard input.", valueName: "session"), completion: Completions.sessions)
    var session: String = "psoas"

    @OptionGroup var options: SessionOptions
    @OptionGroup var format: FormatOptions
    @OptionGroup var playback: PlaybackOptions

    @Flag(help: "Let 'wait' steps last their export length instead of waiting for Enter, so a play equals an export.")
    var noWait = false

    @OptionGroup var notices: NoticeOptions

    func run() throws {
        notices.apply()
        try reportingFailures {
            let settings = try Library.settings()
            try playback.play(try options.planned(session, format: format, settings: settings), settings: settings,
                              waits: !noWait)
        }
    }
}

/// The options of everything that plays: `play` and `breathe`.
struct PlaybackOptions: ParsableArguments {
    @Option(name: [.customShort("D"), .long], help: ArgumentHelp("The ALSA device (default: $PSOAS_DEVICE, else your settings' 'device', else 'default'). 'psoas devices' lists them.", valueName: "device"))
    var device: String?

    @Option(help: ArgumentHelp("Print one JSON line per event on stdout: step, paused, resumed, skipped, extended, safety, waiting, xrun, stall, device-lost, device-back, stopped, finished (and breath and adapted, with --follow-breath).", valueName: "format"))
    var events: EventFormat?

    enum EventFormat: String, CaseIterable, ExpressibleByArgument {
        case json
    }

    @Flag(help: "Do not offer the player on the D-Bus session bus (MPRIS: media keys, playerctl, KDE Connect); the settings' 'mpris: false' does the same.")
    var noMpris = false

    @Flag(help: "Say whether the player is on the D-Bus session bus (MPRIS), and why not.")
    var verbose = false
    @Option(help: ArgumentHelp("How many seconds a stalled sound server, or a sound device gone away, is waited for before the play ends with exit 69 (default: your settings' 'stall-limit', else 30).", valueName: "seconds"),
            transform: { try Int.argument($0, in: Settings.stallLimitRange) })
    var stallLimit: Int?

    @Flag(help: "Experimental: listen on the capture device while playing and report your breath phases as 'breath' events (--events json), with their lag to the paced phase. With a usable signal, exhale cues wait for your exhale (up to a cycle) and the pacing moves gently toward a steady lag or lead (at most a fifth of a cycle, between cues), each change an 'adapted' event. Works best with a headset microphone near the mouth.")
    var followBreath = false

    @Option(help: ArgumentHelp("The ALSA capture device --follow-breath listens on (default: $PSOAS_CAPTURE_DEVICE, else your settings' 'capture-device', else 'default').", valueName: "device"))
    var captureDevice: String?

    /// Plays a planned session to the end, logs it; throws the documented exit codes.
    /// - Parameter waits: whether a `wait` step waits for Enter (else it lasts its export length).
    func play(_ planned: PlannedSession, settings: Settings, waits: Bool = true) throws {
        let choice = DeviceChoice.playback(device, settings: settings)
        let timeline = planned.timeline
        let run: PlaybackRun
        do throws(PlaybackRun.Failure) {
            run = try PlaybackRun(
                timeline: timeline, pack: planned.pack, ambience: planned.ambience,
                configuration: PlaybackRun.Configuration(
                    device: choice.name, waits: waits, showsStatus: Terminal.standardErrorIsTerminal,
                    stallLimit: .seconds(stallLimit ?? settings.stallLimit ?? 30),
                    mpris: !noMpris && settings.mpris != false, verbose: verbose,
                    followBreath: followBreath ? DeviceChoice.capture(captureDevice, settings: settings).name : nil),
                output: PlaybackSession.Output(
                    status: { line in Console.status(line) },
                    event: events == .json ? { line in Console.output(line + "\n") } : nil,
                    message: { text in Console.error(text) }))
        } catch {
            throw Self.failure(error, device: choice, session: planned.session.id)
        }
        var logging = PracticeLogging()
        logging.adviseRest(before: planned.session)
        if run.configuration.showsStatus {
            Console.error("\(timeline.title): \(timeline.lengthText(timeline.frameCount)) on \(choice.name). Press ? for keys.")
        }
        let report = run.run()
        logging.record(planned.session, voice: planned.voice, tones: planned.tones.rawValue,
                       ambience: planned.ambience.rawValue, started: report.started,
                       reachedEnd: report.outcome == .completed, snapshot: report.snapshot,
                       frameCount: timeline.frameCount, sampleRate: timeline.sampleRate, xruns: report.xrunCount)
        switch report.outcome {
        case .completed, .stopped:
            return
        case let .interrupted(signal):
            throw ExitCode(signal == 15 ? 143 : 130)
        case let .deviceFailed(message):
            let reached = timeline.lengthText(report.snapshot.position)
            throw Failure(message: "audio device failed: \(message); the session stopped at \(reached) of \(timeline.lengthText(timeline.frameCount))",
                          code: .unavailable)
        }
    }

    /// The message and exit code for what a play could not open.
    static func failure(_ failure: PlaybackRun.Failure, device: DeviceChoice, session: String) -> Failure {
        switch failure {
        case let .clips(error):
            return Failure.data("\(error.description)")
        case let .device(error):
            return Failure(message: """
                cannot play on ALSA device \(device.described): \(error.message)
                List the devices with 'psoas devices' and choose one with --device, or write the session to a file with 'psoas export \(session) -o \(session).wav'.
                """, code: .unavailable)
        case let .runtimeFolder(error):
            return Failure(message: "\(error.message)", code: .cannotCreate)
        case let .controlSocket(error):
            return Failure(message: "\(error.message)", code: .unavailable)
        }
    }
}
