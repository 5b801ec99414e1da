import CFileIO
#if canImport(Glibc)
import Glibc
#endif

/// Where an output goes, as `sox` and `aplay` users expect:
///
/// - a regular file (new or existing) is written to an unnamed temporary file in its folder
///   (`O_TMPFILE`; a hidden `.NAME.partial-PID` where the filesystem lacks it) and replaces
///   the file only in ``commit(_:)``: a new file gets the umask's mode, an existing one keeps
///   its mode and owner;
/// - a symbolic link is followed: its target is the file replaced, the link stays;
/// - a character device or FIFO is opened and written directly (streamed), a socket is
///   connected to; nothing is created or replaced;
/// - standard output (``standardOutput``) is written directly.
public final class OutputTarget {
    /// The path as the user named it (for messages).
    public let path: String
    /// The descriptor written to (`nil` once committed or aborted).
    public private(set) var descriptor: FileDescriptor?
    /// Written directly (a device, FIFO, socket or standard output): there is no file to commit.
    public let isStream: Bool
    /// What messages say is being written ("/x/out.wav", "to standard output").
    private let subject: String
    /// The regular file replaced by ``commit(_:)`` (the path with symbolic links followed).
    private let file: String
    /// The file's mode, applied to the temporary file.
    private let mode: mode_t
    /// The temporary file's name; `nil` while it is an unnamed `O_TMPFILE`.
    private var temporaryPath: String?
    /// Whether the descriptor is ours to close (not standard output).
    private let ownsDescriptor: Bool

    /// Raw PCM to standard output (`-o -`).
    public static func standardOutput() -> OutputTarget {
        OutputTarget(standardOutput: ())
    }

    private init(standardOutput: Void) {
        signal(SIGPIPE, SIG_IGN)
        path = "-"
        subject = "to standard output"
        file = "-"
        mode = 0
        descriptor = .standardOutput
        isStream = true
        ownsDescriptor = false
    }

    /// Opens `path` for writing (see the type's description).
    /// - Parameter seekable: the format must seek back (WAV header, FLAC, Ogg, MP3): a FIFO,
    ///   socket or non-seekable device is then refused.
    /// - Throws: ``OutputError`` (`cannotCreate`) when the output cannot be opened.
    public init(path: String, seekable: Bool) throws(OutputError) {
        self.path = path
        subject = path
        ownsDescriptor = true
        // A file size limit must arrive as EFBIG from write(), not kill the process;
        // a reader that goes away must arrive as EPIPE.
        signal(SIGXFSZ, SIG_IGN)
        signal(SIGPIPE, SIG_IGN)
        var info = stat()
        // stat follows links all the way: a link to a pipe, device or socket (/dev/stdout,
        // /dev/fd/N, a shell's process substitution) is written through as named.
        let special = stat(path, &info) == 0 && [S_IFCHR, S_IFIFO, S_IFSOCK].contains(info.st_mode & S_IFMT)
        file = special ? path : try Self.followingLinks(path)
        let exists = special || stat(file, &info) == 0
        let type = info.st_mode & S_IFMT
        if exists, type == S_IFCHR || type == S_IFIFO || type == S_IFSOCK {
            if seekable, type != S_IFCHR {
                throw OutputError(.cannotCreate, "cannot write \(path): it is a \(type == S_IFIFO ? "FIFO" : "socket"), which cannot seek back to finish the file; use --format raw")
            }
            let stream: FileDescriptor
            do throws(Errno) {
                stream = try type == S_IFSOCK ? UnixSocketClient.connection(to: file) : .open(file, .writeOnly)
            } catch {
                throw OutputError(.cannotCreate, "cannot write \(path)", error)
            }
            if seekable, (try? stream.seek(offset: 0, from: .current)) == nil {
                try? stream.close()
                throw OutputError(.cannotCreate, "cannot write \(path): the device cannot seek back to finish the file; use --format raw")
            }
            descriptor = stream
            isStream = true
            mode = 0
            return
        }
        isStream = false
        if exists, type != S_IFREG {
            throw OutputError(.cannotCreate, "cannot create \(path): it is a \(type == S_IFDIR ? "folder" : "block device")")
        }
        let folder = Self.folder(of: file)
        var folderInfo = stat()
        guard stat(folder, &folderInfo) == 0 else {
            throw OutputError(.cannotCreate, "cannot create \(path): \(folder) does not exist")
        }
        guard (folderInfo.st_mode & S_IFMT) == S_IFDIR else {
            throw OutputError(.cannotCreate, "cannot create \(path): \(folder) is not a folder")
        }
        if exists {
            mode = info.st_mode & 0o7777
        } else {
            let mask = umask(0)
            umask(mask)
            mode = 0o666 & ~mask
        }
        // An unnamed file is linked in through /proc/self/fd when complete.
        var temporary: FileDescriptor?
        if access("/proc/self/fd", X_OK) == 0 {
            temporary = try? FileDescriptor.openUnnamed(inFolder: folder, permissions: 0o600)
        }
        if temporary == nil {
            // The filesystem has no O_TMPFILE: a hidden name beside the file instead.
            let name = Self.temporaryName(for: file)
            do throws(Errno) {
                temporary = try .open(name, .readWrite, options: [.create, .truncate], permissions: 0o600)
            } catch {
                throw OutputError(.cannotCreate, "cannot create \(path)", error)
            }
            temporaryPath = name
        }
        descriptor = temporary
        if let temporary {
            if exists { _ = fchown(temporary.rawValue, info.st_uid, info.st_gid) }
            fchmod(temporary.rawValue, mode)
        }
    }

    /// Writes all of `bytes`.
    /// - Throws: ``OutputError``: `readerClosed` when a pipe's reader went away, else `io`.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        guard let descriptor else { throw OutputError(.io, "cannot write \(subject): already closed") }
        do throws(Errno) {
            try descriptor.write(all: bytes)
        } catch {
            throw Self.failure("cannot write \(subject)", error)
        }
    }

    /// Writes all of `bytes`.
    public func write(_ bytes: [UInt8]) throws(OutputError) {
        var failure: OutputError?
        bytes.withUnsafeBytes { raw in
            do throws(OutputError) { try write(raw) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Starts writing back the file's data already in the page cache, without waiting, so
    /// that the sync in ``commit(_:)`` has little left to wait for. Nothing for a stream.
    public func startWriteback() {
        guard !isStream, let descriptor else { return }
        _ = psoas_start_writeback(descriptor.rawValue)
    }

    /// The error for a failed call: `readerClosed` when the reader went away, else `io`.
    static func failure(_ what: String, _ errno: Errno) -> OutputError {
        OutputError(errno == .brokenPipe || errno == .connectionReset ? .readerClosed : .io, what, errno)
    }

    /// Completes `targets` together: each file is made durable under a temporary name, then
    /// all replace their files. If any fails before that, none replaces its file.
    /// - Throws: ``OutputError``; every target has then been aborted.
    public static func commit(_ targets: [OutputTarget]) throws(OutputError) {
        do throws(OutputError) {
            for target in targets { try target.complete() }
            for target in targets where !target.isStream {
                guard let temporaryPath = target.temporaryPath, rename(temporaryPath, target.file) == 0 else {
                    throw OutputError(.cannotCreate, "cannot create \(target.path)", .current)
                }
                target.temporaryPath = nil
            }
        } catch {
            targets.forEach { $0.abort() }
            throw error
        }
    }

    /// Syncs and closes the descriptor; a file's data is then under its temporary name.
    /// The descriptor is closed whatever fails.
    private func complete() throws(OutputError) {
        guard let fd = descriptor else { throw OutputError(.io, "cannot write \(subject): already closed") }
        descriptor = nil
        var problem: OutputError?
        if !isStream {
            do throws(Errno) {
                try fd.sync()
            } catch {
                // What cannot be synced (EINVAL) needs no sync.
                if error != .invalidArgument { problem = Self.failure("cannot write \(subject)", error) }
            }
            if problem == nil, temporaryPath == nil {
                let name = Self.temporaryName(for: file)
                if linkat(AT_FDCWD, "/proc/self/fd/\(fd.rawValue)", AT_FDCWD, name, AT_SYMLINK_FOLLOW) == 0 {
                    temporaryPath = name
                } else {
                    problem = Self.failure("cannot create \(path)", .current)
                }
            }
        }
        if ownsDescriptor {
            do throws(Errno) {
                try fd.close()
            } catch {
                if problem == nil { problem = Self.failure("cannot write \(subject)", error) }
            }
        }
        if let problem { throw problem }
    }

    /// Gives up: closes the descriptor and removes the temporary file; the file (if any)
    /// is left as it was.
    public func abort() {
        if let descriptor {
            if ownsDescriptor { try? descriptor.close() }
            self.descriptor = nil
        }
        if let temporaryPath {
            unlink(temporaryPath)
            self.temporaryPath = nil
        }
    }

    deinit { abort() }

    /// `path` with symbolic links followed to the file they name (which need not exist yet).
    static func followingLinks(_ path: String) throws(OutputError) -> String {
        var current = path
        for _ in 0..<40 {
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let count = readlink(current, &buffer, buffer.count - 1)
            guard count > 0 else { return current }
            let target = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            current = target.hasPrefix("/") ? target : folder(of: current) + "/" + target
        }
        throw OutputError(.cannotCreate, "cannot create \(path): too many levels of symbolic links")
    }

    /// The hidden name beside `file` used while it is written.
    static func temporaryName(for file: String) -> String {
        let name = file.split(separator: "/").last.map(String.init) ?? file
        let folder = folder(of: file)
        return (folder == "." && !file.hasPrefix("./") ? "" : folder + "/") + ".\(name).partial-\(getpid())"
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }
}
