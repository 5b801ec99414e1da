#if canImport(Glibc)
import Glibc
#endif

/// What `stat` tells of a file: its kind, size and times, as swift-system's `FileStatus`
/// would (the few fields psoas reads).
public struct FileStatus: Sendable, Hashable {
    /// The kind of file.
    public enum Kind: Sendable, Hashable {
        case regular, directory, other
    }

    public var kind: Kind
    /// The length in bytes.
    public var size: Int64
    /// The inode number: a file written anew and renamed over the old one has another.
    public var inode: UInt64
    /// When the contents last changed (`st_mtim`), in nanoseconds since 1970.
    public var modificationNanoseconds: Int64
    /// When the contents or the inode last changed (`st_ctim`), in nanoseconds since 1970: unlike
    /// the modification, nobody can set it back.
    public var changeNanoseconds: Int64

    init(_ info: stat) {
        switch info.st_mode & S_IFMT {
        case S_IFREG: kind = .regular
        case S_IFDIR: kind = .directory
        default: kind = .other
        }
        size = Int64(info.st_size)
        inode = UInt64(info.st_ino)
        modificationNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
        changeNanoseconds = Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec)
    }

    /// The status of the file at `path`, symbolic links followed (`stat`).
    /// - Throws: ``Errno`` (ENOENT when nothing is there).
    public init(path: String) throws(Errno) {
        var info = stat()
        _ = try system { stat(path, &info) }
        self.init(info)
    }
}

extension FileDescriptor {
    /// The status of the open file (`fstat`).
    /// - Throws: ``Errno``.
    public func status() throws(Errno) -> FileStatus {
        var info = stat()
        _ = try system { fstat(rawValue, &info) }
        return FileStatus(info)
    }

    /// Sets the file's access and modification times to now (`futimens`).
    /// - Throws: ``Errno`` (EPERM or EACCES when the file is another user's, EROFS).
    public func touch() throws(Errno) {
        _ = try system { futimens(rawValue, nil) }
    }
}
