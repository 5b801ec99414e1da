import Foundation
import Player
import PracticeLog
import SessionKit

/// The practice log as the commands use it: where it lives, the rest-day advisory before a
/// massage, one entry after every play. A log that cannot be used never stops a session.
struct PracticeLogging {
    let log: PracticeLog?
    private(set) var warned = false

    /// `$XDG_DATA_HOME/psoas/practice.sqlite` (default `~/.local/share/psoas/practice.sqlite`).
    static var path: String { Library.dataDirectory + "/practice.sqlite" }

    /// Opens the log; a failure is said once on stderr and the play goes on without it.
    init() {
        do {
            log = try PracticeLog(path: Self.path)
        } catch {
            log = nil
            Console.error("warning: \(error.description); playing without logging")
            warned = true
        }
    }

    /// Before a massage: the German advice to rest a full day, if the last one was too recent.
    func adviseRest(before session: Session) {
        guard let log, session.isMassage else { return }
        if let advisory = RestAdvice.advisory(lastMassage: try? log.lastCompletedMassage()) {
            Console.error(advisory)
        }
    }

    /// Records a finished play: completed when it reached the end having played most of it
    /// (``PracticeEntry/isCompleted(reachedEnd:playedShare:)``); played time without pauses.
    mutating func record(_ session: Session, voice: String, tones: String, ambience: String, started: Date, reachedEnd: Bool,
                         snapshot: PlaybackEngine.Snapshot, frameCount: Int64, sampleRate: Int, xruns: Int) {
        guard let log else { return }
        var options = Dictionary(session.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        options["breath"] = session.breath.description
        options["voice"] = voice
        options["tones"] = tones
        options["ambience"] = ambience
        let entry = PracticeEntry(
            startedAt: started, endedAt: Date(), sessionID: session.id, isMassage: session.isMassage, options: options,
            completed: PracticeEntry.isCompleted(reachedEnd: reachedEnd,
                                                 playedShare: Double(snapshot.coveredFrames) / Double(max(1, frameCount))),
            playedSeconds: Double(snapshot.playedFrames) / Double(sampleRate),
            pauses: snapshot.pauses, skips: snapshot.skips, extends: snapshot.extends,
            safetyStops: snapshot.safetyStops, xruns: xruns)
        do {
            try log.record(entry)
        } catch {
            if !warned { Console.error("warning: \(error.description); this session was not logged") }
            warned = true
        }
    }
}

extension Session {
    /// A session with massage holds; the rest-day advice is about these.
    var isMassage: Bool { steps.contains { $0.kind == .hold } }
}
