/// Reads a session file into a ``Session``: checks every key and value, applies parameters and
/// command-line overrides, expands `sides` blocks.
///
/// Problems in the file are collected and thrown together as a ``DiagnosticList`` (exit 65);
/// a command-line value the session does not accept throws ``OverrideError`` (exit 64).
public struct SessionLoader: Sendable {
    /// The cue ids a session may use, with the manifest's path for messages; `nil` skips the check.
    public var cues: CueManifest?

    public init(cues: CueManifest?) {
        self.cues = cues
    }

    /// The breath pattern a session paces when its file names none.
    public static let defaultBreath = BreathPattern(inhale: Tenths(seconds: 4), exhale: Tenths(seconds: 6))

    /// Loads a session.
    /// - Parameters:
    ///   - file: the session file's path and text.
    ///   - overrides: parameter values and a breath pattern from the command line.
    /// - Returns: the session with every value concrete.
    /// - Throws: ``DiagnosticList`` for problems in the file, ``OverrideError`` for bad overrides.
    public func load(_ file: SourceFile, overrides: SessionOverrides = SessionOverrides()) throws -> Session {
        let reader = SessionReader(file: file, cues: cues)
        let session = try reader.read(overrides: overrides)
        guard reader.yaml.diagnostics.isEmpty, let session else {
            throw reader.yaml.problems()
        }
        return session
    }
}
