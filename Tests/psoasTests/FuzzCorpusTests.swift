import Foundation
import PsoasTestSupport
import Testing

/// Every input of the fuzz corpus (seeds and inputs that once crashed) goes through the loader
/// and planner again, without libFuzzer.
@Suite struct FuzzCorpusTests {
    @Test func theFuzzCorpusReplaysWithoutACrash() throws {
        let corpus = repositoryRoot.appendingPathComponent("Tests/Fuzz/corpus")
        let files = try FileManager.default.contentsOfDirectory(atPath: corpus.path).sorted().map { corpus.appendingPathComponent($0).path }
        #expect(files.count >= 10)
        let replay = psoasExecutable.deletingLastPathComponent().appendingPathComponent("PsoasFuzz")
        let process = Process()
        process.executableURL = replay
        process.arguments = files
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text == "replayed \(files.count) inputs\n")
    }
}
