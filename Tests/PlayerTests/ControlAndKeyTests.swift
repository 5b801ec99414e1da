import Foundation
import Player
import Testing

@Suite struct ControlAndKeyTests {
    @Test func theSocketProtocolParsesEveryCommand() throws {
        let cases: [(String, ControlProtocol.Request)] = [
            ("pause", .command(.pause)), ("resume", .command(.resume)), ("toggle", .command(.toggle)),
            ("next", .command(.next)), ("back", .command(.back)), ("extend", .command(.extend)),
            ("continue", .command(.continueWait)), ("safety", .command(.safety)), ("stop", .command(.stop)),
            ("volume +3", .command(.volume(decibels: 3))), ("volume -6", .command(.volume(decibels: -6))),
            ("status", .status), ("  PAUSE \r", .command(.pause)),
        ]
        for (line, request) in cases {
            #expect(try ControlProtocol.parse(line).get() == request, "\(line)")
        }
        for bad in ["", "jump", "volume", "volume loud", "volume +1000", "pause now"] {
            if case .success = ControlProtocol.parse(bad) { Issue.record("'\(bad)' was accepted") }
        }
    }

    @Test func aVolumeChangeLeavingTheRangeIsRefusedNotLimited() {
        #expect(ControlProtocol.volumeProblem(change: 12, current: 0) == nil)
        #expect(ControlProtocol.volumeProblem(change: -30, current: 0) == nil)
        #expect(ControlProtocol.volumeProblem(change: 3, current: 12)
            == "volume +3: the volume is +12 dB and stays within -30…+12 dB; it is already there")
        #expect(ControlProtocol.volumeProblem(change: -6, current: -27)
            == "volume -6: the volume is -27 dB and stays within -30…+12 dB; at most volume -3 now")
    }

    @Test func keysMapToCommandsWithClosedEyes() {
        #expect(KeyMap.actions(for: Array(" ".utf8)) == [.command(.toggle)])
        #expect(KeyMap.actions(for: [0x0D]) == [.command(.continueWait)])
        #expect(KeyMap.actions(for: [0x1B, 0x5B, 0x43, 0x1B, 0x5B, 0x44]) == [.command(.next), .command(.back)])
        #expect(KeyMap.actions(for: [0x1B, 0x5B, 0x41, 0x1B, 0x5B, 0x42]) == [.command(.volume(decibels: 3)), .command(.volume(decibels: -3))])
        #expect(KeyMap.actions(for: Array("+xq?".utf8)) == [.command(.extend), .command(.safety), .command(.stop), .help])
    }
}

@Suite struct ControlSocketPathTests {
    @Test func playAndCtlFindTheSocketInThePrivateRuntimeFolder() throws {
        let runtime = FileManager.default.temporaryDirectory.appendingPathComponent("psoas-path-\(getpid())").path
        try FileManager.default.createDirectory(atPath: runtime, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: runtime) }
        #expect(try ControlProtocol.socketPath(environment: ["XDG_RUNTIME_DIR": runtime]) == runtime + "/psoas/control.sock")
        let attributes = try FileManager.default.attributesOfItem(atPath: runtime + "/psoas")
        #expect((attributes[.posixPermissions] as? Int) == 0o700, "the folder is private")
    }
}
