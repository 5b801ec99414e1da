import AudioIO
import Foundation
import JSONText
import Planning
import SystemIO

/// Runs a playback on the main thread's side: keys from a raw terminal, the control socket,
/// signals, the status line and JSON events, until the playback thread is done.
///
/// Nothing here prints: text goes out through ``Output``. ``PlaybackRun`` sets one up; its keys
/// and status line are in `PlaybackSession+Keys.swift`, its socket in `PlaybackSession+Socket.swift`,
/// MPRIS in `PlaybackSession+MPRIS.swift`.
///
/// Thread-safety: one thread (the main thread) creates and runs it; the engine is its only
/// link to the playback thread.
public final class PlaybackSession {
    /// Where the session's text goes (the command decides: stderr, stdout).
    public struct Output {
        /// The status line, redrawn in place (called only when stderr is a terminal).
        public var status: (String) -> Void
        /// One JSON event per line, when `--events json` asked for them.
        public var event: ((String) -> Void)?
        /// Messages for the person (help, notices).
        public var message: (String) -> Void

        public init(status: @escaping (String) -> Void, event: ((String) -> Void)?, message: @escaping (String) -> Void) {
            self.status = status
            self.event = event
            self.message = message
        }
    }

    public enum Outcome: Equatable, Sendable {
        case completed
        case stopped
        case interrupted(signal: Int32)
        case deviceFailed(String)
    }

    let thread: PlaybackThread
    let engine: PlaybackEngine
    let socketPath: String?
    let output: Output
    let showStatus: Bool
    var server: UnixSocketServer?
    var connections: [FileDescriptor: Connection] = [:]
    /// MPRIS on the session bus (`PlaybackSession+MPRIS.swift`), and whether to say what becomes of it.
    var mpris: MPRISPlayer?
    var mediaBusVerbose = false
    /// `--follow-breath`'s listener (`PlaybackSession+Breath.swift`), when one is open.
    public var follower: BreathFollower? {
        didSet { pacing = PacingAdapter(sampleRate: engine.timeline.sampleRate) }
    }
    /// What `--follow-breath` asks of the pacing, and the engine's adaptations taken into account.
    var pacing: PacingAdapter
    var adaptationsSeen = 0
    /// The status line last drawn ("" forces a redraw).
    var lastStatus = ""
    /// How long a stalled sound server, or a device gone away, is waited for before the play ends.
    public var stallLimit: Duration = .seconds(30)
    /// Why the play ended early on the device's side (a stall or a loss past ``stallLimit``).
    var deviceGaveUp: String?
    /// When a stop was asked for (a key, `ctl`, a signal, the stall limit): the playback thread
    /// is waited for half a second at most after it, in case it is held in a device that takes nothing.
    var stopAsked: Date?
    /// The device's losses and returns already said.
    var saidLosses = 0
    var saidReturns = 0
    /// A `+` key waiting for the engine to take it: its count of extends before, and until
    /// when it may still take it.
    var pendingExtend: (extends: Int, deadline: Date)?
    /// The step the extends are counted for, and the engine's count of extends when it began.
    var extendsAtStepStart = (step: -1, extends: 0)
    /// How long the engine may take to add a cycle before `+` is said not to work here.
    static let extendTimeout: TimeInterval = 0.5
    static let maximumConnections = 32
    /// A connection that sends nothing for this long is closed.
    static let idleTimeout: TimeInterval = 10

    /// What a control connection has sent so far, and when it last did.
    struct Connection {
        var buffer: [UInt8] = []
        var lastActivity = Date()
    }

    /// - Parameters:
    ///   - socketPath: where to listen for `psoas ctl`; `nil` for no control socket.
    public init(thread: PlaybackThread, socketPath: String?, showStatus: Bool, output: Output) {
        self.thread = thread
        self.engine = thread.engine
        self.socketPath = socketPath
        self.showStatus = showStatus
        self.output = output
        pacing = PacingAdapter(sampleRate: thread.engine.timeline.sampleRate)
    }

    /// Opens the control socket. Call before ``run()``.
    /// - Throws: ``SocketError`` when another player holds it.
    public func openSocket() throws(SocketError) {
        guard let socketPath else { return }
        server = try UnixSocketServer(path: socketPath)
    }

    /// Plays to the end, a stop, a signal or a device failure.
    public func run() -> Outcome {
        let terminal = Terminal()
        let keys = terminal.enterRawMode()
        SignalFlags.install()
        SignalFlags.installJobControl()
        defer {
            terminal.restore()
            server?.close()
            for fd in connections.keys { UnixSocketServer.closeConnection(fd) }
            connections.removeAll()
            mpris = nil
            follower?.stop()
        }
        var watcher = EventWatcher(thread: thread)
        func emitEvents() {
            if let event = output.event {
                for line in watcher.newEvents() { event(line) }
            }
        }
        emitEvents()
        thread.start()
        follower?.start()
        var interrupted: Int32 = 0
        lastStatus = ""
        while !thread.isDone {
            // In the background (after Ctrl-Z and `bg`) reading a key would stop the process.
            var descriptors: [FileDescriptor] = keys && Terminal.isForeground ? [.standardInput] : []
            if let server { descriptors.append(server.descriptor) }
            descriptors += connections.keys + mediaBusDescriptors
            if let finished = thread.finished { descriptors.append(finished.descriptor) }
            let ready = Poller.readable(descriptors, timeout: pollTimeout(atMost: thread.stateIntervalMilliseconds))
            if keys, ready.contains(.standardInput) { handleKeys(terminal.readAvailable()) }
            // Connections first: one a client has closed frees its place before a new one is
            // counted against the limit.
            for fd in connections.keys where ready.contains(fd) { serve(fd) }
            if let server, ready.contains(server.descriptor) { acceptConnections(server) }
            let now = Date()
            for (fd, connection) in connections where now.timeIntervalSince(connection.lastActivity) > Self.idleTimeout {
                close(fd)
            }
            if SignalFlags.takeSuspend() {
                suspend(terminal, beforeStopping: emitEvents)
                lastStatus = ""
            }
            if SignalFlags.takeContinued() {
                terminal.resumeRawMode()
                lastStatus = ""
            }
            let signal = SignalFlags.take()
            if signal != 0, interrupted == 0 {
                interrupted = signal
                engine.send(.stop)
                stopAsked = stopAsked ?? Date()
            }
            watchTheDevice()
            if engine.stopWasSent { stopAsked = stopAsked ?? Date() }
            if let stopAsked, Date().timeIntervalSince(stopAsked) > 0.5 { break }
            emitEvents()
            serveBreath()
            serveMediaBus()
            confirmExtend()
            if showStatus {
                let line = Self.fitted(statusLine(), columns: Terminal.columns(of: .standardError))
                if line != lastStatus {
                    output.status(line)
                    lastStatus = line
                }
            }
        }
        emitEvents()
        serveBreath()
        serveMediaBus()
        if showStatus { output.status("") }
        if interrupted != 0 { return .interrupted(signal: interrupted) }
        if let deviceGaveUp { return .deviceFailed(deviceGaveUp) }
        if let failure = thread.deviceFailure { return .deviceFailed(failure.description) }
        return engine.snapshot.completed ? .completed : .stopped
    }

    /// Says once that the device went away and came back, and ends the play when a stall or a
    /// loss lasts longer than ``stallLimit``.
    private func watchTheDevice() {
        let condition = thread.condition
        if condition.losses > saidLosses {
            saidLosses = condition.losses
            output.message("The sound device went away; psoas keeps trying to open it again.")
            lastStatus = ""
        }
        if condition.returns > saidReturns {
            saidReturns = condition.returns
            output.message("The sound device is back; the session goes on from the start of the breath cycle.")
            lastStatus = ""
        }
        guard deviceGaveUp == nil else { return }
        let limit = Double(stallLimit.components.seconds)
        if let stalled = condition.stalledSeconds, stalled > limit {
            deviceGaveUp = "the sound server made no progress for \(Int(limit)) s"
        } else if let lost = condition.lostSeconds, lost > limit {
            deviceGaveUp = "the sound device did not come back within \(Int(limit)) s"
        }
        if deviceGaveUp != nil {
            engine.send(.stop)
            stopAsked = stopAsked ?? Date()
        }
    }

    /// Ctrl-Z: fades out, gives the terminal back and stops, as `less` and `mpv` do; on `fg`
    /// takes the terminal again and plays on from the breath cycle it paused in.
    private func suspend(_ terminal: Terminal, beforeStopping: () -> Void) {
        let wasPlaying = engine.snapshot.mode == .playing || engine.snapshot.mode == .waiting
        if wasPlaying {
            engine.send(.pause)
            let deadline = Date().addingTimeInterval(0.2)
            while engine.snapshot.mode != .paused, !thread.isDone, Date() < deadline { usleep(5_000) }
        }
        beforeStopping()
        if showStatus { output.status("") }
        terminal.suspend()
        SignalFlags.stop()
        terminal.resumeRawMode()
        if wasPlaying { engine.send(.resume) }
    }
}
