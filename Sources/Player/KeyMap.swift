/// What a key press means to the player. Keys work with closed eyes: big, distinct ones.
public enum KeyAction: Equatable, Sendable {
    case command(TransportCommand)
    case help
}

public enum KeyMap {
    /// The help text for `?`.
    public static let help = """
        Space pause/resume · Enter continue a wait · → next step · ← restart step · + one more cycle
        ↑/↓ volume · x safety stop (release the pressure) · q stop · ? this help
        """

    /// Decodes the bytes a terminal sent (arrows arrive as ESC [ A…D) into actions.
    public static func actions(for bytes: [UInt8]) -> [KeyAction] {
        var actions: [KeyAction] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0x1B, index + 2 < bytes.count, bytes[index + 1] == 0x5B || bytes[index + 1] == 0x4F {
                switch bytes[index + 2] {
                case 0x41: actions.append(.command(.volume(decibels: 3)))
                case 0x42: actions.append(.command(.volume(decibels: -3)))
                case 0x43: actions.append(.command(.next))
                case 0x44: actions.append(.command(.back))
                default: break
                }
                index += 3
                continue
            }
            switch byte {
            case 0x20: actions.append(.command(.toggle))
            case 0x0A, 0x0D: actions.append(.command(.continueWait))
            case UInt8(ascii: "+"), UInt8(ascii: "="): actions.append(.command(.extend))
            case UInt8(ascii: "x"), UInt8(ascii: "X"): actions.append(.command(.safety))
            case UInt8(ascii: "q"), UInt8(ascii: "Q"): actions.append(.command(.stop))
            case UInt8(ascii: "?"), UInt8(ascii: "h"): actions.append(.help)
            default: break
            }
            index += 1
        }
        return actions
    }
}
