import AudioIO
import Foundation
import JSONText
import SystemIO
import Planning

/// Runs a playback on the main thread's side: keys from a raw terminal, the control socket,
/// signals, the status line and JSON events, until the playback thread is done.
///
/// Nothing here prints: text goes out through ``Output``.
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
    private var server: UnixSocketServer?
    private var connections: [FileDescriptor: Connection] = [:]
    /// The status line last drawn ("" forces a redraw).
    private var lastStatus = ""
    /// A `+` key waiting for the engine to take it: its count of extends before, and until
    /// when it may still take it.
    private var pendingExtend: (extends: Int, deadline: Date)?
    /// The step the extends are counted for, and the engine's count of extends when it began.
    private var extendsAtStepStart = (step: -1, extends: 0)
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
        }
        var watcher = EventWatcher(engine: engine, output: thread.output)
        func emitEvents() {
            if let event = output.event {
                for line in watcher.newEvents() { event(line) }
            }
        }
        emitEvents()
        thread.start()
        var interrupted: Int32 = 0
        lastStatus = ""
        while !thread.isDone {
            // In the background (after Ctrl-Z and `bg`) reading a key would stop the process.
            var descriptors: [FileDescriptor] = keys && Terminal.isForeground ? [.standardInput] : []
            if let server { descriptors.append(server.descriptor) }
            descriptors += connections.keys
            let ready = Poller.readable(descriptors, timeout: 20)
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
            }
            emitEvents()
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
        if showStatus { output.status("") }
        if let failure = thread.deviceFailure { return .deviceFailed(failure.description) }
        if interrupted != 0 { return .interrupted(signal: interrupted) }
        return engine.snapshot.completed ? .completed : .stopped
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

    // MARK: Keys

    private func handleKeys(_ bytes: [UInt8]) {
        for action in KeyMap.actions(for: bytes) {
            switch action {
            case .help: say(KeyMap.help)
            case .command(.extend):
                if pendingExtend == nil {
                    pendingExtend = (engine.snapshot.extends, Date().addingTimeInterval(Self.extendTimeout))
                }
                engine.send(.extend)
            case let .command(command): engine.send(command)
            }
        }
    }

    /// Prints a message on its own lines: the status line is cleared first and drawn again after.
    private func say(_ text: String) {
        if showStatus { output.status("") }
        output.message(text)
        lastStatus = ""
    }

    /// Tells whether the cycle a `+` asked for was added, once the engine has taken it.
    private func confirmExtend() {
        let snapshot = engine.snapshot
        if snapshot.step != extendsAtStepStart.step {
            extendsAtStepStart = (snapshot.step, snapshot.extends)
        }
        guard let pending = pendingExtend else { return }
        if snapshot.extends > pending.extends {
            pendingExtend = nil
            let cycles = plannedCycles(inStep: snapshot.step) + snapshot.extends - extendsAtStepStart.extends
            say("one more cycle (\(cycles) in this step)")
        } else if Date() > pending.deadline || snapshot.mode == .finished {
            pendingExtend = nil
            say("+ works in breathing steps only")
        }
    }

    /// The breath cycles a step has in the plan.
    private func plannedCycles(inStep step: Int) -> Int {
        var cycles = 0
        for event in engine.timeline.events where event.step == step {
            if case let .breath(_, cycle) = event.kind { cycles = max(cycles, cycle) }
        }
        return cycles
    }

    /// The status line cut to `columns − 1` characters, so it never wraps (the last column is
    /// left free: some terminals wrap when it is written). Unchanged when the width is unknown.
    static func fitted(_ line: String, columns: Int?) -> String {
        guard let columns, line.count > columns - 1 else { return line }
        return String(line.prefix(max(0, columns - 1)))
    }

    // MARK: Socket

    private func acceptConnections(_ server: UnixSocketServer) {
        while let fd = server.accept() {
            guard connections.count < Self.maximumConnections else {
                _ = UnixSocketServer.send(Array((ControlProtocol.errorReply("too many connections") + "\n").utf8), to: fd)
                UnixSocketServer.closeConnection(fd)
                continue
            }
            connections[fd] = Connection()
        }
    }

    private func serve(_ fd: FileDescriptor) {
        guard let bytes = UnixSocketServer.receive(from: fd) else {
            close(fd)
            return
        }
        var buffer = (connections[fd]?.buffer ?? []) + bytes
        while let newline = buffer.firstIndex(of: 10) {
            let line = String(decoding: buffer[..<newline], as: UTF8.self)
            buffer.removeSubrange(...newline)
            let reply = Array((respond(to: line) + "\n").utf8)
            // A client that does not read its replies is not waited for.
            if UnixSocketServer.send(reply, to: fd) < reply.count {
                close(fd)
                return
            }
        }
        if buffer.count > ControlProtocol.maximumLineLength {
            _ = UnixSocketServer.send(Array((ControlProtocol.errorReply("line too long") + "\n").utf8), to: fd)
            close(fd)
            return
        }
        connections[fd] = Connection(buffer: buffer, lastActivity: bytes.isEmpty ? (connections[fd]?.lastActivity ?? Date()) : Date())
    }

    private func close(_ fd: FileDescriptor) {
        connections[fd] = nil
        UnixSocketServer.closeConnection(fd)
    }

    /// The reply to one request line.
    public func respond(to line: String) -> String {
        switch ControlProtocol.parse(line) {
        case let .failure(error): return ControlProtocol.errorReply(error.message)
        case .success(.status): return ControlProtocol.statusReply(engine.snapshot, timeline: engine.timeline)
        case let .success(.command(command)):
            if case let .volume(change) = command,
               let problem = ControlProtocol.volumeProblem(change: change, current: engine.snapshot.volumeDecibels) {
                return ControlProtocol.errorReply(problem)
            }
            engine.send(command)
            return ControlProtocol.okReply
        }
    }

    // MARK: Status

    private func statusLine() -> String {
        let snapshot = engine.snapshot
        let timeline = engine.timeline
        let title = timeline.steps.indices.contains(snapshot.step) ? timeline.steps[snapshot.step].title : ""
        var line = "\(title)  \(timeline.lengthText(snapshot.position)) / \(timeline.lengthText(timeline.frameCount))"
        switch snapshot.mode {
        case .paused: line += "  [paused: Space resumes]"
        case .waiting: line += "  [waiting: Enter continues]"
        case .safety: line += "  [safety stop]"
        case .playing, .finished: break
        }
        if snapshot.volumeDecibels != 0 { line += "  volume \(snapshot.volumeDecibels > 0 ? "+" : "")\(snapshot.volumeDecibels) dB" }
        return line
    }
}

/// Turns changes of the engine's counters into JSON event lines.
struct EventWatcher {
    let engine: PlaybackEngine
    let output: AlsaPlayback
    var step = -1
    var last: PlaybackEngine.Snapshot?
    var xruns = 0
    var ended = false

    init(engine: PlaybackEngine, output: AlsaPlayback) {
        self.engine = engine
        self.output = output
    }

    mutating func newEvents() -> [String] {
        let now = engine.snapshot
        let timeline = engine.timeline
        var lines: [String] = []
        func event(_ name: String, _ extra: (inout JSONObject) -> Void = { _ in }) {
            var object = JSONObject()
            object.add("event", name)
            object.add("position", Double(now.position) / Double(timeline.sampleRate), decimals: 3)
            extra(&object)
            lines.append(object.text)
        }
        let previous = last ?? PlaybackEngine.Snapshot(position: 0, playedFrames: 0, coveredFrames: 0, step: -1, mode: .playing,
                                                       volumeDecibels: 0, completed: false, pauses: 0, resumes: 0,
                                                       skips: 0, extends: 0, safetyStops: 0, waitsStarted: 0)
        if now.step != step, now.mode != .finished, timeline.steps.indices.contains(now.step) {
            step = now.step
            let info = timeline.steps[now.step]
            event("step") {
                $0.add("index", now.step)
                $0.add("id", info.id)
                $0.add("title", info.title)
            }
        }
        for _ in previous.pauses..<max(previous.pauses, now.pauses) { event("paused") }
        for _ in previous.resumes..<max(previous.resumes, now.resumes) { event("resumed") }
        for _ in previous.skips..<max(previous.skips, now.skips) { event("skipped") }
        for _ in previous.extends..<max(previous.extends, now.extends) { event("extended") }
        for _ in previous.safetyStops..<max(previous.safetyStops, now.safetyStops) { event("safety") }
        for _ in previous.waitsStarted..<max(previous.waitsStarted, now.waitsStarted) { event("waiting") }
        let xrunCount = output.xrunCount
        for _ in xruns..<max(xruns, xrunCount) { event("xrun") }
        xruns = max(xruns, xrunCount)
        if now.mode == .finished, !ended {
            ended = true
            event(now.completed ? "finished" : "stopped") {
                $0.add("played", Double(now.playedFrames) / Double(timeline.sampleRate), decimals: 3)
            }
        }
        last = now
        return lines
    }
}
