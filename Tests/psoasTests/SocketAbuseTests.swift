import Foundation
import PsoasTestSupport
import SystemIO
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The control socket survives garbage, huge lines, half lines, crowds and clients that never
/// read, and the player plays on to the end.
@Suite(.serialized) struct SocketAbuseTests {
    /// A raw client connection.
    func connect(_ path: String) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return connected == 0 ? fd : -1
    }

    func send(_ fd: Int32, _ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
    }

    /// Reads what arrives within `timeout` seconds.
    func receive(_ fd: Int32, timeout: Int32 = 1000) -> String {
        var text = [UInt8]()
        while !Poller.readable([FileDescriptor(rawValue: fd)], timeout: timeout).isEmpty {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            text += buffer[0..<count]
            if text.contains(10) { break }
        }
        return String(decoding: text, as: UTF8.self)
    }

    @Test func abuseDoesNotStopThePlayer() throws {
        let server = try PipeWireServer()
        defer { server.stop() }
        let socketPath = server.environment["XDG_RUNTIME_DIR"]! + "/psoas/control.sock"
        let player = try RunningPsoas(["play", sessionFixture("thirty.yaml"), "--device", "pipewire", "--events", "json"],
                                      environment: server.environment)
        try Signal.waitUntil(socket: socketPath, position: 1.0)

        // Binary garbage: an error reply, the connection stays usable.
        let garbage = connect(socketPath)
        _ = send(garbage, [0x00, 0x01, 0xFF, 0xFE, 0x80, 0x0A])
        #expect(receive(garbage).hasPrefix("{\"ok\":false,\"error\":\"unknown command"))
        _ = send(garbage, Array("status\n".utf8))
        #expect(receive(garbage).contains("\"session\":\"thirty\""))
        close(garbage)

        // A 1 MB line: refused and closed.
        let huge = connect(socketPath)
        var sent = 0
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 65_536)
        while sent < 1 << 20 {
            let count = send(huge, chunk)
            if count <= 0 { break }
            sent += count
        }
        #expect(receive(huge).contains("line too long"))
        close(huge)

        // Half-written JSON, never finished; and a crowd of 200 connections.
        let half = connect(socketPath)
        _ = send(half, Array("{\"pause\": tr".utf8))
        let crowd = (0..<200).map { _ in connect(socketPath) }
        #expect(crowd.filter { $0 >= 0 }.count == 200)
        Thread.sleep(forTimeInterval: 0.3)
        let refused = crowd.filter { receive($0, timeout: 50).contains("too many connections") }.count
        #expect(refused >= 150, "connections beyond the limit are turned away (\(refused))")

        // A client that sends thousands of commands and never reads a reply.
        let deaf = connect(socketPath)
        let flood = Array(String(repeating: "status\n", count: 20_000).utf8)
        var offset = 0
        let deadline = Date().addingTimeInterval(3)
        while offset < flood.count, Date() < deadline {
            let count = flood[offset...].withUnsafeBytes { Glibc.send(deaf, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            if count > 0 { offset += count } else { Thread.sleep(forTimeInterval: 0.01) }
        }
        crowd.forEach { close($0) }
        close(half)
        close(deaf)

        // Once the abusers are gone (the player notices each closed connection on its next
        // poll), it answers again and plays on to the end.
        var status = ""
        let answerDeadline = Date().addingTimeInterval(5)
        repeat {
            Thread.sleep(forTimeInterval: 0.2)
            status = (try? UnixSocketClient.request(path: socketPath, line: "status")) ?? ""
        } while !status.contains("\"session\"") && Date() < answerDeadline
        #expect(status.contains("\"paused\":false"), "\(status)")
        #expect(player.wait(timeout: 45) == 0, "\(player.stderr)")
        #expect(player.waitForLine(containing: "\"event\":\"finished\"", timeout: 1) != nil)
    }
}
