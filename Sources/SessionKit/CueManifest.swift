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
        let reader = SessionReader(file: file, cues: nil)
        var entries: [(id: String, text: String)] = []
        do {
            try Limits.checkText(file)
            guard let root = try YAMLDocument.compose(file) else {
                throw DiagnosticList([reader.error(at: .start, "the cue manifest is empty")], source: file.text)
            }
            guard case let .mapping(mapping) = root else {
                throw DiagnosticList([reader.error(root, "expected a mapping of cue id to German text, found \(root.shapeDescription)")],
                                     source: file.text)
            }
            for (keyNode, valueNode) in mapping {
                reader.collecting {
                    let id = try reader.identifier(keyNode, key: "cue id")
                    let text = try reader.text(valueNode, key: id)
                    entries.append((id, text))
                }
            }
        } catch let diagnostic as Diagnostic {
            throw DiagnosticList([diagnostic], source: file.text)
        } catch let list as DiagnosticList {
            throw list
        } catch {
            throw DiagnosticList([reader.error(at: .start, "\(error)")], source: file.text)
        }
        guard reader.diagnostics.isEmpty else { throw DiagnosticList(reader.uniqueDiagnostics, source: file.text) }
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
