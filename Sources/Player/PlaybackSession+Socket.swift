import AudioIO
import Foundation
import SystemIO

/// The control socket's connections: `psoas ctl` and any other client of ``ControlProtocol``.
extension PlaybackSession {
    func acceptConnections(_ server: UnixSocketServer) {
        while let fd = server.accept() {
            guard connections.count < Self.maximumConnections else {
                _ = UnixSocketServer.send(Array((ControlProtocol.errorReply("too many connections") + "\n").utf8), to: fd)
                UnixSocketServer.closeConnection(fd)
                continue
            }
            connections[fd] = Connection()
        }
    }

    func serve(_ fd: FileDescriptor) {
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

    func close(_ fd: FileDescriptor) {
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
}
