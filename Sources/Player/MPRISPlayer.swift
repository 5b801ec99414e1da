import Foundation
import MediaBus
import Planning
import SystemIO

/// The player on the D-Bus session bus as an MPRIS media player (`org.mpris.MediaPlayer2.psoas`),
/// so media keys, a headset's button, the desktop's media widget and phone remotes reach it.
///
/// Its methods send ``TransportCommand``s and its properties read the engine's
/// ``PlaybackEngine/Snapshot`` and the ``Timeline`` (``MPRISMapping`` says how);
/// ``serve()`` answers the bus and announces what changed since its last turn.
///
/// Thread-safety: the control side's thread only (the main thread's poll loop in
/// ``PlaybackSession``); the bus is never served from the playback thread.
final class MPRISPlayer: MediaPlayerDelegate {
    /// The name psoas asks for first.
    static let busName = "org.mpris.MediaPlayer2.psoas"

    let engine: PlaybackEngine
    let connection: BusConnection
    private var object: MediaPlayerObject?
    /// The name owned: ``busName``, or `….instance<PID>` when another player has it.
    private(set) var name = busName
    /// `xesam:artist`: the voice pack.
    let artist: String
    let desktopEntry: String?
    /// What was announced last.
    private var announced: (status: String, step: Int, volume: Double)?
    /// The position seen last, and when, to tell a jump from playing on.
    private var lastPosition: (frames: Int64, at: Date)?
    /// A volume a client set that the engine may not have taken yet, in dB.
    private var pendingVolume: (decibels: Double, until: Date)?

    /// Why the player is not on the bus.
    enum Absence: Error {
        /// No session bus is known (no `$DBUS_SESSION_BUS_ADDRESS`, no `$XDG_RUNTIME_DIR/bus`).
        case noBus
        /// The session bus cannot be used.
        case failed(address: String, BusError)

        var message: String {
            switch self {
            case .noBus: "no D-Bus session bus ($DBUS_SESSION_BUS_ADDRESS is not set): media keys and MPRIS clients cannot reach psoas"
            case let .failed(address, error): "the D-Bus session bus at \(address) cannot be used (\(error)): media keys and MPRIS clients cannot reach psoas"
            }
        }
    }

    /// Connects to the session bus, exports the object and takes a name.
    /// - Throws: ``Absence``.
    init(engine: PlaybackEngine, environment: [String: String], artist: String) throws(Absence) {
        guard let address = BusConnection.sessionAddress(environment: environment) else { throw .noBus }
        self.engine = engine
        self.artist = artist
        desktopEntry = Self.desktopEntry(environment: environment)
        do throws(BusError) {
            connection = try BusConnection(address: address)
            // The object is there before the name, so a client that sees the name finds it.
            object = try MediaPlayerObject(on: connection, delegate: self, hasDesktopEntry: desktopEntry != nil)
            do throws(BusError) {
                try connection.requestName(Self.busName)
            } catch where error.isNameTaken {
                name = Self.busName + ".instance\(getpid())"
                try connection.requestName(name)
            }
        } catch {
            throw .failed(address: address, error)
        }
    }

    var descriptor: FileDescriptor { connection.descriptor }

    /// How long the poll may wait before ``serve()`` is due, at most `limit` milliseconds.
    func timeout(atMost limit: Int32) -> Int32 { connection.timeout(atMost: limit) }

    /// Answers what clients sent and announces changes of status, step and volume, and jumps
    /// of the position.
    /// - Throws: ``BusError`` when the connection is lost.
    func serve() throws(BusError) {
        try connection.process()
        try announceChanges()
    }

    // MARK: - Changes

    private func announceChanges() throws(BusError) {
        let snapshot = engine.snapshot
        if let pending = pendingVolume, abs(snapshot.volumeDecibels - pending.decibels) < 0.005 || Date() > pending.until {
            pendingVolume = nil
        }
        let now = (status: MPRISMapping.playbackStatus(snapshot.mode), step: snapshot.step, volume: snapshot.volumeDecibels)
        var changed: [String] = []
        if now.status != announced?.status { changed.append("PlaybackStatus") }
        if now.step != announced?.step { changed.append("Metadata") }
        if now.volume != announced?.volume { changed.append("Volume") }
        let first = announced == nil
        announced = now
        if !changed.isEmpty, !first { try object?.propertiesChanged(changed) }
        let date = Date()
        if let last = lastPosition, MPRISMapping.isJump(from: last.frames, to: snapshot.position,
                                                 after: date.timeIntervalSince(last.at), sampleRate: engine.timeline.sampleRate) {
            try object?.seeked(toMicroseconds: position(snapshot))
        }
        lastPosition = (snapshot.position, date)
    }

    private func position(_ snapshot: PlaybackEngine.Snapshot) -> Int64 {
        MPRISMapping.microseconds(frames: snapshot.position, sampleRate: engine.timeline.sampleRate)
    }

    // MARK: - MediaPlayerDelegate

    func call(interface: String, method: String) -> Errno? {
        if method == "OpenUri" { return Errno(rawValue: ENOTSUP) }
        if let command = MPRISMapping.command(for: method, mode: engine.snapshot.mode) { engine.send(command) }
        return nil
    }

    func setVolume(_ volume: Double) -> Errno? {
        guard let target = MPRISMapping.decibels(volume: volume) else { return .invalidArgument }
        let current = pendingVolume?.decibels ?? engine.snapshot.volumeDecibels
        guard target != current else { return nil }
        engine.send(.volume(decibels: target - current))
        pendingVolume = (target, Date().addingTimeInterval(0.5))
        return nil
    }

    func property(interface: String, name: String) -> BusValue? {
        let snapshot = engine.snapshot
        switch name {
        case "Identity": return .string("psoas")
        case "DesktopEntry": return .string(desktopEntry ?? "psoas")
        case "CanQuit", "CanGoNext", "CanGoPrevious", "CanPlay", "CanPause", "CanControl": return .boolean(true)
        case "CanRaise", "HasTrackList", "CanSeek": return .boolean(false)
        case "SupportedUriSchemes", "SupportedMimeTypes": return .strings([])
        case "PlaybackStatus": return .string(MPRISMapping.playbackStatus(snapshot.mode))
        case "Rate", "MinimumRate", "MaximumRate": return .double(1)
        case "Volume": return .double(MPRISMapping.volume(decibels: pendingVolume?.decibels ?? snapshot.volumeDecibels))
        case "Position": return .int64(position(snapshot))
        case "Metadata": return metadata(step: snapshot.step)
        default: return nil
        }
    }

    /// The step as a track: its id, title, the session as the album, the voice pack as the
    /// artist, and the session's length.
    private func metadata(step: Int) -> BusValue {
        let timeline = engine.timeline
        guard timeline.steps.indices.contains(step) else {
            return .dictionary([("mpris:trackid", .objectPath("/org/mpris/MediaPlayer2/TrackList/NoTrack"))])
        }
        let info = timeline.steps[step]
        return .dictionary([
            ("mpris:trackid", .objectPath(MPRISMapping.trackID(step: step))),
            ("mpris:length", .int64(MPRISMapping.microseconds(frames: timeline.frameCount, sampleRate: timeline.sampleRate))),
            ("xesam:title", .string(info.title.isEmpty ? info.id : info.title)),
            ("xesam:album", .string(timeline.title)),
            ("xesam:artist", .strings([artist])),
        ])
    }

    /// `psoas` when a `psoas.desktop` is installed in the data folders' `applications`
    /// (`$XDG_DATA_HOME`, else `~/.local/share`; `$XDG_DATA_DIRS`, else `/usr/local/share:/usr/share`).
    static func desktopEntry(environment: [String: String]) -> String? {
        var folders: [String] = []
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty {
            folders.append(data)
        } else if let home = environment["HOME"], !home.isEmpty {
            folders.append(home + "/.local/share")
        }
        let shared = environment["XDG_DATA_DIRS"].flatMap { $0.isEmpty ? nil : $0 } ?? "/usr/local/share:/usr/share"
        folders += shared.split(separator: ":").map(String.init)
        let installed = folders.contains { FileBytes.exists(path: $0 + "/applications/psoas.desktop") }
        return installed ? "psoas" : nil
    }
}
