import CMediaPlayer
import CSystemd
import SystemIO

/// What an exported MPRIS object does: the answers to its methods and properties.
///
/// Which members exist, and their signatures, is fixed by the object (`MediaPlayerVTable.h`);
/// sd-bus has checked a call's arguments before it gets here.
public protocol MediaPlayerDelegate: AnyObject {
    /// A method of `interface` was called (`PlayPause`, `Quit`, …).
    /// - Returns: `nil`, or the error the caller gets.
    func call(interface: String, method: String) -> Errno?
    /// The value of `property` of `interface`, of the signature the object declares.
    func property(interface: String, name: String) -> BusValue?
    /// A client sets the `Volume` (the only writable property).
    /// - Returns: `nil`, or the error the caller gets.
    func setVolume(_ volume: Double) -> Errno?
}

/// An object with the two MPRIS interfaces (`org.mpris.MediaPlayer2` and
/// `org.mpris.MediaPlayer2.Player`) exported on a ``BusConnection``, answered by a delegate.
///
/// Thread-safety: the connection's thread only; the delegate is called from its ``BusConnection/process(limit:)``.
public final class MediaPlayerObject {
    /// The object path MPRIS clients look at.
    public static let path = "/org/mpris/MediaPlayer2"
    public static let rootInterface = "org.mpris.MediaPlayer2"
    public static let playerInterface = "org.mpris.MediaPlayer2.Player"

    let connection: BusConnection
    /// Holds the delegate for the C callbacks (unretained there).
    private let box: DelegateBox
    private let handlers: UnsafeMutablePointer<psoas_media_player_handlers>
    private var rootSlot: OpaquePointer?
    private var playerSlot: OpaquePointer?

    /// Exports the object at ``path``.
    /// - Parameter hasDesktopEntry: whether the root interface has `DesktopEntry`.
    /// - Throws: ``BusError``.
    public init(on connection: BusConnection, delegate: MediaPlayerDelegate, hasDesktopEntry: Bool) throws(BusError) {
        self.connection = connection
        box = DelegateBox(delegate)
        handlers = .allocate(capacity: 1)
        handlers.initialize(to: psoas_media_player_handlers(
            context: Unmanaged.passUnretained(box).toOpaque(),
            call: { context, interface, member in
                guard let context, let interface, let member else { return -22 }
                let delegate = Unmanaged<DelegateBox>.fromOpaque(context).takeUnretainedValue().delegate
                guard let error = delegate?.call(interface: String(cString: interface), method: String(cString: member))
                else { return 0 }
                return -error.rawValue
            },
            get: { context, interface, property, reply in
                guard let context, let interface, let property, let reply else { return -22 }
                let delegate = Unmanaged<DelegateBox>.fromOpaque(context).takeUnretainedValue().delegate
                guard let value = delegate?.property(interface: String(cString: interface), name: String(cString: property))
                else { return -22 }
                do throws(BusError) {
                    try value.append(to: reply)
                    return 0
                } catch {
                    return -error.errno.rawValue
                }
            },
            set: { context, _, property, value in
                guard let context, let property, let value, String(cString: property) == "Volume" else { return -22 }
                var volume = 0.0
                let result = sd_bus_message_read_basic(value, CChar(UInt8(ascii: "d")), &volume)
                guard result > 0 else { return result < 0 ? result : -22 }
                let delegate = Unmanaged<DelegateBox>.fromOpaque(context).takeUnretainedValue().delegate
                guard let error = delegate?.setVolume(volume) else { return 0 }
                return -error.rawValue
            }))
        let result = Self.path.withCString {
            psoas_media_player_export(connection.bus, $0, handlers, hasDesktopEntry ? 1 : 0, &rootSlot, &playerSlot)
        }
        // On failure `deinit` releases the handlers.
        try checked(result, "sd_bus_add_object_vtable")
    }

    deinit {
        sd_bus_slot_unref(playerSlot)
        sd_bus_slot_unref(rootSlot)
        handlers.deinitialize(count: 1)
        handlers.deallocate()
    }

    /// Sends `PropertiesChanged` for `names` of `interface`.
    public func propertiesChanged(_ names: [String], of interface: String = playerInterface) throws(BusError) {
        try connection.emitPropertiesChanged(path: Self.path, interface: interface, names: names)
    }

    /// Sends `Seeked` with the new position in microseconds.
    public func seeked(toMicroseconds position: Int64) throws(BusError) {
        try connection.emitSignal(path: Self.path, interface: Self.playerInterface, member: "Seeked",
                                  arguments: [.int64(position)])
    }
}

/// The delegate, weakly: the object never keeps its owner alive.
private final class DelegateBox {
    weak var delegate: MediaPlayerDelegate?
    init(_ delegate: MediaPlayerDelegate) { self.delegate = delegate }
}
