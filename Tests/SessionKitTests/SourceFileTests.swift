import SessionKit
import Testing

/// A file's bytes become its text unchanged when they are text, and the first byte that is not
/// text is located by line and column (counted in characters) whichever way the bytes are read.
@Suite struct SourceFileTests {
    /// The diagnostic of `bytes`, or `nil` when they are read as text.
    func problem(_ bytes: [UInt8]) -> String? {
        do {
            _ = try SourceFile(path: "s.yaml", bytes: bytes)
            return nil
        } catch {
            return error.rendered
        }
    }

    @Test func textIsTakenAsItIs() throws {
        let text = "id: s\r\ntitle: \"Lösen – ruhig\"\n\tsteps: []\n# 🫁 ẞ\n"
        #expect(try SourceFile(path: "s.yaml", bytes: Array(text.utf8)).text == text)
        #expect(try SourceFile(path: "s.yaml", bytes: []).text == "")
    }

    @Test func aControlCharacterIsLocatedAfterWideCharacters() {
        let bytes = Array("id: s\ntitle: Ä🫁".utf8) + [0x07] + Array("x\n".utf8)
        #expect(problem(bytes) == "s.yaml:2:10: error: this is not a text file (control character U+7); expected UTF-8 YAML")
        #expect(problem(Array("a\n\nb".utf8) + [0x00]) == "s.yaml:3:2: error: this is not a text file (control character U+0); expected UTF-8 YAML")
    }

    @Test func bytesThatAreNotUTF8AreLocated() {
        let cases: [(bytes: [UInt8], location: String)] = [
            (Array("ü\n".utf8) + [0xFF], "2:1"),
            (Array("ab".utf8) + [0xC0, 0x80], "1:3"),        // an overlong NUL
            (Array("x".utf8) + [0xED, 0xA0, 0x80], "1:2"),   // a surrogate
            (Array("ß".utf8) + [0xE2, 0x80], "1:2"),         // cut short at the end
        ]
        for (bytes, location) in cases {
            #expect(problem(bytes) == "s.yaml:\(location): error: this is not a text file (a byte that is not UTF-8); expected UTF-8 YAML",
                    "\(bytes)")
        }
    }
}
