/// A failure of a C audio library call, named by the call and what it was working on.
public struct AudioIOError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The C function that failed (`sf_open`).
    public var call: String
    /// The file or device it was working on.
    public var subject: String
    /// The library's own words.
    public var message: String

    public init(call: String, subject: String, message: String) {
        self.call = call
        self.subject = subject
        self.message = message
    }

    public var description: String { "\(subject): \(message) (\(call))" }
}
