import AudioIO
import SessionKit
import SystemIO

/// A folder with one recorded clip per cue id (`<id>.flac`) and a `pack.yaml`.
public struct VoicePack: Sendable {
    public var directory: String
    public var manifest: PackManifest
    /// Clip files by cue id.
    public var clipPaths: [String: String]
    /// Cues whose clips come from another pack because this one has none, sorted.
    public var fallbackCues: [String] = []
    /// The pack those clips come from.
    public var fallbackName: String?

    /// What can go wrong opening a pack, in words for the user (exit 65 or 66).
    public enum LoadError: Error, Sendable {
        case missing(String)
        case invalid(DiagnosticList)
        case badClip(cue: String, AudioIOError)
    }

    /// Opens the pack in `directory` and finds a clip for each cue of `manifest`.
    /// - Throws: ``LoadError``.
    public static func open(directory: String, cues: CueManifest) throws(LoadError) -> VoicePack {
        let packPath = directory + "/pack.yaml"
        guard let bytes = FileBytes.read(path: packPath) else { throw .missing(packPath) }
        let manifest: PackManifest
        do {
            manifest = try PackManifest.load(SourceFile(path: packPath, bytes: bytes))
        } catch {
            throw .invalid(error)
        }
        var clips: [String: String] = [:]
        for id in cues.ids {
            let path = "\(directory)/\(id).\(manifest.format)"
            if FileBytes.exists(path: path) { clips[id] = path }
        }
        return VoicePack(directory: directory, manifest: manifest, clipPaths: clips)
    }

    /// This pack with the clips it lacks taken from `other` (the built-in pack).
    public func fallingBack(to other: VoicePack) -> VoicePack {
        var merged = self
        for (id, path) in other.clipPaths where merged.clipPaths[id] == nil {
            merged.clipPaths[id] = path
            merged.fallbackCues.append(id)
        }
        merged.fallbackCues.sort()
        merged.fallbackName = merged.fallbackCues.isEmpty ? nil : other.manifest.name
        return merged
    }

    /// The longest clip a pack may hold.
    public static let maximumClipSeconds = 60

    /// The length of every clip at `rate`, in frames, checking each clip's shape: audio,
    /// mono, not empty, not absurdly long.
    /// - Throws: ``LoadError/badClip(cue:_:)`` naming the cue and file.
    public func clipDurations(at rate: Int) throws(LoadError) -> [String: Int64] {
        var durations: [String: Int64] = [:]
        for (id, path) in clipPaths.sorted(by: { $0.key < $1.key }) {
            let info: SoundFileInfo
            do {
                info = try SoundFileInfo.read(path: path)
            } catch {
                throw .badClip(cue: id, error)
            }
            func bad(_ message: String) -> LoadError {
                .badClip(cue: id, AudioIOError(call: "check", subject: path, message: message))
            }
            guard info.frameCount > 0 else { throw bad("the clip holds no audio") }
            guard info.channelCount == 1 else { throw bad("the clip has \(info.channelCount) channels; pack clips are mono") }
            guard info.frameCount <= Int64(Self.maximumClipSeconds * info.sampleRate) else {
                throw bad("the clip lasts \(info.frameCount / Int64(max(1, info.sampleRate))) s; a cue may last at most \(Self.maximumClipSeconds) s")
            }
            durations[id] = info.frameCount(at: rate)
        }
        return durations
    }
}
