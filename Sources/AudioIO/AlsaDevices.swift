import CAlsa
#if canImport(Glibc)
import Glibc
#endif

/// One ALSA PCM device as `aplay -L` lists it: its name and description.
public struct AlsaDevice: Sendable, Hashable {
    public var name: String
    /// The description's lines (card, device, what it is for).
    public var description: [String]

    public init(name: String, description: [String]) {
        self.name = name
        self.description = description
    }

    /// The PCM devices ALSA knows (`snd_device_name_hint`) for playback, or for capture.
    public static func list(capture: Bool) -> [AlsaDevice] {
        psoas_alsa_silence_errors()
        var hints: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
        guard snd_device_name_hint(-1, "pcm", &hints) == 0, let hints else { return [] }
        defer { snd_device_name_free_hint(hints) }
        // A hint without IOID serves both directions.
        let unwanted = capture ? "Output" : "Input"
        var devices: [AlsaDevice] = []
        var index = 0
        while let hint = hints[index] {
            index += 1
            guard let name = value(hint, "NAME"), name != "null" else { continue }
            if value(hint, "IOID") == unwanted { continue }
            let description = value(hint, "DESC").map { $0.split(separator: "\n").map(String.init) } ?? []
            devices.append(AlsaDevice(name: name, description: description))
        }
        return devices
    }

    private static func value(_ hint: UnsafeMutableRawPointer, _ key: String) -> String? {
        guard let text = snd_device_name_get_hint(hint, key) else { return nil }
        defer { free(text) }
        return String(cString: text)
    }
}
