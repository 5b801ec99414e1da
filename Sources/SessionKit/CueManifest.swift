import Yams

/// The German text of every cue, by id: `Audio/cues/de.yaml`.
public struct CueManifest: Sendable, Hashable {
    /// The manifest's path as named, for messages.
    public var path: String
    /// Cue ids in file order.
    public var ids: [String]
    private var texts: [String: String]

    public init(path: String, entries: [(id: String, text: String)]) {
        self.path = path
        self.ids = entries.map(\.id)
        self.texts = Dictionary(entries.map { ($0.id, $0.text) }, uniquingKeysWith: { first, _ in first })
    }

    /// The German text of `id`, or `nil` when the manifest has no such cue.
    public func text(for id: String) -> String? { texts[id] }

    /// Reads a manifest: a mapping of cue id to German text.
    /// - Throws: ``DiagnosticList`` naming every bad entry.
    public static func load(_ file: SourceFile) throws(DiagnosticList) -> CueManifest {
        let reader = YAMLReader(file: file)
        var entries: [(id: String, text: String)] = []
        reader.collecting {
            guard let root = try reader.document() else {
                throw reader.error(at: .start, "the cue manifest is empty")
            }
            for (keyNode, valueNode) in try reader.pairs(root, expected: "a mapping of cue id to German text") {
                reader.collecting {
                    let id = try reader.identifier(keyNode, key: "cue id")
                    entries.append((id, try reader.text(valueNode, key: id)))
                }
            }
        }
        try reader.finish()
        return CueManifest(path: file.path, entries: entries)
    }

    public static func == (lhs: CueManifest, rhs: CueManifest) -> Bool {
        lhs.path == rhs.path && lhs.ids == rhs.ids && lhs.texts == rhs.texts
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(path)
        hasher.combine(ids)
    }
}
