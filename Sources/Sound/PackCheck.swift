import AudioIO
import SessionKit
import Planning

/// What is wrong with a voice pack, for `psoas voice check`.
public struct PackReport: Sendable {
    /// Cue ids of the manifest without a clip.
    public var missing: [String] = []
    /// Clips too long for a use of their cue, and other timing problems found by planning the
    /// sessions with this pack's clips (and the fallback's for the cues it has none for).
    public var timing: [String] = []
    /// Clips off the loudness target or over the true-peak ceiling, or unreadable.
    public var loudness: [String] = []
    /// How many clips were measured.
    public var clipCount = 0
    /// The pace of every clip, in manifest order (informational: it does not make a pack incomplete).
    public var rates: [(cue: String, rate: SpeechRate)] = []

    public var isComplete: Bool { missing.isEmpty && timing.isEmpty && loudness.isEmpty }
}

public enum PackCheck {
    /// How far a clip's loudness may be from the pack's target, in LU.
    public static let loudnessTolerance = 1.0

    /// Checks `pack` against `manifest` and the sessions given (each planned as given).
    /// Cues the pack has no clip for are planned with `fallback`'s clips (as play does), so
    /// every clip the pack has is checked against every use of its cue.
    /// - Parameter sessions: sessions to plan with the pack's clip lengths, with a label each.
    public static func run(pack: VoicePack, fallback: VoicePack?, manifest: CueManifest,
                           sessions: [(label: String, session: Session)]) -> PackReport {
        var report = PackReport()
        report.missing = manifest.ids.filter { pack.clipPaths[$0] == nil }
        for id in manifest.ids {
            guard let path = pack.clipPaths[id] else { continue }
            report.clipCount += 1
            do {
                let loudness = try Loudness.measure(SoundFileReader.readMono(path: path))
                let offTarget = abs(loudness.integrated - pack.manifest.loudness) > loudnessTolerance
                if offTarget || loudness.truePeakDecibels > ClipProcessor.truePeakCeiling + 0.05 {
                    report.loudness.append("\(id): \(format(loudness.integrated)) LUFS, true peak \(format(loudness.truePeakDecibels)) dBTP (target \(format(pack.manifest.loudness)) LUFS ±\(format(loudnessTolerance)), peak ≤ \(format(ClipProcessor.truePeakCeiling)) dBTP)")
                }
            } catch {
                report.loudness.append("\(id): cannot be read: \(error)")
            }
        }
        let own: [String: Int64]
        let durations: [String: Int64]
        do {
            own = try pack.clipDurations(at: checkRate)
            durations = try (fallback?.clipDurations(at: checkRate) ?? [:]).merging(own) { _, mine in mine }
        } catch {
            report.timing.append("clip lengths cannot be read: \(error)")
            return report
        }
        for id in manifest.ids {
            guard let frames = own[id], let text = manifest.text(for: id) else { continue }
            report.rates.append((id, SpeechRate(text: text, seconds: Double(frames) / Double(checkRate))))
        }
        report.timing = tooLong(Set(own.keys), durations: durations, manifest: manifest, sessions: sessions)
            .map(\.description)
        // Anything else the planner finds (two cues overlapping) in sessions where every clip fits.
        let planner = Planner(options: PlanOptions(sampleRate: checkRate), manifest: manifest, clipDurations: durations)
        for (label, session) in sessions where session.cueIDs.allSatisfy({ durations[$0] != nil }) {
            guard let fits = try? planner.fits(session), !fits.contains(where: \.isTooLong) else { continue }
            do {
                _ = try planner.plan(session)
            } catch {
                report.timing.append("\(label): line \(error.location.line): \(error.message)")
            }
        }
        return report
    }

    /// The rate clip lengths are checked at: the planner's default.
    public static let checkRate = PlanOptions().sampleRate

    /// A clip too long for one use of its cue in a session.
    public struct Misfit: Sendable, CustomStringConvertible {
        /// The session, as labelled (`psoas --level beginner`).
        public var session: String
        public var fit: CueFit
        /// `sink.exhale: 8.4 s, but it must fit the 6.0 s exhale of step 'sink' in psoas (line 33); 2.4 s too long`
        public var description: String { fit.tooLongText(in: session) }
    }

    /// The clips of `cues` that are too long for a use of their cue in `sessions`, planned at
    /// `rate` with `durations` (the length of every cue's clip at `rate`; a session using a cue
    /// without one is left out). For each cue, the use it misses by most; sorted by cue id.
    public static func tooLong(_ cues: Set<String>, durations: [String: Int64], manifest: CueManifest,
                               sessions: [(label: String, session: Session)], rate: Int = checkRate) -> [Misfit] {
        let planner = Planner(options: PlanOptions(sampleRate: rate), manifest: manifest, clipDurations: durations)
        var worst: [String: Misfit] = [:]
        for (label, session) in sessions {
            guard let fits = try? planner.fits(session) else { continue }
            for fit in fits where fit.isTooLong && cues.contains(fit.cue) {
                if let known = worst[fit.cue], known.fit.length - known.fit.room >= fit.length - fit.room { continue }
                worst[fit.cue] = Misfit(session: label, fit: fit)
            }
        }
        return worst.keys.sorted().compactMap { worst[$0] }
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) + ".0" : String(rounded)
    }
}
