/// Why output could not be written, with the exit code it maps to.
public struct OutputError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The file cannot be created (missing folder, not a folder, no permission): exit 73.
        case cannotCreate
        /// Writing failed part-way (disk full, file size limit): exit 74.
        case io
        /// The reader of a pipe, FIFO or socket went away (`… | head`): not the user's
        /// mistake, psoas stops quietly.
        case readerClosed
    }

    public var kind: Kind
    public var message: String
    /// The system's error, when a call failed (its words end ``message``).
    public var errno: Errno?

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// "`what`: `errno`'s words".
    public init(_ kind: Kind, _ what: String, _ errno: Errno) {
        self.kind = kind
        self.message = "\(what): \(errno)"
        self.errno = errno
    }

    public var description: String { message }
}
