import Foundation
import GRDB

/// One session that was played.
public struct PracticeEntry: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "practice"

    public var id: Int64?
    public var startedAt: Date
    public var endedAt: Date
    public var sessionID: String
    /// Whether the session has massage holds (the rest-day advice is about those).
    public var isMassage: Bool
    /// The options the session was played with: hold, breath, sides, level, rest, voice.
    public var options: [String: String]
    /// Played to its end (not stopped, not interrupted) having played at least
    /// ``completionShare`` of its length; see ``isCompleted(reachedEnd:playedShare:)``.
    public var completed: Bool
    /// Seconds of audio actually played, pauses not counted.
    public var playedSeconds: Double
    public var pauses: Int
    public var skips: Int
    public var extends: Int
    public var safetyStops: Int
    public var xruns: Int

    public init(startedAt: Date, endedAt: Date, sessionID: String, isMassage: Bool, options: [String: String],
                completed: Bool, playedSeconds: Double, pauses: Int = 0, skips: Int = 0, extends: Int = 0,
                safetyStops: Int = 0, xruns: Int = 0) {
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.sessionID = sessionID
        self.isMassage = isMassage
        self.options = options
        self.completed = completed
        self.playedSeconds = playedSeconds
        self.pauses = pauses
        self.skips = skips
        self.extends = extends
        self.safetyStops = safetyStops
        self.xruns = xruns
    }

    /// How much of a session must have been played, skips not counted, for it to count as completed.
    public static let completionShare = 0.8

    /// Whether a play counts as a completed session: it reached the session's end, and had played
    /// at least ``completionShare`` of its length on the way (`playedShare`: the part of the
    /// session's length that was played rather than skipped).
    public static func isCompleted(reachedEnd: Bool, playedShare: Double) -> Bool {
        reachedEnd && playedShare >= completionShare
    }

    /// Dates are stored as GRDB stores them ("yyyy-MM-dd HH:mm:ss.SSS", UTC: see
    /// ``storedText(_:)``), without the `DateFormatter` GRDB would use: its first use loads ICU's
    /// data, some 7 ms of CPU at the end of every play.
    public static let databaseDateEncodingStrategy = DatabaseDateEncodingStrategy.custom { storedText($0) }

    /// The calendar of ``storedText(_:)``: Gregorian, UTC (worked out without ICU).
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 0)!
        return calendar
    }()

    /// `date` as GRDB's `Date` stores it: "yyyy-MM-dd HH:mm:ss.SSS" in UTC, rounded to the
    /// millisecond as its formatter rounds, so that rows written either way sort and compare as one.
    public static func storedText(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        let seconds = (milliseconds / 1000).rounded(.down)
        let whole = utc.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                       from: Date(timeIntervalSince1970: seconds))
        let fraction = Int(milliseconds - seconds * 1000)
        func digits(_ value: Int?, _ count: Int) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, count - text.count)) + text
        }
        return "\(digits(whole.year, 4))-\(digits(whole.month, 2))-\(digits(whole.day, 2)) "
            + "\(digits(whole.hour, 2)):\(digits(whole.minute, 2)):\(digits(whole.second, 2)).\(digits(fraction, 3))"
    }

    public mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }
}

/// The practice history in SQLite (WAL), written by every play and read by `psoas log`.
///
/// Thread-safety: a `DatabasePool`; several processes may write at once (they wait for each
/// other up to a few seconds).
public final class PracticeLog: Sendable {
    public let path: String
    private let pool: DatabasePool

    /// Why the log cannot be used, with the file named.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "the practice log \(path) cannot be used: \(reason)" }
    }

    /// Opens (creating if needed) the log at `path` and brings its schema up to date.
    /// - Throws: ``Failure`` when the file is not a database or cannot be written.
    public init(path: String) throws(Failure) {
        self.path = path
        do {
            let folder = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            pool = try Self.retryingWhileLocked {
                let pool = try DatabasePool(path: path, configuration: configuration)
                let migrator = Self.migrator
                do {
                    try migrator.migrate(pool)
                } catch {
                    // Another process may have applied the same migration between our look at
                    // the schema and our own attempt ("table already exists"): that is success.
                    guard (try? pool.read(migrator.hasCompletedMigrations)) == true else { throw error }
                }
                return pool
            }
        } catch {
            throw Failure(path: path, reason: Self.describe(error))
        }
    }

    /// Runs `body` again while another process holds a lock that SQLite reports at once instead of
    /// waiting for it: opening a WAL database (`PRAGMA journal_mode`, WAL recovery) fails with
    /// SQLITE_BUSY without calling the busy handler when another process opens it at the same
    /// moment, as two players finishing together do. Gives up after about 10 s.
    static func retryingWhileLocked<T>(_ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(10)
        var pause: useconds_t = 5_000
        while true {
            do {
                return try body()
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED {
                guard Date() < deadline else { throw error }
                usleep(pause + useconds_t.random(in: 0..<pause))
                pause = min(pause * 2, 100_000)
            }
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: practice") { db in
            try db.create(table: "practice") { table in
                table.autoIncrementedPrimaryKey("id")
                table.column("startedAt", .datetime).notNull()
                table.column("endedAt", .datetime).notNull().indexed()
                table.column("sessionID", .text).notNull()
                table.column("isMassage", .boolean).notNull()
                table.column("options", .jsonText).notNull()
                table.column("completed", .boolean).notNull()
                table.column("playedSeconds", .double).notNull()
                table.column("pauses", .integer).notNull()
                table.column("skips", .integer).notNull()
                table.column("extends", .integer).notNull()
                table.column("safetyStops", .integer).notNull()
                table.column("xruns", .integer).notNull()
            }
        }
        return migrator
    }

    /// Adds a played session.
    public func record(_ entry: PracticeEntry) throws(Failure) {
        do {
            try Self.retryingWhileLocked { try pool.write { db in try entry.insert(db) } }
        } catch {
            throw Failure(path: path, reason: Self.describe(error))
        }
    }

    /// The most recent entries, newest first.
    public func recent(limit: Int) throws(Failure) -> [PracticeEntry] {
        do {
            return try pool.read { db in
                try PracticeEntry.order(Column("endedAt").desc, Column("id").desc).limit(limit).fetchAll(db)
            }
        } catch {
            throw Failure(path: path, reason: Self.describe(error))
        }
    }

    /// When the last completed massage ended, if any.
    public func lastCompletedMassage() throws(Failure) -> Date? {
        do {
            return try pool.read { db in
                try PracticeEntry.filter(Column("isMassage") == true && Column("completed") == true)
                    .order(Column("endedAt").desc).fetchOne(db)?.endedAt
            }
        } catch {
            throw Failure(path: path, reason: Self.describe(error))
        }
    }

    /// How many completed massages ended on or after `date`.
    public func completedMassageCount(since date: Date) throws(Failure) -> Int {
        do {
            return try pool.read { db in
                try PracticeEntry.filter(Column("isMassage") == true && Column("completed") == true && Column("endedAt") >= date)
                    .fetchCount(db)
            }
        } catch {
            throw Failure(path: path, reason: Self.describe(error))
        }
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }
}

/// The article's rule: at least one full day between two massages.
public enum RestAdvice {
    public static let minimumRest: TimeInterval = 24 * 60 * 60

    /// The German advisory when the last completed massage ended less than a day before `now`.
    public static func advisory(lastMassage: Date?, now: Date = Date()) -> String? {
        guard let lastMassage else { return nil }
        let elapsed = now.timeIntervalSince(lastMassage)
        guard elapsed >= 0, elapsed < minimumRest else { return nil }
        let hours = Int(elapsed / 3600)
        let when = hours < 1 ? "vor weniger als einer Stunde" : hours == 1 ? "vor einer Stunde" : "vor \(hours) Stunden"
        return """
            Hinweis: Deine letzte Psoas-Massage endete \(when). Gönn dem Muskel zwischen zwei Einheiten \
            mindestens einen ganzen Tag Pause. Wenn du trotzdem übst, dann sanft und mit wenig Druck.
            """
    }
}
