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
        let reader = YAMLReader(file: file)
        let manifest: PackManifest? = reader.collecting {
            guard let root = try reader.document() else {
                throw reader.error(at: .start, "the pack file is empty; it needs 'name', 'language', 'speaker' and 'loudness'")
            }
            let fields = try reader.mapping(root, in: "the voice pack",
                                            allowed: ["name", "language", "speaker", "loudness", "format"])
            func need(_ key: String) throws(Diagnostic) -> Node { try reader.required(fields, key, of: root, in: "the voice pack") }
            return PackManifest(
                name: try reader.identifier(need("name"), key: "name"),
                language: try reader.text(need("language"), key: "language"),
                speaker: try reader.text(need("speaker"), key: "speaker"),
                loudness: try reader.number(need("loudness"), key: "loudness"),
                format: try fields["format"].map { node throws(Diagnostic) in try reader.text(node, key: "format") } ?? "flac")
        }
        try reader.finish()
        guard let manifest else { throw reader.problems() }
        return manifest
    }
}
