import CFileIO

#if canImport(Glibc)
import Glibc
#endif

/// Why the control socket cannot be used.
public struct SocketError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case inUse, noServer, failed }
    public var kind: Kind
    public var message: String
    /// The system's error, when a call failed (its words end ``message``).
    public var errno: Errno?

    init(kind: Kind, message: String) {
        self.kind = kind
        self.message = message
    }

    /// "`what`: `errno`'s words", of kind `failed`.
    init(_ what: String, _ errno: Errno) {
        kind = .failed
        message = "\(what): \(errno)"
        self.errno = errno
    }

    public var description: String { message }
}

/// A private folder for the control socket: `$XDG_RUNTIME_DIR/psoas`, else `/tmp/psoas-<uid>`.
public enum RuntimeFolder {
    /// The folder, created 0700 if needed.
    /// - Throws: ``SocketError`` when it exists but is not a private folder of this user.
    public static func path(environment runtime: String?) throws(SocketError) -> String {
        let base = (runtime?.isEmpty == false ? runtime! : "/tmp")
        let folder = runtime?.isEmpty == false ? base + "/psoas" : base + "/psoas-\(getuid())"
        if mkdir(folder, 0o700) != 0, Errno.current != .fileExists {
            throw SocketError("cannot create \(folder)", .current)
        }
        var info = stat()
        guard lstat(folder, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR, info.st_uid == getuid() else {
            throw SocketError(kind: .failed, message: "\(folder) is not a folder owned by you")
        }
        chmod(folder, 0o700)
        return folder
    }
}

/// A listening Unix stream socket with non-blocking, line-based connections.
public final class UnixSocketServer {
    public let path: String
    public let descriptor: FileDescriptor

    /// Binds `path` (mode 0600). A stale socket from a dead player is replaced; a live one is
    /// an error of kind `inUse`.
    public init(path: String) throws(SocketError) {
        if UnixSocketClient.isAlive(path: path) {
            throw SocketError(kind: .inUse, message: "another psoas is playing (control socket \(path))")
        }
        unlink(path)
        let fd: FileDescriptor
        do {
            fd = try FileDescriptor.socket(nonBlocking: true)
        } catch {
            throw SocketError("socket", error)
        }
        var address = try UnixSocketClient.address(path)
        let previousMask = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previousMask)
        guard bound == 0, listen(fd.rawValue, 64) == 0 else {
            let error = Errno.current
            try? fd.close()
            throw SocketError("cannot listen on \(path)", error)
        }
        chmod(path, 0o600)
        self.path = path
        self.descriptor = fd
    }

    /// A new connection, if one is waiting (non-blocking).
    public func accept() -> FileDescriptor? {
        let flags = Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue)
        return (try? system { accept4(descriptor.rawValue, nil, nil, flags) }).map(FileDescriptor.init(rawValue:))
    }

    /// Closes the socket and removes its file.
    public func close() {
        try? descriptor.close()
        unlink(path)
    }

    /// Reads what a connection has sent; `nil` when it closed or failed.
    public static func receive(from connection: FileDescriptor, limit: Int = 4096) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: limit)
        let result = buffer.withUnsafeMutableBytes { raw in Result { () throws(Errno) in try connection.read(into: raw) } }
        switch result {
        case let .success(count): return count > 0 ? Array(buffer[0..<count]) : nil
        case let .failure(error): return error == .wouldBlock ? [] : nil
        }
    }

    /// Writes as much of `bytes` as the connection takes now; returns how many.
    public static func send(_ bytes: [UInt8], to connection: FileDescriptor) -> Int {
        (try? bytes.withUnsafeBytes { raw throws(Errno) in try connection.send(raw) }) ?? 0
    }

    public static func closeConnection(_ connection: FileDescriptor) {
        try? connection.close()
    }
}

/// The client side: one request line, one reply line.
public enum UnixSocketClient {
    static func address(_ path: String) throws(SocketError) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else {
            throw SocketError(kind: .failed, message: "socket path too long: \(path)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return address
    }

    /// A blocking connection to the socket at `path`.
    /// - Throws: ``Errno`` (ENAMETOOLONG when `path` does not fit a socket address).
    static func connection(to path: String) throws(Errno) -> FileDescriptor {
        guard var address = try? address(path) else { throw Errno(rawValue: ENAMETOOLONG) }
        let fd = try FileDescriptor.socket(nonBlocking: false)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let error = Errno.current
            try? fd.close()
            throw error
        }
        return fd
    }

    /// Whether a process is listening on `path`.
    public static func isAlive(path: String) -> Bool {
        guard let fd = try? connection(to: path) else { return false }
        try? fd.close()
        return true
    }

    /// Sends `line` and returns the reply line (without its newline).
    /// - Throws: ``SocketError`` (`noServer` when nothing listens).
    public static func request(path: String, line: String, timeoutMilliseconds: Int32 = 3000) throws(SocketError) -> String {
        guard let fd = try? connection(to: path) else {
            throw SocketError(kind: .noServer, message: "no psoas is playing (nothing listens on \(path))")
        }
        defer { try? fd.close() }
        let bytes = Array((line + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let count = (try? bytes[sent...].withUnsafeBytes { raw throws(Errno) in try fd.send(raw) }) ?? 0
            guard count > 0 else { throw SocketError(kind: .failed, message: "cannot send to \(path)") }
            sent += count
        }
        var reply: [UInt8] = []
        while !reply.contains(10) {
            guard !Poller.readable([fd], timeout: timeoutMilliseconds).isEmpty else {
                throw SocketError(kind: .failed, message: "no reply from the player within \(timeoutMilliseconds) ms")
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { (try? fd.read(into: $0)) ?? 0 }
            guard count > 0 else { break }
            reply += buffer[0..<count]
        }
        let line = reply.split(separator: 10, omittingEmptySubsequences: false).first ?? []
        return String(decoding: line, as: UTF8.self)
    }
}

// MARK: - Socket calls

extension FileDescriptor {
    /// A new Unix stream socket, closed in programs this one starts.
    static func socket(nonBlocking: Bool) throws(Errno) -> FileDescriptor {
        var type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        if nonBlocking { type |= Int32(SOCK_NONBLOCK.rawValue) }
        return FileDescriptor(rawValue: try valueOrErrno(Glibc.socket(AF_UNIX, type, 0)))
    }

    /// Sends what the socket takes of `buffer`; a reader that went away is an error
    /// (``Errno/brokenPipe``), not a SIGPIPE.
    /// - Returns: how many bytes were sent.
    func send(_ buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try system { Glibc.send(rawValue, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL)) }
    }
}
