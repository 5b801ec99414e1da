import Foundation
import PsoasTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `psoas play` writes the practice log; `psoas log` reads it.
@Suite struct LogCommandTests {
    func temporaryFolder() throws -> URL { try makeTemporaryFolder("psoas-logcmd") }

    func entries(_ environment: [String: String]) throws -> [[String: Any]] {
        let result = try runPsoas(["log", "--json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    func filePCM(_ folder: URL, _ name: String = "out.raw") -> String {
        "file:FILE=\"\(folder.appendingPathComponent(name).path)\",FORMAT=raw"
    }

    @Test func twoPlaysAreLoggedAndTheSecondMassageIsAdvisedToRest() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["XDG_DATA_HOME": folder.path, "XDG_RUNTIME_DIR": folder.path]
        let first = try runPsoas(["play", "psoas-kurz", "--hold", "45", "--sides", "left", "--device", filePCM(folder), "--no-wait"],
                                 environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(!first.stderr.contains("Hinweis"))
        let second = try runPsoas(["play", "psoas-kurz", "--device", filePCM(folder), "--no-wait"], environment: environment)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("Hinweis: Deine letzte Psoas-Massage endete"))
        #expect(second.stderr.contains("mindestens einen ganzen Tag Pause"))
        let logged = try entries(environment)
        #expect(logged.count == 2)
        #expect(logged.allSatisfy { $0["completed"] as? Bool == true && $0["session"] as? String == "psoas-kurz" })
        let options = try #require(logged.last?["options"] as? [String: String])
        #expect(options["hold"] == "45" && options["sides"] == "left" && options["breath"] == "4-6" && options["voice"] == "de-espeak")
        let text = try runPsoas(["log"], environment: environment)
        #expect(text.stdout.contains("completed massages in the last 7 days: 2"))
        #expect(text.stdout.contains("days since the last completed massage: 0"))
    }

    @Test func breathingAndRestSessionsNeverWarn() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["XDG_DATA_HOME": folder.path, "XDG_RUNTIME_DIR": folder.path]
        #expect(try runPsoas(["play", "psoas-kurz", "--device", filePCM(folder), "--no-wait"], environment: environment).status == 0)
        let rest = try runPsoas(["play", "ruhelage", "--device", filePCM(folder), "--no-wait"], environment: environment)
        #expect(rest.status == 0)
        #expect(!rest.stderr.contains("Hinweis"))
        let logged = try entries(environment)
        #expect(logged.first?["session"] as? String == "ruhelage")
        #expect(logged.first?["massage"] as? Bool == false)
    }

    @Test func anInterruptedPlayIsLoggedAsNotCompletedWithItsPlayedTime() throws {
        let server = try PipeWireServer()
        defer { server.stop() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = server.environment(dataHome: folder)
        let socket = environment["XDG_RUNTIME_DIR"]! + "/psoas/control.sock"
        let player = try RunningPsoas(["play", sessionFixture("thirty.yaml"), "--device", "pipewire"], environment: environment)
        try Signal.waitUntil(socket: socket, position: 2.0)
        player.signal(SIGINT)
        #expect(player.wait(timeout: 5) == 130)
        let stopper = try RunningPsoas(["play", sessionFixture("thirty.yaml"), "--device", "pipewire"], environment: environment)
        try Signal.waitUntil(socket: socket, position: 1.0)
        #expect(try runPsoas(["ctl", "stop"], environment: environment).status == 0)
        #expect(stopper.wait(timeout: 5) == 0)
        let logged = try entries(environment)
        #expect(logged.count == 2)
        for entry in logged {
            #expect(entry["completed"] as? Bool == false)
            let played = try #require(entry["playedSeconds"] as? Double)
            #expect(played > 0.5 && played < 5, "played \(played) s")
        }
    }

    /// Played time leaves out pauses; a massage skipped through is not completed, so it neither
    /// counts in the week nor makes the next massage advise a rest day.
    @Test func pausesAreNotPlayedTimeAndASkippedThroughMassageIsNotCompleted() throws {
        let server = try PipeWireServer()
        defer { server.stop() }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = server.environment(dataHome: folder)
        let socket = environment["XDG_RUNTIME_DIR"]! + "/psoas/control.sock"
        let thirty = sessionFixture("thirty.yaml")

        let paused = try RunningPsoas(["play", thirty, "--device", "pipewire"], environment: environment)
        try Signal.waitUntil(socket: socket, position: 1.0)
        #expect(try runPsoas(["ctl", "pause"], environment: environment).status == 0)
        Thread.sleep(forTimeInterval: 3)
        #expect(try runPsoas(["ctl", "resume"], environment: environment).status == 0)
        Thread.sleep(forTimeInterval: 1)
        #expect(try runPsoas(["ctl", "stop"], environment: environment).status == 0)
        #expect(paused.wait(timeout: 5) == 0, "\(paused.stderr)")

        let skipped = try RunningPsoas(["play", thirty, "--device", "pipewire", "--events", "json"], environment: environment)
        try Signal.waitUntil(socket: socket, position: 1.0)
        #expect(try runPsoas(["ctl", "next"], environment: environment).status == 0)
        #expect(skipped.wait(timeout: 5) == 0, "\(skipped.stderr)")
        #expect(skipped.waitForLine(containing: "\"event\":\"finished\"", timeout: 1) != nil, "it reached the end")

        let logged = try entries(environment)
        #expect(logged.count == 2)
        #expect(logged.allSatisfy { $0["completed"] as? Bool == false }, "\(logged)")
        let pausedSeconds = try #require(logged.last?["playedSeconds"] as? Double)
        #expect(pausedSeconds > 1.5 && pausedSeconds < 3.5, "played \(pausedSeconds) s around a 3 s pause")
        let week = try runPsoas(["log"], environment: environment)
        #expect(week.stdout.contains("completed massages in the last 7 days: 0"), "\(week.stdout)")
        #expect(week.stdout.contains("no completed massage yet"))

        let next = try runPsoas(["play", thirty, "--device", filePCM(folder)], environment: environment)
        #expect(next.status == 0, "\(next.stderr)")
        #expect(!next.stderr.contains("Hinweis"), "no rest-day advice after massages that were not completed")
        #expect(try entries(environment).first?["completed"] as? Bool == true)
    }

    @Test func aGarbageLogNeverStopsASessionAndLogExplains() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["XDG_DATA_HOME": folder.path, "XDG_RUNTIME_DIR": folder.path]
        let path = folder.appendingPathComponent("psoas/practice.sqlite").path
        try FileManager.default.createDirectory(atPath: folder.appendingPathComponent("psoas").path, withIntermediateDirectories: true)
        try Data(repeating: 0x2A, count: 8192).write(to: URL(fileURLWithPath: path))
        let played = try runPsoas(["play", sessionFixture("ten.yaml"), "--device", filePCM(folder)], environment: environment)
        #expect(played.status == 0, "\(played.stderr)")
        #expect(played.stderr.components(separatedBy: "warning:").count == 2, "warned once: \(played.stderr)")
        #expect(played.stderr.contains("warning: the practice log \(path) cannot be used"))
        let log = try runPsoas(["log"], environment: environment)
        #expect(log.status == 65)
        #expect(log.stderr.contains("error: the practice log \(path) cannot be used"))
        #expect(log.stderr.contains("Move it away"))
    }

    /// Two players that open the log at the same moment race for SQLite's locks (a new file's
    /// schema, WAL recovery). Four logs, three rounds of two players each: no entry is lost and
    /// no player warns.
    @Test func playersFinishingTogetherAreAllLogged() throws {
        for _ in 0..<4 {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            for round in 0..<3 {
                let players = try (0..<2).map { index in
                    // Each player's own runtime folder (so each has its own control socket).
                    try FileManager.default.createDirectory(at: folder.appendingPathComponent("run\(index)"),
                                                            withIntermediateDirectories: true)
                    return try RunningPsoas(["play", sessionFixture("ten.yaml"), "--device", filePCM(folder, "o\(round)\(index).raw")],
                                     environment: ["XDG_DATA_HOME": folder.path,
                                                   "XDG_RUNTIME_DIR": folder.appendingPathComponent("run\(index)").path])
                }
                for player in players {
                    #expect(player.wait(timeout: 30) == 0, "\(player.stderr)")
                    #expect(!player.stderr.contains("warning"), "\(player.stderr)")
                }
            }
            let logged = try entries(["XDG_DATA_HOME": folder.path])
            #expect(logged.count == 6)
            #expect(logged.allSatisfy { $0["completed"] as? Bool == true })
        }
    }
}
