import Foundation
import SystemIO

#if canImport(Glibc)
import Glibc
#endif

/// A D-Bus client written on the wire protocol (little-endian, `AUTH EXTERNAL`), for what the
/// command-line clients cannot send: a string argument of 1 MB (one command-line argument
/// is limited to 128 KiB), or a call whose caller disconnects before the reply.
public final class RawBusClient: @unchecked Sendable {
    private let fd: Int32
    private var serial: UInt32 = 0
    private var received: [UInt8] = []

    /// How a call ended: an empty or valued return, or an error with its name.
    public enum Reply: Equatable, Sendable {
        case returned
        case error(String)
    }

    public struct ClientError: Error, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// Connects to the bus at `socketPath`, authenticates and says hello.
    public init(socketPath: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError(message: "socket: \(Errno.current)") }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in socketPath.utf8.prefix(raw.count - 1).enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            Glibc.close(fd)
            throw ClientError(message: "connect \(socketPath): \(Errno.current)")
        }
        let uid = String(getuid()).utf8.map { String(format: "%02x", $0) }.joined()
        try send([0] + Array("AUTH EXTERNAL \(uid)\r\n".utf8))
        let answer = try readLine()
        guard answer.hasPrefix("OK ") else { throw ClientError(message: "authentication refused: \(answer)") }
        try send(Array("BEGIN\r\n".utf8))
        let hello = try call(destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus",
                             interface: "org.freedesktop.DBus", member: "Hello")
        guard hello == .returned else { throw ClientError(message: "Hello: \(hello)") }
    }

    deinit { Glibc.close(fd) }

    /// Calls `member` with string arguments and waits for its reply.
    public func call(destination: String, path: String, interface: String, member: String,
                     strings: [String] = [], timeout: TimeInterval = 10) throws -> Reply {
        let sent = try send(destination: destination, path: path, interface: interface, member: member, strings: strings)
        return try reply(to: sent, timeout: timeout)
    }

    /// Sends a call without waiting for its reply; returns its serial.
    @discardableResult
    public func send(destination: String, path: String, interface: String, member: String,
                     strings: [String] = []) throws -> UInt32 {
        serial += 1
        try send(Self.methodCall(serial: serial, destination: destination, path: path, interface: interface,
                                 member: member, strings: strings))
        return serial
    }

    // MARK: - The wire

    static func methodCall(serial: UInt32, destination: String, path: String, interface: String, member: String,
                           strings: [String]) -> [UInt8] {
        var message: [UInt8] = [UInt8(ascii: "l"), 1, 0, 1]
        func align(_ boundary: Int) {
            while message.count % boundary != 0 { message.append(0) }
        }
        func append(_ value: UInt32) {
            withUnsafeBytes(of: value.littleEndian) { message += $0 }
        }
        func appendString(_ text: String) {
            align(4)
            append(UInt32(text.utf8.count))
            message += text.utf8
            message.append(0)
        }
        var body: [UInt8] = []
        for text in strings {
            while body.count % 4 != 0 { body.append(0) }
            withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { body += $0 }
            body += text.utf8
            body.append(0)
        }
        append(UInt32(body.count))
        append(serial)
        append(0)  // the header fields' length, set below
        let fieldsStart = message.count
        var fields: [(UInt8, Character, String)] = [
            (1, "o", path), (2, "s", interface), (3, "s", member), (6, "s", destination),
        ]
        if !strings.isEmpty { fields.append((8, "g", String(repeating: "s", count: strings.count))) }
        for (code, type, value) in fields {
            align(8)
            message += [code, 1, UInt8(ascii: type.unicodeScalars.first ?? "s"), 0]
            if type == "g" {
                message.append(UInt8(value.utf8.count))
                message += value.utf8
                message.append(0)
            } else {
                appendString(value)
            }
        }
        let fieldsLength = UInt32(message.count - fieldsStart)
        withUnsafeBytes(of: fieldsLength.littleEndian) { raw in
            for index in 0..<4 { message[12 + index] = raw[index] }
        }
        align(8)
        return message + body
    }

    private func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw ClientError(message: "send: \(Errno.current)") }
            offset += written
        }
    }

    private func receiveMore(timeout: TimeInterval) throws {
        var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&entry, 1, Int32(timeout * 1000)) > 0 else { throw ClientError(message: "no reply within \(timeout) s") }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { throw ClientError(message: "the bus closed the connection") }
        received += buffer[0..<count]
    }

    private func readLine() throws -> String {
        while !received.contains(10) { try receiveMore(timeout: 5) }
        let end = received.firstIndex(of: 10) ?? received.endIndex
        let line = String(decoding: received[..<end], as: UTF8.self)
        received.removeSubrange(...end)
        return line.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func reply(to serial: UInt32, timeout: TimeInterval) throws -> Reply {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            while let message = takeMessage() {
                guard message.replySerial == serial else { continue }
                if message.type == 2 { return .returned }
                if message.type == 3 { return .error(message.errorName ?? "") }
            }
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { throw ClientError(message: "no reply within \(timeout) s") }
            try receiveMore(timeout: left)
        }
    }

    /// The next whole message received, its type, reply serial and error name.
    private func takeMessage() -> (type: UInt8, replySerial: UInt32?, errorName: String?)? {
        guard received.count >= 16 else { return nil }
        func number(at offset: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(received[offset + $1]) << (8 * $1) }
        }
        let bodyLength = Int(number(at: 4))
        let fieldsLength = Int(number(at: 12))
        let headerEnd = (16 + fieldsLength + 7) / 8 * 8
        guard received.count >= headerEnd + bodyLength else { return nil }
        var replySerial: UInt32?
        var errorName: String?
        var offset = 16
        while offset < 16 + fieldsLength {
            offset = (offset + 7) / 8 * 8
            let code = received[offset]
            let signatureLength = Int(received[offset + 1])
            let type = received[offset + 2]
            offset += 2 + signatureLength + 1
            switch type {
            case UInt8(ascii: "u"):
                offset = (offset + 3) / 4 * 4
                if code == 5 { replySerial = number(at: offset) }
                offset += 4
            case UInt8(ascii: "g"):
                offset += 1 + Int(received[offset]) + 1
            default:
                offset = (offset + 3) / 4 * 4
                let length = Int(number(at: offset))
                if code == 4 { errorName = String(decoding: received[(offset + 4)..<(offset + 4 + length)], as: UTF8.self) }
                offset += 4 + length + 1
            }
        }
        let type = received[1]
        received.removeSubrange(0..<(headerEnd + bodyLength))
        return (type, replySerial, errorName)
    }
}
