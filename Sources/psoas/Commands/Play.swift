import ArgumentParser
import AudioIO
import Foundation
import Player
import SessionKit
import Sound
import SystemIO
import Planning

/// `psoas play`: play a session through ALSA, controlled by keys and `psoas ctl`.
struct Play: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Play a session through ALSA (keys and 'psoas ctl' control it).",
        discussion: """
            Keys (when stdin is a terminal): Space pause/resume, Enter continue a wait, → next step, \
            ← restart step, + one more cycle, ↑/↓ volume, x safety stop, q stop, ? help.
            A pause (Space, 'psoas ctl pause', Ctrl-Z) resumes from the start of the breath cycle it \
            interrupted (outside breathing, from the start of the interrupted cue).
            A control socket in $XDG_RUNTIME_DIR/psoas/ takes the same commands from 'psoas ctl'.
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

    @Option(help: ArgumentHelp("Print one JSON line per event on stdout: step, paused, resumed, skipped, extended, safety, waiting, xrun, stopped, finished.", valueName: "format"))
    var events: EventFormat?

    enum EventFormat: String, CaseIterable, ExpressibleByArgument {
        case json
    }

    /// Plays a planned session to the end, logs it; throws the documented exit codes.
    /// - Parameter waits: whether a `wait` step waits for Enter (else it lasts its export length).
    func play(_ planned: PlannedSession, settings: Settings, waits: Bool = true) throws {
        let choice = DeviceChoice.playback(device, settings: settings)
        let resolvedDevice = choice.name
        let timeline = planned.timeline
        let renderer = try planned.renderer()
        let safety: [Float]
        do throws(RenderPlan.Failure) {
            safety = try RenderPlan.standaloneClip("safety.stop", pack: planned.pack, rate: timeline.sampleRate)
        } catch {
            throw Failure.data("\(error.description)")
        }
        let output: AlsaPlayback
        do throws(DeviceError) {
            output = try AlsaPlayback(device: resolvedDevice, sampleRate: timeline.sampleRate,
                                      channelCount: timeline.channelCount)
        } catch {
            throw Failure(message: """
                cannot play on ALSA device \(choice.described): \(error.message)
                List the devices with 'psoas devices' and choose one with --device, or write the session to a file with 'psoas export \(planned.session.id) -o \(planned.session.id).wav'.
                """, code: .unavailable)
        }
        let engine = PlaybackEngine(timeline: timeline, renderer: renderer, safetyClip: safety,
                                    options: PlaybackEngine.Options(waits: waits))
        let thread = PlaybackThread(engine: engine, output: output)
        let socketPath: String
        do throws(SocketError) {
            socketPath = try RuntimeFolder.path(environment: ProcessInfo.processInfo.environment["XDG_RUNTIME_DIR"]) + "/control.sock"
        } catch {
            throw Failure(message: "\(error.message)", code: .cannotCreate)
        }
        let showStatus = Terminal.standardErrorIsTerminal
        let session = PlaybackSession(
            thread: thread, socketPath: socketPath, showStatus: showStatus,
            output: PlaybackSession.Output(
                status: { line in Console.status(line) },
                event: events == .json ? { line in Console.output(line + "\n") } : nil,
                message: { text in Console.error(text) }))
        do throws(SocketError) {
            try session.openSocket()
        } catch {
            throw Failure(message: "\(error.message)", code: .unavailable)
        }
        var logging = PracticeLogging()
        logging.adviseRest(before: planned.session)
        if showStatus {
            Console.error("\(timeline.title): \(timeline.lengthText(timeline.frameCount)) on \(resolvedDevice). Press ? for keys.")
        }
        let started = Date()
        let outcome = session.run()
        logging.record(planned.session, voice: planned.voice, tones: planned.tones.rawValue,
                       ambience: planned.ambience.rawValue, started: started,
                       reachedEnd: outcome == .completed, snapshot: engine.snapshot,
                       frameCount: timeline.frameCount, sampleRate: timeline.sampleRate, xruns: output.xrunCount)
        switch outcome {
        case .completed, .stopped:
            return
        case let .interrupted(signal):
            throw ExitCode(signal == 15 ? 143 : 130)
        case let .deviceFailed(message):
            throw Failure(message: "audio device failed: \(message)", code: .unavailable)
        }
    }
}
