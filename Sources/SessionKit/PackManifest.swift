import Yams

/// A voice pack's `pack.yaml`: who speaks and how the clips were made.
public struct PackManifest: Sendable, Hashable {
    public var name: String
    public var language: String
    public var speaker: String
    /// The loudness every clip is normalised to, in LUFS.
    public var loudness: Double
    /// The format of the clips on disk (`flac`).
    public var format: String

    public init(name: String, language: String, speaker: String, loudness: Double, format: String) {
        self.name = name
        self.language = language
        self.speaker = speaker
        self.loudness = loudness
        self.format = format
    }

    /// Reads a `pack.yaml`.
    /// - Throws: ``DiagnosticList`` naming every problem.
    public static func load(_ file: SourceFile) throws(DiagnosticList) -> PackManifest {
        let reader = SessionReader(file: file, cues: nil)
        let manifest: PackManifest? = reader.collecting {
            guard let root = try YAMLDocument.compose(file) else {
                throw reader.error(at: .start, "the pack file is empty; it needs 'name', 'language', 'speaker' and 'loudness'")
            }
            let fields = try reader.mapping(root, in: "the voice pack",
                                            allowed: ["name", "language", "speaker", "loudness", "format"])
            func need(_ key: String) throws -> Node { try reader.required(fields, key, of: root, in: "the voice pack") }
            return PackManifest(
                name: try reader.identifier(need("name"), key: "name"),
                language: try reader.text(need("language"), key: "language"),
                speaker: try reader.text(need("speaker"), key: "speaker"),
                loudness: try reader.number(need("loudness"), key: "loudness"),
                format: try fields["format"].map { try reader.text($0, key: "format") } ?? "flac")
        }
        guard let manifest, reader.diagnostics.isEmpty else {
            throw DiagnosticList(reader.uniqueDiagnostics, source: file.text)
        }
        return manifest
    }
}
