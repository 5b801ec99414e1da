/// Setting `breath:` in a settings file and leaving the rest of it alone (`breathe calibrate --save`).
extension Settings {
    /// The text of the settings file `file` with `breath:` set to `pattern`: the value of an
    /// existing `breath:` line is replaced, or a `breath:` line is added at the end. Every other
    /// byte stays as it was: comments, other keys, blank lines, line endings.
    ///
    /// The edit is checked by reading the new text back: it must set `breath` to `pattern` and
    /// everything else as before.
    /// - Returns: the new text.
    /// - Throws: ``DiagnosticList`` when the file has problems, or when its `breath:` is not
    ///   written on one line as `breath: VALUE` (a comment after it is fine), so that it cannot
    ///   be edited alone.
    public static func settingBreath(_ pattern: BreathPattern, in file: SourceFile) throws(DiagnosticList) -> String {
        let before = try load(file)
        var text = file.text
        if let place = before.places["breath"] {
            guard let range = breathValueRange(in: text, line: place.location.line) else {
                throw cannotEdit(file, at: place.location, pattern: pattern)
            }
            text.replaceSubrange(range, with: "\(pattern)")
        } else {
            let newline = text.contains("\r\n") ? "\r\n" : "\n"
            if let last = text.last, !last.isNewline { text += newline }
            text += "breath: \(pattern)" + newline
        }
        var after: Settings
        do {
            after = try load(SourceFile(path: file.path, text: text))
        } catch {
            throw cannotEdit(file, at: before.places["breath"]?.location ?? .start, pattern: pattern)
        }
        var expected = before
        expected.breath = pattern
        expected.places = [:]
        after.places = [:]
        guard after == expected else {
            throw cannotEdit(file, at: before.places["breath"]?.location ?? .start, pattern: pattern)
        }
        return text
    }

    /// Where the value of `breath: VALUE` stands on line `line` (from 1), without quotes'
    /// surroundings, a comment or trailing blanks; `nil` when the line has another shape.
    static func breathValueRange(in text: String, line: Int) -> Range<String.Index>? {
        var start = text.startIndex
        var lineNumber = 1
        while lineNumber < line {
            guard let newline = text[start...].firstIndex(where: \.isNewline) else { return nil }
            start = text.index(after: newline)
            lineNumber += 1
        }
        let end = text[start...].firstIndex(where: \.isNewline) ?? text.endIndex
        let content = text[start..<end]
        guard content.hasPrefix("breath") else { return nil }
        var index = content.index(content.startIndex, offsetBy: "breath".count)
        while index < end, content[index] == " " { index = content.index(after: index) }
        guard index < end, content[index] == ":" else { return nil }
        index = content.index(after: index)
        guard index < end, content[index] == " " || content[index] == "\t" else { return nil }
        while index < end, content[index] == " " || content[index] == "\t" { index = content.index(after: index) }
        guard index < end else { return nil }
        let valueStart = index
        var valueEnd: String.Index
        if content[index] == "\"" || content[index] == "'" {
            let quote = content[index]
            guard let closing = content[content.index(after: index)...].firstIndex(of: quote) else { return nil }
            valueEnd = content.index(after: closing)
        } else {
            valueEnd = valueStart
            while valueEnd < end {
                let character = content[valueEnd]
                if character == "#", content[content.index(before: valueEnd)] == " " || content[content.index(before: valueEnd)] == "\t" {
                    break
                }
                valueEnd = content.index(after: valueEnd)
            }
            while valueEnd > valueStart, content[content.index(before: valueEnd)] == " " || content[content.index(before: valueEnd)] == "\t" {
                valueEnd = content.index(before: valueEnd)
            }
        }
        let rest = content[valueEnd...].drop { $0 == " " || $0 == "\t" }
        guard rest.isEmpty || rest.hasPrefix("#") else { return nil }
        return valueStart..<valueEnd
    }

    private static func cannotEdit(_ file: SourceFile, at location: SourceLocation, pattern: BreathPattern) -> DiagnosticList {
        DiagnosticList([Diagnostic(path: file.path, location: location,
                                   message: "cannot set 'breath' here without touching the rest; write 'breath: \(pattern)' on a line of its own")],
                       source: file.text)
    }
}
