import SessionKit
import Sound
import Timeline

/// A session loaded, checked and planned: what `plan`, `play` and `export` start from.
struct PlannedSession {
    let session: Session
    let source: SourceFile
    let manifest: CueManifest
    let pack: VoicePack
    /// The voice pack as the user named it, and the tones: for the log and the file's metadata.
    let voice: String
    let tones: ToneStyle
    let ambience: AmbienceStyle
    let timeline: Timeline

    /// Loads the session named `name` (a file or a built-in id) and plans it.
    /// - Throws: ``Failure`` or ``DiagnosticList`` with the documented exit codes.
    static func prepare(_ name: String, library: Library, overrides: SessionOverrides, voice: String,
                        options: PlanOptions) throws -> PlannedSession {
        let manifest = try library.manifest()
        let source = try library.source(at: library.sessionPath(for: name))
        let session = try SessionLoader(cues: manifest).load(source, overrides: overrides)
        let pack = try library.voicePack(voice, cues: manifest)
        reportFallback(pack, session: session)
        let timeline = try plan(session, source: source, manifest: manifest, pack: pack, voice: voice, options: options)
        return PlannedSession(session: session, source: source, manifest: manifest, pack: pack, voice: voice,
                              tones: options.tones, ambience: options.ambience, timeline: timeline)
    }

    /// Says which cues of `session` a pack speaks with another pack's clips.
    static func reportFallback(_ pack: VoicePack, session: Session) {
        let fallen = Set(pack.fallbackCues)
        let used = session.cueIDs.filter { fallen.contains($0) }
        guard !used.isEmpty, let other = pack.fallbackName else { return }
        Console.error("voice \(pack.manifest.name): \(used.count) cue\(used.count == 1 ? "" : "s") of \(session.id) fall back to \(other): \(used.joined(separator: ", "))")
    }

    /// Plans a session made in code (no file behind it).
    static func prepare(_ session: Session, library: Library, voice: String, options: PlanOptions) throws -> PlannedSession {
        let manifest = try library.manifest()
        let source = SourceFile(path: "<\(session.id)>", text: "")
        let pack = try library.voicePack(voice, cues: manifest)
        let timeline = try plan(session, source: source, manifest: manifest, pack: pack, voice: voice, options: options)
        return PlannedSession(session: session, source: source, manifest: manifest, pack: pack, voice: voice,
                              tones: options.tones, ambience: options.ambience, timeline: timeline)
    }

    /// Plans a loaded session; a timing problem becomes a diagnostic in the session's file,
    /// unless a clip of the pack (not the built-in one) is too long: then the error names the
    /// pack, the clip and what to do.
    /// - Parameter voice: the pack as the user named it.
    static func plan(_ session: Session, source: SourceFile, manifest: CueManifest, pack: VoicePack,
                     voice: String, options: PlanOptions) throws -> Timeline {
        let durations: [String: Int64]
        do {
            durations = try pack.clipDurations(at: options.sampleRate)
        } catch {
            throw Failure(packError: error)
        }
        do {
            return try Planner(options: options, manifest: manifest, clipDurations: durations).plan(session)
        } catch {
            if let failure = tooLongClips(session, pack: pack, voice: voice, durations: durations, manifest: manifest,
                                          rate: options.sampleRate) {
                throw failure
            }
            throw DiagnosticList([Diagnostic(path: source.path, location: error.location, message: error.message)],
                                 source: source.text)
        }
    }

    /// The error for the clips of `pack`'s own that are too long for `session`, if any are.
    static func tooLongClips(_ session: Session, pack: VoicePack, voice: String, durations: [String: Int64],
                             manifest: CueManifest, rate: Int) -> Failure? {
        guard pack.manifest.name != Library.builtinVoice else { return nil }
        let own = Set(pack.clipPaths.keys).subtracting(pack.fallbackCues)
        let misfits = PackCheck.tooLong(own, durations: durations, manifest: manifest,
                                        sessions: [(session.id, session)], rate: rate)
        guard !misfits.isEmpty else { return nil }
        let recordable = Library.problemWithPackName(voice) == nil
        let lines = misfits.map { misfit in
            let cue = misfit.fit.cue
            let again = recordable ? "record it again shorter with 'psoas voice record \(voice) --cue \(cue)'"
                : "record it again shorter"
            let breath = misfit.fit.isOnTheBreath ? ", or use a slower --breath" : ""
            return "error: voice pack '\(voice)': \(pack.clipPaths[cue] ?? cue) is too long: \(misfit)\n\(again)\(breath)"
        }
        return .data(lines.joined(separator: "\n"))
    }
}
