import Foundation
import PsoasTestSupport
import Testing

/// The clip cache as a user meets it: `export` and `play` fill `$XDG_CACHE_HOME/psoas/clips`
/// (else `~/.cache/psoas/clips`), and read it the next time with the same bytes as a result; a
/// cache that cannot be written is never an error.
@Suite struct ClipCacheCommandTests {
    let short = sessionFixture("short.yaml")

    func temporaryFolder() throws -> URL { try makeTemporaryFolder("psoas-cache") }

    /// The entries in `folder` (a clips folder), by name.
    func entries(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".clip") }.sorted()
    }

    /// `export short -o - --format raw` with `environment`; expects it to succeed quietly.
    func exported(_ environment: [String: String], sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Data {
        let result = try runPsoas(["export", short, "-o", "-", "--format", "raw"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.stderr == "", sourceLocation: sourceLocation)
        return result.stdoutData
    }

    @Test func anExportFillsTheCacheInXDGCacheHomeAndReadsItWithTheSameBytes() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ["XDG_CACHE_HOME": folder.appendingPathComponent("cache").path]
        let clips = folder.appendingPathComponent("cache/psoas/clips")
        let cold = try exported(environment)
        let filled = entries(clips)
        #expect(!filled.isEmpty, "the export stored its clips in \(clips.path)")
        let stamps = try filled.map { try FileManager.default.attributesOfItem(atPath: clips.appendingPathComponent($0).path)[.modificationDate] as? Date }
        let warm = try exported(environment)
        #expect(warm == cold, "a warm cache gives the same bytes")
        #expect(entries(clips) == filled)
        let after = try filled.map { try FileManager.default.attributesOfItem(atPath: clips.appendingPathComponent($0).path)[.modificationDate] as? Date }
        #expect(after == stamps, "the entries were read, not written again")
    }

    @Test func withoutXDGCacheHomeTheCacheIsInHome() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let home = folder.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        _ = try exported(["XDG_CACHE_HOME": "", "HOME": home.path])
        #expect(!entries(home.appendingPathComponent(".cache/psoas/clips")).isEmpty)
    }

    @Test func aCacheThatCannotBeWrittenIsNoError() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cached = try exported(["XDG_CACHE_HOME": folder.appendingPathComponent("cache").path])
        // A file where the cache's folder would be: it cannot be created, also for root.
        let file = folder.appendingPathComponent("file")
        try Data("not a folder".utf8).write(to: file)
        let uncached = try exported(["XDG_CACHE_HOME": file.path])
        #expect(uncached == cached)
        let written = try runPsoas(["export", short, "-o", folder.appendingPathComponent("out.wav").path],
                                   environment: ["XDG_CACHE_HOME": file.path])
        #expect(written.status == 0, "\(written.stderr)")
        #expect(written.stderr.hasPrefix("wrote "), "\(written.stderr)")
    }

    /// A play fills the cache as an export does, and a warm play reads it and still plays the
    /// exported bytes.
    @Test func aPlayFillsTheCacheAndPlaysTheExportedBytesFromIt() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ten = sessionFixture("ten.yaml")
        let environment = ["XDG_RUNTIME_DIR": folder.path, "XDG_CACHE_HOME": folder.appendingPathComponent("cache").path]
        let clips = folder.appendingPathComponent("cache/psoas/clips")
        let export = try runPsoas(["export", ten, "-o", "-", "--format", "raw"],
                                  environment: ["XDG_CACHE_HOME": folder.appendingPathComponent("other").path])
        #expect(export.status == 0, "\(export.stderr)")
        var stamps: [Date?] = []
        for run in ["cold", "warm"] {
            let raw = folder.appendingPathComponent("\(run).raw").path
            let played = try runPsoas(["play", ten, "--device", "file:FILE=\"\(raw)\",FORMAT=raw", "--no-wait"],
                                      environment: environment)
            #expect(played.status == 0, "\(played.stderr)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: raw)) == export.stdoutData, "\(run)")
            let now = try entries(clips).map {
                try FileManager.default.attributesOfItem(atPath: clips.appendingPathComponent($0).path)[.modificationDate] as? Date
            }
            #expect(!now.isEmpty, "\(run): the play stored its clips")
            if run == "warm" { #expect(now == stamps, "the warm play read the entries, not wrote them") }
            stamps = now
        }
    }
}
