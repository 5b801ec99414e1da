import Yams

/// The user's own defaults, from `$XDG_CONFIG_HOME/psoas/config.yaml`.
///
/// Every key is optional. The command line and the `PSOAS_*` environment variables win over
/// these; these win over a session's own defaults:
///
/// ```yaml
/// voice: anna
/// tones: bell
/// ambience: rain
/// breath: 4-6
/// device: plughw:1,0
/// capture-device: plughw:1,0
/// parameters:
///   level: beginner
///   hold: 45
/// ```
public struct Settings: Sendable, Hashable {
    /// The voice pack, by name or folder.
    public var voice: String?
    /// `glide`, `bell` or `off`.
    public var tones: String?
    /// `surf`, `rain` or `off`.
    public var ambience: String?
    /// The breath pattern of every session (a step's own pattern still wins).
    public var breath: BreathPattern?
    /// The ALSA playback device.
    public var device: String?
    /// The ALSA capture device for `voice record`.
    public var captureDevice: String?
    /// Session parameters, each applied to every session that declares it.
    public var parameters: [SessionOverrides.Value]
    /// Where each key's value stands in the file (`voice`, `breath`, …), and each parameter's
    /// name (`parameters.hold`).
    public var places: [String: FilePlace] = [:]

    public init(voice: String? = nil, tones: String? = nil, ambience: String? = nil, breath: BreathPattern? = nil,
                device: String? = nil, captureDevice: String? = nil, parameters: [SessionOverrides.Value] = []) {
        self.voice = voice
        self.tones = tones
        self.ambience = ambience
        self.breath = breath
        self.device = device
        self.captureDevice = captureDevice
        self.parameters = parameters
    }

    public static let keys = ["voice", "tones", "ambience", "breath", "device", "capture-device", "parameters"]
    public static let toneStyles = ["glide", "bell", "off"]
    public static let ambienceStyles = ["surf", "rain", "off"]

    /// Reads a settings file. An empty file (or one of comments only) is valid and sets nothing.
    /// - Throws: ``DiagnosticList`` naming every problem.
    public static func load(_ file: SourceFile) throws(DiagnosticList) -> Settings {
        let reader = SessionReader(file: file, cues: nil)
        var settings = Settings()
        reader.collecting {
            try Limits.checkText(file)
            guard let root = try YAMLDocument.compose(file) else { return }
            try Limits.checkNodes(root, path: file.path)
            let fields = try reader.mapping(root, in: "the settings", allowed: keys)
            for (key, node) in fields { settings.places[key] = FilePlace(path: file.path, location: node.location) }
            settings.voice = reader.collecting { try fields["voice"].map { try reader.text($0, key: "voice") } } ?? nil
            settings.device = reader.collecting { try fields["device"].map { try reader.text($0, key: "device") } } ?? nil
            settings.captureDevice = reader.collecting {
                try fields["capture-device"].map { try reader.text($0, key: "capture-device") }
            } ?? nil
            settings.tones = fields["tones"].flatMap { node in
                reader.collecting { try choice(node, key: "tones", of: toneStyles, naming: "a tone style", reader: reader) }
            }
            settings.ambience = fields["ambience"].flatMap { node in
                reader.collecting { try choice(node, key: "ambience", of: ambienceStyles, naming: "an ambience", reader: reader) }
            }
            if let node = fields["breath"] {
                settings.breath = reader.collecting { try reader.breathPattern(node) }
            }
            if let node = fields["parameters"] {
                settings.parameters = reader.collecting { try parameterValues(node, reader: reader) } ?? []
                if case let .mapping(mapping) = node {
                    for (key, _) in mapping {
                        if let name = key.string {
                            settings.places["parameters." + name] = FilePlace(path: file.path, location: key.location)
                        }
                    }
                }
            }
        }
        guard reader.diagnostics.isEmpty else {
            throw DiagnosticList(reader.uniqueDiagnostics.sorted { ($0.location.line, $0.location.column) < ($1.location.line, $1.location.column) },
                                 source: file.text)
        }
        return settings
    }

    /// The text of `node`, one of `choices` (`'loud' is not a tone style; expected glide, bell or off`).
    private static func choice(_ node: Node, key: String, of choices: [String], naming kind: String,
                               reader: SessionReader) throws -> String {
        let value = try reader.text(node, key: key)
        guard choices.contains(value) else {
            let expected = choices.dropLast().joined(separator: ", ") + " or " + (choices.last ?? "")
            throw reader.error(node, "'\(value)' is not \(kind); expected \(expected)")
        }
        return value
    }

    private static func parameterValues(_ node: Node, reader: SessionReader) throws -> [SessionOverrides.Value] {
        guard case let .mapping(mapping) = node else {
            throw reader.error(node, "expected a mapping of parameter names to values for 'parameters', found \(node.shapeDescription)")
        }
        return mapping.compactMap { keyNode, valueNode in
            reader.collecting {
                let name = try reader.identifier(keyNode, key: "a parameter name")
                let value = try reader.text(valueNode, key: name)
                return SessionOverrides.Value(name: name, value: value, option: "parameter '\(name)'",
                                              place: FilePlace(path: reader.file.path, location: valueNode.location))
            }
        }
    }
}
