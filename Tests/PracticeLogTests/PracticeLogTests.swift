import Foundation
import PracticeLog
import PsoasTestSupport
import Testing

/// Each test gets its own folder, removed when the test ends.
@Suite final class PracticeLogTests: Sendable {
    let folder: URL

    init() throws { folder = try makeTemporaryFolder("psoas-log") }

    deinit { try? FileManager.default.removeItem(at: folder) }

    func temporaryPath() throws -> String {
        folder.appendingPathComponent("practice.sqlite").path
    }

    func entry(_ id: String, massage: Bool = true, completed: Bool = true, endedAt: Date) -> PracticeEntry {
        PracticeEntry(startedAt: endedAt.addingTimeInterval(-1200), endedAt: endedAt, sessionID: id, isMassage: massage,
                      options: ["hold": "60", "sides": "both"], completed: completed, playedSeconds: 1200)
    }

    @Test func entriesComeBackNewestFirstWithTheirOptions() throws {
        let log = try PracticeLog(path: try temporaryPath())
        let now = Date()
        try log.record(entry("psoas", endedAt: now.addingTimeInterval(-7200)))
        try log.record(entry("atem", massage: false, endedAt: now.addingTimeInterval(-60)))
        let recent = try log.recent(limit: 10)
        #expect(recent.map(\.sessionID) == ["atem", "psoas"])
        #expect(recent[1].options == ["hold": "60", "sides": "both"])
        #expect(recent.allSatisfy { $0.id != nil })
        #expect(try log.lastCompletedMassage().map { abs($0.timeIntervalSince(now.addingTimeInterval(-7200))) < 0.01 } == true)
        #expect(try log.completedMassageCount(since: now.addingTimeInterval(-86_400)) == 1)
    }

    @Test func onlyCompletedMassagesCountForTheRestDay() throws {
        let log = try PracticeLog(path: try temporaryPath())
        try log.record(entry("psoas", completed: false, endedAt: Date()))
        try log.record(entry("ruhelage", massage: false, endedAt: Date()))
        #expect(try log.lastCompletedMassage() == nil)
        #expect(try log.completedMassageCount(since: Date().addingTimeInterval(-7 * 86_400)) == 0,
                "a stopped massage is not counted in the week")
    }

    @Test func aSessionCountsAsCompletedOnlyAtItsEndWithMostOfItPlayed() {
        #expect(PracticeEntry.isCompleted(reachedEnd: true, playedShare: 1))
        #expect(PracticeEntry.isCompleted(reachedEnd: true, playedShare: 0.8))
        #expect(!PracticeEntry.isCompleted(reachedEnd: true, playedShare: 0.79))
        #expect(!PracticeEntry.isCompleted(reachedEnd: false, playedShare: 1))
    }

    @Test func theAdvisoryWarnsWithinADayOnly() {
        let now = Date()
        #expect(RestAdvice.advisory(lastMassage: nil, now: now) == nil)
        #expect(RestAdvice.advisory(lastMassage: now.addingTimeInterval(-25 * 3600), now: now) == nil)
        let advisory = RestAdvice.advisory(lastMassage: now.addingTimeInterval(-5 * 3600), now: now)
        #expect(advisory?.contains("vor 5 Stunden") == true)
        #expect(advisory?.contains("mindestens einen ganzen Tag Pause") == true)
    }

    @Test func aFileThatIsNotADatabaseIsReportedByName() throws {
        let path = try temporaryPath()
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        #expect(throws: PracticeLog.Failure.self) { try PracticeLog(path: path) }
        do {
            _ = try PracticeLog(path: path)
        } catch {
            #expect(error.description.hasPrefix("the practice log \(path) cannot be used: "))
        }
    }

    @Test func manyWritersAtOnceLoseNothing() async throws {
        let path = try temporaryPath()
        _ = try PracticeLog(path: path)
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<16 {
                group.addTask {
                    let log = try? PracticeLog(path: path)
                    try? log?.record(self.entry("psoas-\(index)", endedAt: Date()))
                }
            }
        }
        #expect(try PracticeLog(path: path).recent(limit: 100).count == 16)
    }
}
