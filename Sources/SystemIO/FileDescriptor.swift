import CFileIO
#if canImport(Glibc)
import Glibc
#endif

/// An open file descriptor, as swift-system's `FileDescriptor`: a number with the calls made
/// on it. It does not close itself; whoever opens one closes it.
///
/// Every call that may be interrupted by a signal is retried (``retryOnInterrupt(_:)``);
/// failures throw ``Errno``.
public struct FileDescriptor: RawRepresentable, Sendable, Hashable {
    /// The C descriptor.
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    public static let standardInput = FileDescriptor(rawValue: 0)
    public static let standardOutput = FileDescriptor(rawValue: 1)
    public static let standardError = FileDescriptor(rawValue: 2)
}

// MARK: - Opening and closing

extension FileDescriptor {
    /// How a file is opened.
    public enum AccessMode: Sendable {
        case readOnly, writeOnly, readWrite

        var flags: Int32 {
            switch self {
            case .readOnly: O_RDONLY
            case .writeOnly: O_WRONLY
            case .readWrite: O_RDWR
            }
        }
    }

    /// What else `open` does.
    public struct OpenOptions: OptionSet, Sendable {
        public let rawValue: Int32

        public init(rawValue: Int32) {
            self.rawValue = rawValue
        }

        /// Creates the file when it does not exist (`O_CREAT`).
        public static let create = OpenOptions(rawValue: O_CREAT)
        /// Empties an existing file (`O_TRUNC`).
        public static let truncate = OpenOptions(rawValue: O_TRUNC)
        /// With ``create``: fails with ``Errno/fileExists`` when the file exists (`O_EXCL`).
        public static let exclusive = OpenOptions(rawValue: O_EXCL)
    }

    /// Opens `path`; the descriptor is closed in programs this one starts (`O_CLOEXEC`).
    /// - Parameter permissions: the mode of a file `.create` makes (the umask applies).
    /// - Throws: ``Errno``.
    public static func open(_ path: String, _ mode: AccessMode, options: OpenOptions = [],
                            permissions: mode_t = 0) throws(Errno) -> FileDescriptor {
        let flags = mode.flags | options.rawValue | O_CLOEXEC
        return FileDescriptor(rawValue: try system { Glibc.open(path, flags, permissions) })
    }

    /// Creates a new file with a name of its own in `folder` (`mkostemp`): `prefix` followed by
    /// six random characters, mode 0600, open for writing.
    /// - Returns: the descriptor and the file's path.
    /// - Throws: ``Errno``.
    public static func createUnique(inFolder folder: String, prefix: String) throws(Errno) -> (FileDescriptor, String) {
        var template = Array((folder + "/" + prefix + "XXXXXX").utf8CString)
        let descriptor = try template.withUnsafeMutableBufferPointer { buffer throws(Errno) in
            guard let base = buffer.baseAddress else { throw Errno.invalidArgument }
            return try system { mkostemp(base, O_CLOEXEC) }
        }
        return (FileDescriptor(rawValue: descriptor), String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }

    /// Opens an unnamed regular file in `folder` for reading and writing (`O_TMPFILE`), to be
    /// linked in when complete.
    /// - Throws: ``Errno``, also when the filesystem does not support it.
    static func openUnnamed(inFolder folder: String, permissions: mode_t) throws(Errno) -> FileDescriptor {
        FileDescriptor(rawValue: try system { psoas_open_unnamed(folder, permissions) })
    }

    /// Closes the descriptor. It is not retried on EINTR: Linux has closed it already.
    /// - Throws: ``Errno`` when the last writes failed (on some filesystems only now).
    public func close() throws(Errno) {
        _ = try valueOrErrno(Glibc.close(rawValue))
    }
}

// MARK: - Reading and writing

extension FileDescriptor {
    /// Reads into `buffer` at the current position.
    /// - Returns: how many bytes were read; 0 at the end of the file.
    /// - Throws: ``Errno`` (``Errno/wouldBlock`` when non-blocking and nothing is there).
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try system { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Reads into `buffer` from `offset`, leaving the position alone (`pread`).
    /// - Returns: how many bytes were read; fewer than asked for at the end of the file.
    public func read(fromAbsoluteOffset offset: Int64, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int {
        try system { pread(rawValue, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// Writes what the descriptor takes of `buffer` at the current position.
    /// - Returns: how many bytes were written.
    public func write(_ buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try system { Glibc.write(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// Writes `buffer` at `offset`, leaving the position alone (`pwrite`).
    /// - Returns: how many bytes were written.
    public func write(toAbsoluteOffset offset: Int64, _ buffer: UnsafeRawBufferPointer) throws(Errno) -> Int {
        try system { pwrite(rawValue, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// Writes all of `buffer`, as many calls as it takes.
    /// - Throws: ``Errno``; ``Errno/ioError`` when the descriptor takes nothing more.
    public func write(all buffer: UnsafeRawBufferPointer) throws(Errno) {
        var offset = 0
        while offset < buffer.count {
            let written = try write(UnsafeRawBufferPointer(rebasing: buffer[offset...]))
            guard written > 0 else { throw Errno.ioError }
            offset += written
        }
    }

    /// Where ``seek(offset:from:)`` counts from.
    public enum SeekOrigin: Sendable {
        case start, current, end

        var whence: Int32 {
            switch self {
            case .start: SEEK_SET
            case .current: SEEK_CUR
            case .end: SEEK_END
            }
        }
    }

    /// Moves the position to `offset` from `origin`.
    /// - Returns: the new position from the start.
    /// - Throws: ``Errno`` (ESPIPE for a pipe, socket or a device that cannot seek).
    @discardableResult
    public func seek(offset: Int64, from origin: SeekOrigin) throws(Errno) -> Int64 {
        Int64(try valueOrErrno(lseek(rawValue, off_t(offset), origin.whence)))
    }

    /// Makes the file's data and metadata durable (`fsync`).
    /// - Throws: ``Errno`` (``Errno/invalidArgument`` for what cannot be synced, such as a pipe).
    public func sync() throws(Errno) {
        _ = try system { fsync(rawValue) }
    }
}
