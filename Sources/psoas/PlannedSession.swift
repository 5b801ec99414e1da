import SessionKit
import Sound
import Planning

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
    /// - Throws: ``Failure`` or ``DiagnosticList`` with the documented exit codes; a problem
    ///   the session has only with a value of the command line or the settings is theirs
    ///   (``OverrideError``).
    /// - Parameter reportingFallback: whether to say which cues the pack speaks with another's clips.
    static func prepare(_ name: String, library: Library, overrides: SessionOverrides, voice: String,
                        options: PlanOptions, reportingFallback: Bool = true) throws -> PlannedSession {
        let manifest = try library.manifest()
        let source = try library.source(at: library.sessionPath(for: name))
        let loader = SessionLoader(cues: manifest)
        let session: Session
        do {
            session = try loader.load(source, overrides: overrides)
        } catch let list as DiagnosticList {
            throw blame(list, overrides: overrides) { _ = try loader.load(source, overrides: $0) }
        }
        let pack = try library.voicePack(voice, cues: manifest)
        if reportingFallback { reportFallback(pack, session: session) }
        let timeline: Timeline
        do {
            timeline = try plan(session, source: source, manifest: manifest, pack: pack, voice: voice, options: options)
        } catch let list as DiagnosticList {
            throw blame(list, overrides: overrides) {
                _ = try plan(try loader.load(source, overrides: $0), source: source, manifest: manifest, pack: pack,
                             voice: voice, options: options)
            }
        }
        return PlannedSession(session: session, source: source, manifest: manifest, pack: pack, voice: voice,
                              tones: options.tones, ambience: options.ambience, timeline: timeline)
    }

    /// The error for `list`, a problem found in the session file: when the session is fine
    /// without the command line's values, theirs (a usage error naming them); else, when it is
    /// fine without one of the settings', that value's at its place in the settings file; else `list`.
    /// - Parameter attempt: loads (and plans) the session with other overrides.
    static func blame(_ list: DiagnosticList, overrides: SessionOverrides,
                      attempt: (SessionOverrides) throws -> Void) -> Error {
        guard let message = list.diagnostics.first?.message else { return list }
        func fine(without removed: [SessionOverrides.Value]) -> Bool {
            (try? attempt(overrides.removing(removed))) != nil
        }
        let commandLine = overrides.sources.filter { $0.place == nil }
        if !commandLine.isEmpty, fine(without: commandLine) {
            return OverrideError(message: commandLine.map(\.given).joined(separator: " ") + ": " + message)
        }
        for value in overrides.sources where value.place != nil && fine(without: [value]) {
            return OverrideError(message: value.given + ": " + message, place: value.place)
        }
        return list
    }

    /// Says which cues of `session` a pack speaks with another pack's clips.
    static func reportFallback(_ pack: VoicePack, session: Session) {
        let fallen = Set(pack.fallbackCues)
        let used = session.cueIDs.filter { fallen.contains($0) }
        guard !used.isEmpty, let other = pack.fallbackName else { return }
        Console.notice("voice \(pack.manifest.name): \(used.count) cue\(used.count == 1 ? "" : "s") of \(session.id) fall back to \(other): \(used.joined(separator: ", "))")
    }

    /// Plans a session made in code (no file behind it) from the command line's values.
    /// - Parameter given: those values as given (`--cycles 10000`): a problem is theirs.
    static func prepare(_ session: Session, given: String, library: Library, voice: String,
                        options: PlanOptions) throws -> PlannedSession {
        let manifest = try library.manifest()
        let source = SourceFile(path: "<\(session.id)>", text: "")
        let pack = try library.voicePack(voice, cues: manifest)
        let timeline: Timeline
        do {
            timeline = try plan(session, source: source, manifest: manifest, pack: pack, voice: voice, options: options)
        } catch let list as DiagnosticList {
            throw OverrideError(message: given + ": " + (list.diagnostics.first?.message ?? ""))
        }
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
            return "voice pack '\(voice)': \(pack.clipPaths[cue] ?? cue) is too long: \(misfit)\n\(again)\(breath)"
        }
        return Failure(problems: lines, code: .dataError)
    }
}
