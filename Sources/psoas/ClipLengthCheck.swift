import AudioIO
import SessionKit
import Sound

/// Checks new clips for a pack of the user's against every use of their cues in the built-in
/// sessions (at their defaults and at each level), before they are saved.
///
/// The other cues keep the lengths play would use: the pack's own clips, else the built-in
/// pack's.
struct ClipLengthCheck {
    let manifest: CueManifest
    let sessions: [(label: String, session: Session)]
    /// Every cue's clip length at ``PackCheck/checkRate``, without the clips being replaced.
    let lengths: [String: Int64]

    /// - Parameter replacing: the cues new clips are checked for; the pack's present clips of
    ///   these are left out (they are about to be replaced, and may be what is being fixed).
    init(pack name: String, replacing: Set<String>, library: Library, manifest: CueManifest) throws {
        self.manifest = manifest
        sessions = try library.builtinVariants(manifest: manifest)
        let builtin: VoicePack
        do {
            builtin = try VoicePack.open(directory: library.voiceDirectory(Library.builtinVoice), cues: manifest)
        } catch {
            throw Failure(packError: error)
        }
        // A broken clip of the pack's is for `voice check` to report, not a reason to refuse new
        // clips: where a span lies does not depend on the other cues' lengths.
        if var own = try? VoicePack.open(directory: Library.userVoicesDirectory + "/" + name, cues: manifest) {
            own.clipPaths = own.clipPaths.filter { !replacing.contains($0.key) }
            if let merged = try? own.fallingBack(to: builtin).clipDurations(at: PackCheck.checkRate) {
                lengths = merged
                return
            }
        }
        do {
            lengths = try builtin.clipDurations(at: PackCheck.checkRate)
        } catch {
            throw Failure(packError: error)
        }
    }

    /// The new clips (by cue) that are too long for a use of their cue, each with its worst use.
    func tooLong(_ clips: [String: MonoAudio]) -> [PackCheck.Misfit] {
        var all = lengths
        for (cue, audio) in clips { all[cue] = Self.frames(audio) }
        return PackCheck.tooLong(Set(clips.keys), durations: all, manifest: manifest, sessions: sessions)
    }

    /// The length of `audio` at ``PackCheck/checkRate``, rounded up like a clip file's.
    static func frames(_ audio: MonoAudio) -> Int64 {
        let count = Int64(audio.samples.count)
        let rate = Int64(PackCheck.checkRate), own = Int64(audio.sampleRate)
        return own == rate ? count : (count * rate + own - 1) / own
    }
}
