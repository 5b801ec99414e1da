import AudioIO
import SessionKit
import Timeline

/// What is wrong with a voice pack, for `psoas voice check`.
public struct PackReport: Sendable {
    /// Cue ids of the manifest without a clip.
    public var missing: [String] = []
    /// Timing problems found by planning the sessions with this pack's clips.
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
    /// - Parameter sessions: sessions to plan with the pack's clip lengths, with a label each.
    public static func run(pack: VoicePack, manifest: CueManifest,
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
        let durations: [String: Int64]
        do {
            durations = try pack.clipDurations(at: 48_000)
        } catch {
            report.timing.append("clip lengths cannot be read: \(error)")
            return report
        }
        for id in manifest.ids {
            guard let frames = durations[id], let text = manifest.text(for: id) else { continue }
            report.rates.append((id, SpeechRate(text: text, seconds: Double(frames) / 48_000)))
        }
        let planner = Planner(options: PlanOptions(), manifest: manifest, clipDurations: durations)
        for (label, session) in sessions {
            let used = session.cueIDs.filter { durations[$0] != nil }
            guard used.count == session.cueIDs.count else { continue }
            do {
                _ = try planner.plan(session)
            } catch {
                report.timing.append("\(label): line \(error.location.line): \(error.message)")
            }
        }
        return report
    }

    static func format(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) + ".0" : String(rounded)
    }
}
