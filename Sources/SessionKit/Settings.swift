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
/// mpris: false
/// stall-limit: 30
/// parameters:
///   level: beginner
///   hold: 45
/// ```
public struct Settings: Sendable, Hashable {
    /// The voice pack, by name or folder.
    public var voice: String?
    /// How breath pacing sounds.
    public var tones: ToneStyle?
    /// The bed of sound under a session.
    public var ambience: AmbienceStyle?
    /// The breath pattern of every session (a step's own pattern still wins).
    public var breath: BreathPattern?
    /// The ALSA playback device.
    public var device: String?
    /// The ALSA capture device for `voice record` and `--follow-breath`.
    public var captureDevice: String?
    /// Whether `play` and `breathe` are MPRIS players on the D-Bus session bus (`nil`: yes).
    public var mpris: Bool?
    /// How many seconds a stalled sound server (or a device gone away) is waited for before a
    /// play ends, ``stallLimitRange``.
    public var stallLimit: Int?
    public static let stallLimitRange = 1...3600
    /// Session parameters, each applied to every session that declares it.
    public var parameters: [SessionOverrides.Value]
    /// Where each key's value stands in the file (`voice`, `breath`, …), and each parameter's
    /// name (`parameters.hold`).
    public var places: [String: FilePlace] = [:]

    public init(voice: String? = nil, tones: ToneStyle? = nil, ambience: AmbienceStyle? = nil, breath: BreathPattern? = nil,
                device: String? = nil, captureDevice: String? = nil, mpris: Bool? = nil,
                parameters: [SessionOverrides.Value] = []) {
        self.voice = voice
        self.tones = tones
        self.ambience = ambience
        self.breath = breath
        self.device = device
        self.captureDevice = captureDevice
        self.mpris = mpris
        self.parameters = parameters
    }

    /// The keys a settings file may have.
    public static let keys = ["voice", "tones", "ambience", "breath", "device", "capture-device", "stall-limit", "mpris", "parameters"]

    /// Reads a settings file. An empty file (or one of comments only) is valid and sets nothing.
    /// - Throws: ``DiagnosticList`` naming every problem, in file order.
    public static func load(_ file: SourceFile) throws(DiagnosticList) -> Settings {
        let reader = YAMLReader(file: file)
        var settings = Settings()
        reader.collecting {
            guard let root = try reader.document() else { return }
            let fields = try reader.mapping(root, in: "the settings", allowed: keys)
            for (key, node) in fields { settings.places[key] = FilePlace(path: file.path, location: node.location) }
            settings.voice = reader.optional(fields, "voice") { node throws(Diagnostic) in try reader.text(node, key: "voice") }
            settings.device = reader.optional(fields, "device") { node throws(Diagnostic) in try reader.text(node, key: "device") }
            settings.captureDevice = reader.optional(fields, "capture-device") { node throws(Diagnostic) in
                try reader.text(node, key: "capture-device")
            }
            settings.mpris = reader.optional(fields, "mpris") { node throws(Diagnostic) in try reader.bool(node, key: "mpris") }
            settings.stallLimit = reader.optional(fields, "stall-limit") { node throws(Diagnostic) in
                let text = try reader.text(node, key: "stall-limit")
                guard let whole = Int(text), stallLimitRange.contains(whole) else {
                    throw reader.error(node, "expected a whole number of seconds from \(stallLimitRange.lowerBound) to \(stallLimitRange.upperBound) for 'stall-limit', found '\(text)'")
                }
                return whole
            }
            settings.tones = reader.optional(fields, "tones") { node throws(Diagnostic) in
                try reader.choice(node, key: "tones", as: ToneStyle.self, naming: "a tone style")
            }
            settings.ambience = reader.optional(fields, "ambience") { node throws(Diagnostic) in
                try reader.choice(node, key: "ambience", as: AmbienceStyle.self, naming: "an ambience")
            }
            settings.breath = reader.optional(fields, "breath") { node throws(Diagnostic) in try reader.breathPattern(node) }
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
        try reader.finish(byPlace: true)
        return settings
    }

    private static func parameterValues(_ node: Node, reader: YAMLReader) throws(Diagnostic) -> [SessionOverrides.Value] {
        let pairs = try reader.pairs(node, expected: "a mapping of parameter names to values for 'parameters'")
        return pairs.compactMap { keyNode, valueNode in
            reader.collecting {
                let name = try reader.identifier(keyNode, key: "a parameter name")
                let value = try reader.text(valueNode, key: name)
                return SessionOverrides.Value(name: name, value: value, option: "parameter '\(name)'",
                                              place: FilePlace(path: reader.file.path, location: valueNode.location))
            }
        }
    }
}
