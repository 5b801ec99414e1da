import SystemIO

/// A failed sd-bus call: which one, and the error it returned (sd-bus returns `-errno`).
public struct BusError: Error, Sendable, CustomStringConvertible {
    /// The sd-bus function that failed (`sd_bus_start`).
    public var call: String
    public var errno: Errno

    /// `sd_bus_start: Connection refused`.
    public var description: String { "\(call): \(errno)" }

    /// Whether the error is EEXIST (a name another connection owns).
    public var isNameTaken: Bool { errno.rawValue == 17 }
}

/// `result` when it is not negative, else a ``BusError`` naming `call`.
@discardableResult
func checked(_ result: Int32, _ call: String) throws(BusError) -> Int32 {
    guard result >= 0 else { throw BusError(call: call, errno: Errno(rawValue: -result)) }
    return result
}
