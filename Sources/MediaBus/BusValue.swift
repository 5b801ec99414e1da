import CSystemd

/// A value sent on the bus: the D-Bus types an MPRIS object answers with.
public enum BusValue: Sendable, Equatable {
    case boolean(Bool)
    case string(String)
    case double(Double)
    case int64(Int64)
    /// An object path (`o`), such as a track id.
    case objectPath(String)
    /// An array of strings (`as`).
    case strings([String])
    /// A dictionary of variants (`a{sv}`), in this order.
    case dictionary([(key: String, value: BusValue)])

    public static func == (lhs: BusValue, rhs: BusValue) -> Bool {
        switch (lhs, rhs) {
        case let (.boolean(a), .boolean(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.double(a), .double(b)): a == b
        case let (.int64(a), .int64(b)): a == b
        case let (.objectPath(a), .objectPath(b)): a == b
        case let (.strings(a), .strings(b)): a == b
        case let (.dictionary(a), .dictionary(b)): a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value)
        default: false
        }
    }

    /// The D-Bus signature of the value.
    public var signature: String {
        switch self {
        case .boolean: "b"
        case .string: "s"
        case .double: "d"
        case .int64: "x"
        case .objectPath: "o"
        case .strings: "as"
        case .dictionary: "a{sv}"
        }
    }

    /// Appends the value to `message` (an `sd_bus_message`).
    func append(to message: OpaquePointer) throws(BusError) {
        switch self {
        case let .boolean(value):
            var number: Int32 = value ? 1 : 0
            try checked(sd_bus_message_append_basic(message, CChar(UInt8(ascii: "b")), &number), "sd_bus_message_append_basic")
        case let .string(text):
            try Self.appendText(text, type: "s", to: message)
        case let .objectPath(path):
            try Self.appendText(path, type: "o", to: message)
        case let .double(value):
            var number = value
            try checked(sd_bus_message_append_basic(message, CChar(UInt8(ascii: "d")), &number), "sd_bus_message_append_basic")
        case let .int64(value):
            var number = value
            try checked(sd_bus_message_append_basic(message, CChar(UInt8(ascii: "x")), &number), "sd_bus_message_append_basic")
        case let .strings(texts):
            try checked(sd_bus_message_open_container(message, CChar(UInt8(ascii: "a")), "s"), "sd_bus_message_open_container")
            for text in texts { try Self.appendText(text, type: "s", to: message) }
            try checked(sd_bus_message_close_container(message), "sd_bus_message_close_container")
        case let .dictionary(entries):
            try checked(sd_bus_message_open_container(message, CChar(UInt8(ascii: "a")), "{sv}"), "sd_bus_message_open_container")
            for (key, value) in entries {
                try checked(sd_bus_message_open_container(message, CChar(UInt8(ascii: "e")), "sv"), "sd_bus_message_open_container")
                try Self.appendText(key, type: "s", to: message)
                try checked(sd_bus_message_open_container(message, CChar(UInt8(ascii: "v")), value.signature),
                            "sd_bus_message_open_container")
                try value.append(to: message)
                try checked(sd_bus_message_close_container(message), "sd_bus_message_close_container")
                try checked(sd_bus_message_close_container(message), "sd_bus_message_close_container")
            }
            try checked(sd_bus_message_close_container(message), "sd_bus_message_close_container")
        }
    }

    private static func appendText(_ text: String, type: Character, to message: OpaquePointer) throws(BusError) {
        let code = CChar(UInt8(ascii: type.unicodeScalars.first ?? "s"))
        let result = text.withCString { sd_bus_message_append_basic(message, code, $0) }
        try checked(result, "sd_bus_message_append_basic")
    }
}
