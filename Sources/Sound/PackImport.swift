import AudioIO
import SessionKit

/// Turns a folder of recordings named `<cue-id>.<wav|flac|ogg|mp3>` into voice-pack clips:
/// any rate and channel count in, 48 kHz mono at −18 LUFS out.
public enum PackImport {
    public static let extensions: Set<String> = ["wav", "flac", "ogg", "mp3"]

    /// A file that cannot be imported, and why.
    public struct Problem: Error, Sendable, CustomStringConvertible {
        public var file: String
        public var message: String
        public var description: String { "\(file): \(message)" }
    }

    /// Every file that cannot be imported.
    public struct Problems: Error, Sendable {
        public var all: [Problem]
    }

    /// A clip ready to be written.
    public struct Clip: Sendable {
        public var cue: String
        /// The recording's file name in its folder.
        public var file: String
        public var audio: MonoAudio
        public var loudness: Loudness
    }

    /// Reads and processes every file; nothing is written.
    /// - Parameter progress: told before each file is read: its number, the number of files, its cue id.
    /// - Returns: the clips, or every problem found (then nothing should be stored).
    public static func prepare(files: [String], folder: String, manifest: CueManifest,
                               progress: ((_ number: Int, _ count: Int, _ cue: String) -> Void)? = nil) -> Result<[Clip], Problems> {
        var clips: [Clip] = []
        var problems: [Problem] = []
        for (index, file) in files.sorted().enumerated() {
            guard let dot = file.lastIndex(of: "."), extensions.contains(file[file.index(after: dot)...].lowercased()) else {
                problems.append(Problem(file: file, message: "not a clip: expected <cue-id>.wav, .flac, .ogg or .mp3"))
                continue
            }
            let cue = String(file[..<dot])
            guard manifest.text(for: cue) != nil else {
                problems.append(Problem(file: file, message: "'\(cue)' is not a cue id of the manifest (psoas voice cues lists them)"))
                continue
            }
            progress?(index + 1, files.count, cue)
            do {
                let (audio, loudness) = try ClipProcessor.prepare(SoundFileReader.readMono(path: folder + "/" + file))
                clips.append(Clip(cue: cue, file: file, audio: audio, loudness: loudness))
            } catch {
                problems.append(Problem(file: file, message: "not usable audio: \(error.message)"))
            }
        }
        return problems.isEmpty ? .success(clips) : .failure(Problems(all: problems))
    }
}
