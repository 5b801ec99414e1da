import AudioIO
import Foundation
import Planning
import PsoasTestSupport
import SessionKit
import Sound
import Testing

/// Clips read from the cache are the clips decoded, bit for bit; an entry that no longer fits
/// its file, or is damaged, is decoded anew and replaced; a cache that cannot be written
/// changes nothing but the speed.
@Suite struct ClipCacheTests {
    /// A new empty folder of the test's own, removed by `body`'s end.
    static func withFolder(_ body: (URL) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("psoas-cache-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    /// Renders `timeline` as `decoding` does (an export's decoding ahead, a player's in the
    /// background) with `pack` and `cache`.
    static func render(_ timeline: Timeline, pack: VoicePack, decoding: RenderPlan.Decoding = .ahead,
                       ambience: AmbienceStyle = .off, cache: ClipCache?) throws -> [Float] {
        let renderer = try RenderPlan.renderer(for: timeline, pack: pack, ambience: ambience, decoding: decoding, cache: cache)
        switch decoding {
        case .upFront:
            return SoundFixture.render(renderer)
        case .ahead:
            renderer.decodeAhead(clips: 2)
            return try ClipStoreTests.renderAhead(renderer)
        case .background:
            let deadline = Date().addingTimeInterval(20)
            while !renderer.allClipsPublished, Date() < deadline { usleep(1_000) }
            #expect(renderer.allClipsPublished)
            return SoundFixture.render(renderer)
        }
    }

    /// The entries in `cache`'s folder (not the temporary files), by name.
    static func entries(_ cache: ClipCache) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: cache.folder)) ?? []).filter { $0.hasSuffix(".clip") }.sorted()
    }

    /// How many voice clips `timeline` speaks (a cue at two lengths is two clips).
    static func voiceClipCount(_ timeline: Timeline) -> Int {
        Set(timeline.voices.compactMap { event -> String? in
            guard case let .voice(cue, _, _, _) = event.kind else { return nil }
            return "\(cue) \(event.duration)"
        }).count
    }

    /// A copy of the built-in pack in `folder`, to change its clips.
    static func copyOfThePack(in folder: URL) throws -> VoicePack {
        let copy = folder.appendingPathComponent("pack")
        try FileManager.default.copyItem(at: URL(fileURLWithPath: SoundFixture.audio + "/voices/de-espeak"), to: copy)
        return try VoicePack.open(directory: copy.path, cues: SoundFixture.manifest())
    }

    static func expectSame(_ one: [Float], _ other: [Float], _ what: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let difference = ClipStoreTests.firstDifference(one, other)
        #expect(difference == nil, "\(what): \(difference ?? "")", sourceLocation: sourceLocation)
    }

    // MARK: - Warm and cold

    @Test(arguments: [RenderPlan.Decoding.upFront, .ahead, .background])
    func aWarmCacheGivesTheBitsOfAColdOne(decoding: RenderPlan.Decoding) throws {
        try Self.withFolder { folder in
            let timeline = try SoundFixture.timeline(channels: 2)
            let pack = try SoundFixture.pack()
            let decoded = try Self.render(timeline, pack: pack, decoding: decoding, ambience: .surf, cache: nil)
            let cold = ClipCache(folder: folder.appendingPathComponent("clips").path)
            let first = try Self.render(timeline, pack: pack, decoding: decoding, ambience: .surf, cache: cold)
            Self.expectSame(decoded, first, "a cold cache")
            #expect(cold.hitCount == 0)
            #expect(cold.missCount > 0)
            let entries = Self.entries(cold)
            #expect(entries.count == Self.voiceClipCount(timeline), "one entry a clip: \(entries)")

            let warm = ClipCache(folder: cold.folder)
            let second = try Self.render(timeline, pack: pack, decoding: decoding, ambience: .surf, cache: warm)
            Self.expectSame(decoded, second, "a warm cache")
            #expect(warm.missCount == 0, "every clip read from the cache")
            #expect(warm.hitCount == cold.missCount)
            #expect(Self.entries(warm) == entries)
        }
    }

    // MARK: - Changed clip files

    @Test func aTouchedClipFileIsDecodedAgain() throws {
        try Self.withFolder { folder in
            let pack = try Self.copyOfThePack(in: folder)
            let timeline = try SoundFixture.timeline()
            let clips = folder.appendingPathComponent("clips").path
            let first = try Self.render(timeline, pack: pack, cache: ClipCache(folder: clips))
            let touched = try #require(pack.clipPaths["outro"])
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3_600)], ofItemAtPath: touched)
            let cache = ClipCache(folder: clips)
            let second = try Self.render(timeline, pack: pack, cache: cache)
            Self.expectSame(first, second, "the same file, touched")
            #expect(cache.missCount == 1, "the touched clip alone is decoded")
            #expect(cache.hitCount == Self.voiceClipCount(timeline) - 1)
        }
    }

    /// A clip written anew (here: the same length, its polarity turned) sounds as the new file.
    @Test func aRewrittenClipFileSoundsAsTheNewFile() throws {
        try Self.withFolder { folder in
            let pack = try Self.copyOfThePack(in: folder)
            let timeline = try SoundFixture.timeline()
            let clips = folder.appendingPathComponent("clips").path
            let before = try Self.render(timeline, pack: pack, cache: ClipCache(folder: clips))
            let rewritten = try #require(pack.clipPaths["outro"])
            var audio = try SoundFileReader.readMono(path: rewritten)
            audio.samples = audio.samples.map { -$0 }
            try ClipProcessor.write(audio, to: rewritten, title: "outro")
            let decoded = try Self.render(timeline, pack: pack, cache: nil)
            let cache = ClipCache(folder: clips)
            let after = try Self.render(timeline, pack: pack, cache: cache)
            #expect(ClipStoreTests.firstDifference(before, decoded) != nil, "the new file sounds otherwise")
            Self.expectSame(decoded, after, "the rewritten clip")
            #expect(cache.missCount == 1, "the rewritten clip alone is decoded")
        }
    }

    /// The check before a render skips the files the cache holds, but not one cut off since.
    @Test func aClipFileCutOffSinceItWasCachedFailsTheCheck() throws {
        try Self.withFolder { folder in
            let pack = try Self.copyOfThePack(in: folder)
            let timeline = try SoundFixture.timeline()
            let clips = folder.appendingPathComponent("clips").path
            _ = try Self.render(timeline, pack: pack, cache: ClipCache(folder: clips))
            _ = try RenderPlan.renderer(for: timeline, pack: pack, decoding: .ahead, cache: ClipCache(folder: clips))
            let cut = URL(fileURLWithPath: try #require(pack.clipPaths["outro"]))
            let data = try Data(contentsOf: cut)
            try data.prefix(data.count / 3).write(to: cut)
            for decoding in [RenderPlan.Decoding.ahead, .background] {
                #expect(throws: RenderPlan.Failure.self, "\(decoding)") {
                    try RenderPlan.renderer(for: timeline, pack: pack, decoding: decoding, cache: ClipCache(folder: clips))
                }
            }
        }
    }

    // MARK: - Damaged entries

    /// What is done to an entry's bytes.
    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case cutShort, lengthened, flippedSample, wrongMagic, emptied, anotherEntry
        var testDescription: String { rawValue }

        func apply(to entry: URL, other: URL) throws {
            var bytes = try Data(contentsOf: entry)
            switch self {
            case .cutShort: bytes.removeLast(bytes.count / 3)
            case .lengthened: bytes.append(contentsOf: [0, 0])
            case .flippedSample: bytes[bytes.count - 1_000] ^= 0x10
            case .wrongMagic: bytes[0] ^= 0xff
            case .emptied: bytes = Data()
            case .anotherEntry: bytes = try Data(contentsOf: other)
            }
            try bytes.write(to: entry)
        }
    }

    @Test(arguments: Damage.allCases)
    func aDamagedEntryIsIgnoredAndReplaced(damage: Damage) throws {
        try Self.withFolder { folder in
            let timeline = try SoundFixture.timeline()
            let pack = try SoundFixture.pack()
            let clips = folder.appendingPathComponent("clips")
            let cold = ClipCache(folder: clips.path)
            let decoded = try Self.render(timeline, pack: pack, cache: cold)
            let entries = Self.entries(cold)
            try #require(entries.count >= 2)
            let damaged = clips.appendingPathComponent(entries[0])
            let intact = try Data(contentsOf: damaged)
            try damage.apply(to: damaged, other: clips.appendingPathComponent(entries[1]))
            #expect(try Data(contentsOf: damaged) != intact)

            let cache = ClipCache(folder: clips.path)
            Self.expectSame(decoded, try Self.render(timeline, pack: pack, cache: cache), "with the damaged entry")
            #expect(cache.missCount == 1, "the damaged entry's clip is decoded")
            #expect(try Data(contentsOf: damaged) == intact, "and its entry written anew")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: clips.path).filter { !$0.hasSuffix(".clip") }
            #expect(leftovers.isEmpty, "temporary files left: \(leftovers)")
        }
    }

    // MARK: - A cache that cannot be written

    @Test func aCacheThatCannotBeWrittenChangesNothingButTheSpeed() throws {
        try Self.withFolder { folder in
            let timeline = try SoundFixture.timeline()
            let pack = try SoundFixture.pack()
            let decoded = try Self.render(timeline, pack: pack, cache: nil)
            // A file where the cache's folder would be: mkdir fails (ENOTDIR), also for root.
            let file = folder.appendingPathComponent("home")
            try Data("not a folder".utf8).write(to: file)
            let cache = ClipCache(folder: file.path + "/.cache/psoas/clips")
            for decoding in [RenderPlan.Decoding.upFront, .ahead, .background] {
                Self.expectSame(decoded, try Self.render(timeline, pack: pack, decoding: decoding, cache: cache), "\(decoding)")
            }
            #expect(cache.hitCount == 0)
            #expect(try Data(contentsOf: file) == Data("not a folder".utf8))
        }
    }

    // MARK: - Where it is, and how big

    @Test func theCacheIsInXDGCacheHomeElseInHome() {
        #expect(ClipCache(environment: ["XDG_CACHE_HOME": "/c", "HOME": "/h"])?.folder == "/c/psoas/clips")
        #expect(ClipCache(environment: ["HOME": "/h"])?.folder == "/h/.cache/psoas/clips")
        #expect(ClipCache(environment: ["XDG_CACHE_HOME": "", "HOME": "/h"])?.folder == "/h/.cache/psoas/clips")
        #expect(ClipCache(environment: ["XDG_CACHE_HOME": "relative", "HOME": "/h"])?.folder == "/h/.cache/psoas/clips",
                "a relative path is not a cache home")
        #expect(ClipCache(environment: [:]) == nil)
    }

    @Test func writingAnEntryRemovesOldOnesAndKeepsTheFolderUnderItsLimit() throws {
        try Self.withFolder { folder in
            let clips = folder.appendingPathComponent("clips")
            try FileManager.default.createDirectory(at: clips, withIntermediateDirectories: true)
            let day = 86_400.0
            func make(_ name: String, bytes: Int, daysAgo: Double) throws {
                let url = clips.appendingPathComponent(name)
                try Data(count: bytes).write(to: url)
                try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -daysAgo * day)],
                                                      ofItemAtPath: url.path)
            }
            try make("0000000000000001.clip", bytes: 1_000, daysAgo: 31)
            try make("0000000000000002.clip", bytes: 300_000, daysAgo: 20)
            try make("0000000000000003.clip", bytes: 300_000, daysAgo: 10)
            try make("0000000000000004.clip", bytes: 300_000, daysAgo: 0.1)
            try make(".0000000000000005.clip.abcdef", bytes: 1_000, daysAgo: 2)
            try make(".0000000000000006.clip.abcdef", bytes: 1_000, daysAgo: 0.1)
            try make("other", bytes: 1_000, daysAgo: 100)

            let timeline = try SoundFixture.timeline("""
                id: one
                title: Eins
                steps:
                  - say: outro
                """, tones: .off)
            let cache = ClipCache(folder: clips.path, sizeLimit: 1_000_000)
            _ = try Self.render(timeline, pack: SoundFixture.pack(), cache: cache)
            let names = try FileManager.default.contentsOfDirectory(atPath: clips.path).sorted()
            let written = try #require(names.first { !$0.hasPrefix(".") && !$0.hasPrefix("000") && $0 != "other" })
            let size = try #require(try FileManager.default.attributesOfItem(atPath: clips.appendingPathComponent(written).path)[.size] as? Int)
            #expect(size > 100_000 && size < 1_000_000)
            // Gone: unused for 31 days; a temporary file two days old; the least recently used
            // entries while the folder held more than its limit.
            var kept = ["0000000000000004.clip", ".0000000000000006.clip.abcdef", "other", written]
            if size + 300_000 * 2 <= 1_000_000 { kept.append("0000000000000003.clip") }
            #expect(names == kept.sorted())
        }
    }
}
