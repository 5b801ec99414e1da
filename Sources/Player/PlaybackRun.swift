import AudioIO
import Foundation
import Planning
import SessionKit
import Sound
import SystemIO

/// One play of a planned timeline, wired up: the clips, the ALSA device, the engine and its
/// thread, the control socket, then the ``PlaybackSession`` on the calling thread until the
/// play ends.
///
/// The command around it decides what is said and with which exit code: a ``Failure`` says
/// which part could not be opened; the ``Report`` has what the practice log needs.
///
/// Thread-safety: create and run it on the main thread; it starts the playback thread itself.
public final class PlaybackRun {
    public struct Configuration: Sendable {
        /// The ALSA device name.
        public var device: String
        /// Whether a `wait` step waits for Enter (else it lasts its export length).
        public var waits: Bool
        /// Whether the status line is drawn (when standard error is a terminal).
        public var showsStatus: Bool
        /// The environment the control socket's folder (``ControlProtocol/socketPath(environment:)``)
        /// and the D-Bus session bus come from.
        public var environment: [String: String]
        /// Whether the player is an MPRIS player on the session bus, when there is one.
        public var mpris: Bool
        /// Whether to say what became of MPRIS (on the bus, not, and why).
        public var verbose: Bool
        /// `--follow-breath`: the ALSA capture device to listen on while playing (`nil`: none).
        public var followBreath: String?
        /// How long a stalled sound server, or a device gone away, is waited for before the play ends.
        public var stallLimit: Duration

        public static let defaultStallLimit: Duration = .seconds(30)

        public init(device: String, waits: Bool = true, showsStatus: Bool,
                    environment: [String: String] = ProcessInfo.processInfo.environment,
                    stallLimit: Duration = defaultStallLimit, mpris: Bool = true, verbose: Bool = false,
                    followBreath: String? = nil) {
            self.device = device
            self.waits = waits
            self.showsStatus = showsStatus
            self.environment = environment
            self.mpris = mpris
            self.verbose = verbose
            self.followBreath = followBreath
            self.stallLimit = stallLimit
        }
    }

    /// What could not be opened, in the order they are tried.
    public enum Failure: Error {
        /// A clip of the pack (the session's or the safety stop's) cannot be read.
        case clips(RenderPlan.Failure)
        /// The ALSA device cannot be opened with the timeline's format.
        case device(DeviceError)
        /// The control socket's folder cannot be made private.
        case runtimeFolder(SocketError)
        /// The control socket cannot be listened on: another player holds it.
        case controlSocket(SocketError)
    }

    /// How a play ended, and what it played.
    public struct Report {
        public var outcome: PlaybackSession.Outcome
        /// The engine's state at the end: played and covered frames, the counts of each command.
        public var snapshot: PlaybackEngine.Snapshot
        /// The device's underruns.
        public var xrunCount: Int
        /// When the play started.
        public var started: Date
    }

    public let timeline: Timeline
    public let configuration: Configuration
    let device: AlsaPlayback
    let session: PlaybackSession

    /// Opens everything a play needs; nothing plays before ``run()``.
    /// - Throws: ``Failure``, for the first part that cannot be opened.
    public init(timeline: Timeline, pack: VoicePack, ambience: AmbienceStyle, configuration: Configuration,
                output: PlaybackSession.Output) throws(Failure) {
        self.timeline = timeline
        self.configuration = configuration
        let renderer: Renderer
        let safety: [Float]
        do throws(RenderPlan.Failure) {
            renderer = try RenderPlan.renderer(for: timeline, pack: pack, ambience: ambience, decoding: .background,
                                               cache: ClipCache(environment: configuration.environment))
            safety = try RenderPlan.standaloneClip("safety.stop", pack: pack, rate: timeline.sampleRate)
        } catch {
            throw .clips(error)
        }
        do throws(DeviceError) {
            device = try AlsaPlayback(device: configuration.device, sampleRate: timeline.sampleRate,
                                      channelCount: timeline.channelCount)
        } catch {
            throw .device(error)
        }
        let engine = PlaybackEngine(timeline: timeline, renderer: renderer, safetyClip: safety,
                                    options: PlaybackEngine.Options(waits: configuration.waits))
        let thread = PlaybackThread(engine: engine, output: device)
        let socketPath: String
        do throws(SocketError) {
            socketPath = try ControlProtocol.socketPath(environment: configuration.environment)
        } catch {
            throw .runtimeFolder(error)
        }
        session = PlaybackSession(thread: thread, socketPath: socketPath, showStatus: configuration.showsStatus,
                                  output: output)
        session.stallLimit = configuration.stallLimit
        do throws(SocketError) {
            try session.openSocket()
        } catch {
            throw .controlSocket(error)
        }
        session.openMediaBus(PlaybackSession.MediaBusChoice(
            enabled: configuration.mpris, verbose: configuration.verbose, environment: configuration.environment,
            artist: pack.manifest.name))
        if let captureDevice = configuration.followBreath {
            session.follower = Self.follower(captureDevice, engine: engine, pack: pack, ambience: ambience,
                                             message: output.message)
        }
    }

    /// The listener of `--follow-breath`; `nil`, said once through `message`, when the capture
    /// device or the played sound's second renderer cannot be opened: the play paces as planned.
    private static func follower(_ device: String, engine: PlaybackEngine, pack: VoicePack, ambience: AmbienceStyle,
                                 message: (String) -> Void) -> BreathFollower? {
        let timeline = engine.timeline
        do throws(DeviceError) {
            let capture = try AlsaCapture(device: device, sampleRate: timeline.sampleRate)
            guard let reference = try? RenderPlan.renderer(for: timeline, pack: pack, ambience: ambience,
                                                           decoding: .background) else {
                message("follow-breath: the played sound cannot be prepared for listening; pacing as planned")
                return nil
            }
            return BreathFollower(capture: capture, engine: engine, reference: reference)
        } catch {
            message("follow-breath: cannot record from '\(device)': \(error.message); pacing as planned")
            return nil
        }
    }

    /// Plays to the end, a stop, a signal or a device failure.
    public func run() -> Report {
        let started = Date()
        let outcome = session.run()
        return Report(outcome: outcome, snapshot: session.engine.snapshot, xrunCount: device.xrunCount,
                      started: started)
    }
}
