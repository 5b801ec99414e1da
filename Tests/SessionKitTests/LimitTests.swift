import PsoasTestSupport
import SessionKit
import Testing

/// Hostile session files end in a clear diagnostic, never a hang or unbounded memory.
@Suite struct LimitTests {
    let manifest = CueManifest(path: "cues.yaml", entries: [("intro", "Willkommen."), ("sink.exhale", "Und loslassen.")])

    func diagnose(_ yaml: String) -> String {
        do {
            _ = try SessionLoader(cues: manifest).load(SourceFile(path: "s.yaml", text: yaml))
            return "ok"
        } catch let list as DiagnosticList {
            return list.diagnostics.map { "\($0.location): \($0.message)" }.joined(separator: "\n")
        } catch {
            return "unexpected: \(error)"
        }
    }

    @Test func aFileOverOneMebibyteIsRefused() {
        let yaml = "id: s\ntitle: T\nsteps:\n  - say: intro\n# " + String(repeating: "x", count: 1 << 20) + "\n"
        #expect(diagnose(yaml) == "1:1: the file is \(yaml.utf8.count) bytes; a session file may hold at most 1048576 bytes (1 MiB)")
    }

    @Test func deepNestingIsRefusedBeforeTheComposerRecurses() {
        let yaml = "id: s\ntitle: T\nsteps: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n"
        #expect(diagnose(yaml) == "3:72: lists and mappings nest deeper than 64 levels here")
    }

    @Test func anAliasExplosionIsRefused() {
        var yaml = "id: s\ntitle: T\nsteps:\n  - say: intro\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n"
        for level in 1...7 {
            yaml += "x\(level): &x\(level) [" + Array(repeating: "*x\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        #expect(diagnose(yaml) == "1:1: the document holds more than 100000 values once its aliases are expanded; use fewer aliases")
    }

    @Test func tooManyStepsAreRefused() {
        let yaml = "id: s\ntitle: T\nsteps:\n" + String(repeating: "  - pause: 1\n", count: 2_001)
        #expect(diagnose(yaml) == "4:3: the session has 2001 steps; at most 2000 are allowed")
    }

    @Test func aSessionLongerThanSixHoursIsRefusedWithoutPlanningItAll() throws {
        let yaml = "id: s\ntitle: T\nsteps:\n  - pause: 3600\n  - breathe: {cycles: 100000, breath: 4-6}\n"
        let session = try SessionLoader(cues: manifest).load(SourceFile(path: "s.yaml", text: yaml))
        #expect(throws: PlanError(location: SessionKit.SourceLocation(line: 5, column: 5),
                                  message: "the session would last longer than 6 hours at step 'breathe'; shorten it")) {
            try Planner(options: PlanOptions(sampleRate: 96_000), manifest: manifest, clipDurations: [:]).plan(session)
        }
    }
}

import Planning
