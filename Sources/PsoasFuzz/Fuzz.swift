import SessionKit
import Planning

/// The fuzz target: any bytes through the settings reader, then the session loader (with what
/// the same bytes set as settings, if anything) and, when they load, the planner. Nothing may
/// crash, hang or grow without bound; every problem must be a diagnostic.
enum Fuzz {
    static let cueIDs = ["intro", "sink.exhale", "hold.start", "hold.countdown", "locate.left", "locate.right",
                         "tense", "relax", "tool.place", "move.out", "move.back"]
    static let manifest = CueManifest(path: "fuzz.yaml", entries: cueIDs.map { ($0, "Text.") })
    static let clips = Dictionary(uniqueKeysWithValues: cueIDs.map { ($0, Int64(48_000)) })

    static func run(_ bytes: [UInt8]) {
        guard let file = try? SourceFile(path: "fuzz.yaml", bytes: bytes) else { return }
        let settings = try? Settings.load(file)
        let overrides = SessionOverrides(values: settings?.parameters ?? [], breath: settings?.breath)
        guard let session = try? SessionLoader(cues: manifest).load(file, overrides: overrides) else { return }
        _ = try? Planner(options: PlanOptions(), manifest: manifest, clipDurations: clips).plan(session)
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    Fuzz.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#if PSOAS_FUZZ
/// libFuzzer's driver (linked by `-sanitize=fuzzer`).
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<Int32>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32) -> Int32

/// SwiftPM names an executable's entry point after its module; hand it to libFuzzer.
@_cdecl("PsoasFuzz_main")
func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}
#else
import Foundation

/// Without libFuzzer: replays the files named on the command line (a corpus, a crash).
@main
struct Replay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            Fuzz.run([UInt8](data))
        }
        print("replayed \(CommandLine.arguments.count - 1) inputs")
    }
}
#endif
