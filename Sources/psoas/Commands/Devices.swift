import ArgumentParser
import AudioIO
import SessionKit

/// An ALSA device name and where it came from.
struct DeviceChoice: Equatable {
    let name: String
    /// `--device`, `$PSOAS_DEVICE`, `the settings' device`, `ALSA's default`.
    let origin: String

    /// The playback device: the option, else `$PSOAS_DEVICE`, else the settings', else ALSA's default.
    static func playback(_ option: String?, settings: Settings) -> DeviceChoice {
        resolve(option, variable: "PSOAS_DEVICE", key: "device", setting: settings.device)
    }

    /// The capture device: the option, else `$PSOAS_CAPTURE_DEVICE`, else the settings', else ALSA's default.
    static func capture(_ option: String?, settings: Settings) -> DeviceChoice {
        resolve(option, variable: "PSOAS_CAPTURE_DEVICE", key: "capture-device", setting: settings.captureDevice)
    }

    private static func resolve(_ option: String?, variable: String, key: String, setting: String?) -> DeviceChoice {
        if let option { return DeviceChoice(name: option, origin: "--device") }
        if let value = Library.environmentValue(variable) { return DeviceChoice(name: value, origin: "$" + variable) }
        if let setting { return DeviceChoice(name: setting, origin: "the settings' \(key)") }
        return DeviceChoice(name: "default", origin: "ALSA's default")
    }

    /// `'plughw:1,0' (from $PSOAS_DEVICE)`.
    var described: String { "'\(name)' (from \(origin))" }
}

/// `psoas devices`: the ALSA devices, and the one psoas would use.
struct Devices: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract: "List the ALSA playback devices (or, with --capture, capture devices) and mark the one psoas uses.",
        discussion: "The one marked * is what play (or voice record) would use, and the line at the end says where that choice came from: --device, $PSOAS_DEVICE ($PSOAS_CAPTURE_DEVICE), your settings' device (capture-device), else ALSA's default."
    )

    @Flag(help: "List the capture devices (for voice record).")
    var capture = false

    @Option(name: [.customShort("D"), .long], help: ArgumentHelp("Show the choice as with this --device.", valueName: "device"))
    var device: String?

    func run() throws {
        try reportingFailures {
            let settings = try Library.settings()
            let choice = capture ? DeviceChoice.capture(device, settings: settings) : DeviceChoice.playback(device, settings: settings)
            let devices = AlsaDevice.list(capture: capture)
            var text = ""
            for listed in devices {
                text += (listed.name == choice.name ? "* " : "  ") + listed.name + "\n"
                text += listed.description.map { "      " + $0 + "\n" }.joined()
            }
            if !devices.contains(where: { $0.name == choice.name }) {
                text += "* \(choice.name)\n      (not in ALSA's list; ALSA may still open it)\n"
            }
            text += "psoas \(capture ? "records from" : "plays on") \(choice.described)\n"
            Console.output(text)
        }
    }
}
