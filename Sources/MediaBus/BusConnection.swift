import CSystemd
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

/// A connection to a D-Bus session bus (sd-bus), served from a `poll` loop.
///
/// Opening only connects and says hello; the owner adds ``descriptor`` to its poll set and
/// calls ``process()`` on every turn of its loop (sd-bus answers calls and sends queued
/// messages there, and needs it called at least by ``timeout(atMost:)``). Releasing the
/// connection closes it, which lets go of the names it owns (sd-bus writes each message at
/// once when it can, so little is left queued).
///
/// Thread-safety: one thread creates, serves and closes it; sd-bus is not thread-safe.
public final class BusConnection {
    /// The `sd_bus`.
    let bus: OpaquePointer

    /// How long a call to the bus daemon (the name request) may take before it fails.
    static let callTimeoutMicroseconds: UInt64 = 2_000_000

    /// The address of the session bus: `$DBUS_SESSION_BUS_ADDRESS`, else the user bus socket
    /// `$XDG_RUNTIME_DIR/bus` when it exists (as sd-bus finds it); `nil` when there is none.
    public static func sessionAddress(environment: [String: String]) -> String? {
        if let address = environment["DBUS_SESSION_BUS_ADDRESS"], !address.isEmpty { return address }
        if let runtime = environment["XDG_RUNTIME_DIR"], !runtime.isEmpty,
           UnixSocketClient.isAlive(path: runtime + "/bus") {
            return "unix:path=" + runtime + "/bus"
        }
        return nil
    }

    /// Connects to the bus at `address` and says hello.
    /// - Throws: ``BusError`` when the bus cannot be reached.
    public init(address: String) throws(BusError) {
        var bus: OpaquePointer?
        try checked(sd_bus_new(&bus), "sd_bus_new")
        guard let bus else { throw BusError(call: "sd_bus_new", errno: Errno(rawValue: 12)) }
        do throws(BusError) {
            try checked(address.withCString { sd_bus_set_address(bus, $0) }, "sd_bus_set_address")
            try checked(sd_bus_set_bus_client(bus, 1), "sd_bus_set_bus_client")
            // The session bus is this user's own: anyone on it may call (as sd_bus_open_user has it).
            try checked(sd_bus_set_trusted(bus, 1), "sd_bus_set_trusted")
            try checked(sd_bus_set_method_call_timeout(bus, Self.callTimeoutMicroseconds), "sd_bus_set_method_call_timeout")
            try checked(sd_bus_start(bus), "sd_bus_start")
        } catch {
            sd_bus_close_unref(bus)
            throw error
        }
        self.bus = bus
    }

    deinit {
        // Not sd_bus_flush_close_unref: a bus daemon that stops reading must not hold the exit;
        // sd_bus_send has written what it could at once.
        sd_bus_close_unref(bus)
    }

    /// Asks for a well-known name, without queueing for it.
    /// - Throws: ``BusError`` (``BusError/isNameTaken`` when another connection owns it).
    public func requestName(_ name: String) throws(BusError) {
        try checked(name.withCString { sd_bus_request_name(bus, $0, 0) }, "sd_bus_request_name")
    }

    /// The descriptor to wait on for readability.
    public var descriptor: FileDescriptor { FileDescriptor(rawValue: sd_bus_get_fd(bus)) }

    /// Reads, answers and sends what is pending, at most `limit` messages (so a flooding client
    /// cannot hold the loop).
    /// - Throws: ``BusError`` when the connection is lost.
    public func process(limit: Int = 64) throws(BusError) {
        for _ in 0..<limit {
            guard try checked(sd_bus_process(bus, nil), "sd_bus_process") > 0 else { return }
        }
    }

    /// How long a poll may wait, in milliseconds, before ``process()`` is due again: sd-bus's
    /// own deadline (`sd_bus_get_timeout`), at most `limit`.
    public func timeout(atMost limit: Int32) -> Int32 {
        var deadline: UInt64 = 0
        guard sd_bus_get_timeout(bus, &deadline) >= 0, deadline != UInt64.max else { return limit }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let nowMicroseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        guard deadline > nowMicroseconds else { return 0 }
        return Int32(min(UInt64(limit), (deadline - nowMicroseconds + 999) / 1_000))
    }

    /// Sends `org.freedesktop.DBus.Properties.PropertiesChanged` for `names` of `interface`,
    /// with their values now (sd-bus asks the object's getters).
    public func emitPropertiesChanged(path: String, interface: String, names: [String]) throws(BusError) {
        var strings = names.map { strdup($0) } + [nil]
        defer { strings.forEach { free($0) } }
        let result = path.withCString { path in
            interface.withCString { interface in
                strings.withUnsafeMutableBufferPointer { sd_bus_emit_properties_changed_strv(bus, path, interface, $0.baseAddress) }
            }
        }
        try checked(result, "sd_bus_emit_properties_changed_strv")
    }

    /// Sends the signal `interface.member` from `path` with `arguments`.
    public func emitSignal(path: String, interface: String, member: String, arguments: [BusValue]) throws(BusError) {
        var message: OpaquePointer?
        let result = path.withCString { path in
            interface.withCString { interface in
                member.withCString { sd_bus_message_new_signal(bus, &message, path, interface, $0) }
            }
        }
        try checked(result, "sd_bus_message_new_signal")
        guard let message else { return }
        defer { sd_bus_message_unref(message) }
        for argument in arguments { try argument.append(to: message) }
        try checked(sd_bus_send(bus, message, nil), "sd_bus_send")
    }
}
