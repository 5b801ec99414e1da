import PsoasTestSupport
import SessionKit
import Testing

/// What loading says: "ok", the rendered diagnostics, or the override error.
func renderedProblems(_ load: () throws -> Void) -> String {
    do {
        try load()
        return "ok"
    } catch let list as DiagnosticList {
        return list.rendered
    } catch let error as OverrideError {
        return "override: " + error.message
    } catch {
        return "unexpected: \(error)"
    }
}

/// Exact text of the problems every loader reports through the one YAML reader: duplicate
/// keys, choices, flags, and the cue manifest's and voice pack's own files.
@Suite struct LoaderMessageTests {
    let manifest = CueManifest(path: "cues.yaml", entries: [
        ("intro", "Willkommen."), ("locate.left", "Links."), ("locate.right", "Rechts."),
    ])

    func rendered(_ load: () throws -> Void) -> String { renderedProblems(load) }

    func expectSession(_ yaml: String, overrides: SessionOverrides = SessionOverrides(), _ expected: String,
                       sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let actual = rendered {
            _ = try SessionLoader(cues: manifest).load(SourceFile(path: "s.yaml", text: yaml), overrides: overrides)
        }
        #expect(actual == expected, "\(lineDiff(expected: expected, actual: actual) ?? "")", sourceLocation: sourceLocation)
    }

    func expectCues(_ yaml: String, _ expected: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let actual = rendered { _ = try CueManifest.load(SourceFile(path: "de.yaml", text: yaml)) }
        #expect(actual == expected, "\(lineDiff(expected: expected, actual: actual) ?? "")", sourceLocation: sourceLocation)
    }

    func expectPack(_ yaml: String, _ expected: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let actual = rendered { _ = try PackManifest.load(SourceFile(path: "pack.yaml", text: yaml)) }
        #expect(actual == expected, "\(lineDiff(expected: expected, actual: actual) ?? "")", sourceLocation: sourceLocation)
    }

    // MARK: - Sessions

    @Test func aDuplicateKeyIsNamed() {
        expectSession("id: s\ntitle: T\nid: t\nsteps:\n  - say: intro\n", """
            s.yaml:1:1: error: duplicate key 'id' in one mapping
             1 | id: s
               | ^
            """)
    }

    @Test func aWrongChoiceListsTheAllowedValues() {
        expectSession("id: s\ntitle: T\nsteps:\n  - breathe: {cycles: 2, cues: [{say: intro, at: middle, align: centre}]}\n", """
            s.yaml:4:50: error: expected inhale or exhale for 'at', found 'middle'
             4 |   - breathe: {cycles: 2, cues: [{say: intro, at: middle, align: centre}]}
               |                                                  ^
            """)
        expectSession("id: s\ntitle: T\nsteps:\n  - breathe: {cycles: 2, cues: [{say: intro, align: centre}]}\n", """
            s.yaml:4:53: error: expected start or end for 'align', found 'centre'
             4 |   - breathe: {cycles: 2, cues: [{say: intro, align: centre}]}
               |                                                     ^
            """)
    }

    @Test func aFlagIsTrueOrFalse() {
        expectSession("id: s\ntitle: T\nsteps:\n  - breathe: {cycles: 2, cues: [{say: intro, every: maybe}]}\n", """
            s.yaml:4:53: error: expected true or false for 'every', found 'maybe'
             4 |   - breathe: {cycles: 2, cues: [{say: intro, every: maybe}]}
               |                                                     ^
            """)
    }

    @Test func theSidesParameterIsLeftRightOrBoth() {
        expectSession("""
            id: s
            title: T
            parameters:
              sides: {default: up}
            steps:
              - sides:
                  - say: locate.{side}
            """, """
            s.yaml:6:5: error: parameter 'sides' is 'up'; expected left, right or both
             6 |   - sides:
               |     ^
            """)
    }

    @Test func everyProblemOfAParameterIsReported() {
        expectSession("""
            id: s
            title: T
            parameters:
              hold: {default: 20, min: 30, max: 90}
              Bad: {default: 1}
              reps: {default: 3, max: many}
            steps:
              - say: intro
            """, """
            s.yaml:4:19: error: the default of parameter 'hold' is not allowed: 20 is out of range: hold must be between 30 and 90
             4 |   hold: {default: 20, min: 30, max: 90}
               |                   ^
            s.yaml:5:3: error: 'Bad' is not a valid a parameter name; use lowercase letters, digits, '-', '_' and '.'
             5 |   Bad: {default: 1}
               |   ^
            s.yaml:6:27: error: expected a number for 'max', found 'many'
             6 |   reps: {default: 3, max: many}
               |                           ^
            """)
    }

    /// The hold range has one home, in Swift: a parameter a hold takes its seconds from keeps to
    /// it when the file gives no range, inside a `sides` block too.
    @Test func aHoldParameterWithoutARangeKeepsToTheHoldRange() {
        let yaml = """
            id: s
            title: T
            parameters:
              hold: {default: 60, unit: s}
              pause: {default: 120}
            steps:
              - pause: $pause
              - sides:
                  - hold: {seconds: $hold}
            """
        expectSession(yaml, "ok")
        expectSession(yaml, overrides: SessionOverrides(values: [.init(name: "hold", value: "120", option: "--hold")]),
                      "override: --hold: 120 is out of range: hold must be between 30 and 90 s")
        expectSession(yaml, overrides: SessionOverrides(values: [.init(name: "pause", value: "1000", option: "--set pause")]), "ok")
        expectSession(yaml.replacingOccurrences(of: "default: 60", with: "default: 20"), """
            s.yaml:4:19: error: the default of parameter 'hold' is not allowed: 20 is out of range: hold must be between 30 and 90 s
             4 |   hold: {default: 20, unit: s}
               |                   ^
            s.yaml:9:25: error: unknown parameter '$hold'; this session declares $pause
             9 |       - hold: {seconds: $hold}
               |                         ^
            """)
    }

    @Test func aTensionOutsideItsRangeIsNamed() {
        expectSession("id: s\ntitle: T\nsteps:\n  - contract-relax: {tense: 4, say: intro, release: intro}\n", """
            s.yaml:4:29: error: a tension of 4 s is outside 2–3 s
             4 |   - contract-relax: {tense: 4, say: intro, release: intro}
               |                             ^
            """)
    }

    // MARK: - Cue manifest

    @Test func theCueManifestNamesEveryBadEntry() {
        expectCues("", """
            de.yaml:1:1: error: the cue manifest is empty
             1 | 
               | ^
            """)
        expectCues("- a\n", """
            de.yaml:1:1: error: expected a mapping of cue id to German text, found a list
             1 | - a
               | ^
            """)
        expectCues("intro: Willkommen.\nBad: Text\nempty: \"  \"\n", """
            de.yaml:2:1: error: 'Bad' is not a valid cue id; use lowercase letters, digits, '-', '_' and '.'
             2 | Bad: Text
               | ^
            de.yaml:3:8: error: 'empty' must not be empty
             3 | empty: "  "
               |        ^
            """)
        #expect(throws: Never.self) {
            let cues = try CueManifest.load(SourceFile(path: "de.yaml", text: "intro: Willkommen.\nend: Ende.\n"))
            #expect(cues.ids == ["intro", "end"])
            #expect(cues.text(for: "end") == "Ende.")
        }
    }

    // MARK: - Voice pack

    @Test func thePackFileNamesEveryProblem() {
        expectPack("", """
            pack.yaml:1:1: error: the pack file is empty; it needs 'name', 'language', 'speaker' and 'loudness'
             1 | 
               | ^
            """)
        expectPack("name: anna\nlanguage: de\nspeaker: Anna\nloudness: loud\ncolour: red\n", """
            pack.yaml:5:1: error: unknown key 'colour' in the voice pack; expected one of: format, language, loudness, name, speaker
             5 | colour: red
               | ^
            """)
        expectPack("name: anna\nlanguage: de\nloudness: loud\n", """
            pack.yaml:1:1: error: the voice pack needs 'speaker'
             1 | name: anna
               | ^
            """)
        expectPack("name: anna\nlanguage: de\nspeaker: Anna\nloudness: loud\n", """
            pack.yaml:4:11: error: expected a number for 'loudness', found 'loud'
             4 | loudness: loud
               |           ^
            """)
        #expect(throws: Never.self) {
            let pack = try PackManifest.load(SourceFile(path: "pack.yaml", text: "name: anna\nlanguage: de\nspeaker: Anna\nloudness: -23\n"))
            #expect(pack == PackManifest(name: "anna", language: "de", speaker: "Anna", loudness: -23, format: "flac"))
        }
    }

    // MARK: - Settings

    @Test func theSettingsNameTheAllowedAmbiences() {
        let actual = rendered { _ = try Settings.load(SourceFile(path: "config.yaml", text: "ambience: loud\ntones: \"\"\n")) }
        let expected = """
            config.yaml:1:11: error: 'loud' is not an ambience; expected surf, rain or off
             1 | ambience: loud
               |           ^
            config.yaml:2:8: error: 'tones' must not be empty
             2 | tones: ""
               |        ^
            """
        #expect(actual == expected, "\(lineDiff(expected: expected, actual: actual) ?? "")")
    }

    /// The settings have no parameters: `$name` there is just a bad breath pattern.
    @Test func theSettingsBreathIsAPatternNotAParameter() {
        let actual = rendered { _ = try Settings.load(SourceFile(path: "config.yaml", text: "breath: $slow\n")) }
        let expected = """
            config.yaml:1:9: error: '$slow' is not a breath pattern; expected a breath pattern like 4-6, 4-2-6 or 4-7-8-0 (seconds, at most one decimal)
             1 | breath: $slow
               |         ^
            """
        #expect(actual == expected, "\(lineDiff(expected: expected, actual: actual) ?? "")")
    }
}
