import Foundation
import PsoasTestSupport
import Testing

/// Compares `actual` with the committed snapshot `name`; `PSOAS_UPDATE_SNAPSHOTS=1` rewrites it.
func expectSnapshot(_ actual: String, named name: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
    let url = repositoryRoot.appendingPathComponent("Tests/psoasTests/Snapshots/\(name)")
    if ProcessInfo.processInfo.environment["PSOAS_UPDATE_SNAPSHOTS"] == "1" {
        try Data(actual.utf8).write(to: url)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(actual == expected, "snapshot \(name) differs (PSOAS_UPDATE_SNAPSHOTS=1 rewrites it)\n\(lineDiff(expected: expected, actual: actual) ?? "")",
            sourceLocation: sourceLocation)
}

/// A file in `Tests/psoasTests/Sessions/`.
func sessionFixture(_ name: String) -> String {
    repositoryRoot.appendingPathComponent("Tests/psoasTests/Sessions/\(name)").path
}
