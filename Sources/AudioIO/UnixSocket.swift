import CFileIO

#if canImport(Glibc)
import Glibc
#endif

/// Why the control socket cannot be used.
public struct SocketError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable { case inUse, noServer, failed }
    public var kind: Kind
    public var message: String
    public var description: String { message }
}

/// A private folder for the control socket: `$XDG_RUNTIME_DIR/psoas`, else `/tmp/psoas-<uid>`.
public enum RuntimeFolder {
    /// The folder, created 0700 if needed.
    /// - Throws: ``SocketError`` when it exists but is not a private folder of this user.
    public static func path(environment runtime: String?) throws(SocketError) -> String {
        let base = (runtime?.isEmpty == false ? runtime! : "/tmp")
        let folder = runtime?.isEmpty == false ? base + "/psoas" : base + "/psoas-\(getuid())"
        if mkdir(folder, 0o700) != 0, errno != EEXIST {
            throw SocketError(kind: .failed, message: "cannot create \(folder): \(String(cString: strerror(errno)))")
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
    public let descriptor: Int32

    /// Binds `path` (mode 0600). A stale socket from a dead player is replaced; a live one is
    /// an error of kind `inUse`.
    public init(path: String) throws(SocketError) {
        if UnixSocketClient.isAlive(path: path) {
            throw SocketError(kind: .inUse, message: "another psoas is playing (control socket \(path))")
        }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { throw SocketError(kind: .failed, message: "socket: \(String(cString: strerror(errno)))") }
        var address = try UnixSocketClient.address(path)
        let previousMask = umask(0o177)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        umask(previousMask)
        guard bound == 0, listen(fd, 64) == 0 else {
            let message = String(cString: strerror(errno))
            Glibc.close(fd)
            throw SocketError(kind: .failed, message: "cannot listen on \(path): \(message)")
        }
        chmod(path, 0o600)
        self.path = path
        self.descriptor = fd
    }

    /// A new connection, if one is waiting (non-blocking).
    public func accept() -> Int32? {
        let fd = accept4(descriptor, nil, nil, Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue))
        return fd >= 0 ? fd : nil
    }

    /// Closes the socket and removes its file.
    public func close() {
        Glibc.close(descriptor)
        unlink(path)
    }

    /// Reads what a connection has sent; `nil` when it closed or failed.
    public static func receive(from fd: Int32, limit: Int = 4096) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: limit)
        let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
        if count > 0 { return Array(buffer[0..<count]) }
        if count < 0, errno == EAGAIN || errno == EINTR { return [] }
        return nil
    }

    /// Writes as much of `bytes` as the connection takes now; returns how many.
    public static func send(_ bytes: [UInt8], to fd: Int32) -> Int {
        let count = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return max(0, count)
    }

    public static func closeConnection(_ fd: Int32) {
        Glibc.close(fd)
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

    static func connect(path: String) -> Int32? {
        guard var address = try? address(path) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    /// Whether a process is listening on `path`.
    public static func isAlive(path: String) -> Bool {
        guard let fd = connect(path: path) else { return false }
        close(fd)
        return true
    }

    /// Sends `line` and returns the reply line (without its newline).
    /// - Throws: ``SocketError`` (`noServer` when nothing listens).
    public static func request(path: String, line: String, timeoutMilliseconds: Int32 = 3000) throws(SocketError) -> String {
        guard let fd = connect(path: path) else {
            throw SocketError(kind: .noServer, message: "no psoas is playing (nothing listens on \(path))")
        }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard count > 0 else { throw SocketError(kind: .failed, message: "cannot send to \(path)") }
            sent += count
        }
        var reply: [UInt8] = []
        while !reply.contains(10) {
            guard !Poller.readable([fd], timeout: timeoutMilliseconds).isEmpty else {
                throw SocketError(kind: .failed, message: "no reply from the player within \(timeoutMilliseconds) ms")
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { break }
            reply += buffer[0..<count]
        }
        let line = reply.split(separator: 10, omittingEmptySubsequences: false).first ?? []
        return String(decoding: line, as: UTF8.self)
    }
}
