import Foundation

/// What a run of the `psoas` binary printed and how it ended.
public struct CommandResult: Sendable {
    /// Standard output as bytes (for raw audio).
    public var stdoutData: Data
    /// Standard output as text, decoded when asked for (raw audio would take long to decode).
    public var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    public var stderr: String
    public var status: Int32
}

/// Runs the `psoas` binary built next to the test bundle.
///
/// - Parameters:
///   - arguments: the command line after `psoas`.
///   - environment: variables added to the test's own environment.
///   - standardInput: bytes for standard input, at most 64 KiB (`/dev/null` when `nil`).
/// - Returns: stdout, stderr and the exit status.
public func runPsoas(_ arguments: [String], environment: [String: String] = [:],
                     currentDirectory: String? = nil, standardInput: Data? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = psoasExecutable
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(psoasEnvironment(environment)) { _, new in new }
    if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    if let standardInput {
        // Written whole before the child starts (a pipe holds 64 KiB), so a child that exits
        // without reading can never make the write fail with SIGPIPE; closing the writing end
        // gives the child its end of file.
        precondition(standardInput.count <= 65_536, "runPsoas: standard input is limited to 64 KiB")
        let input = Pipe()
        try input.fileHandleForWriting.write(contentsOf: standardInput)
        try input.fileHandleForWriting.close()
        process.standardInput = input
    } else {
        process.standardInput = FileHandle.nullDevice
    }
    try process.run()
    // Read both pipes while the process runs so a full pipe never blocks it.
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return CommandResult(stdoutData: outData,
                         stderr: String(decoding: errData, as: UTF8.self),
                         status: process.terminationStatus)
}

/// What psoas runs with under test, on top of the test's own environment: the user's data,
/// settings and cache folders are replaced by a private folder of this test run (so no test
/// reads a user's `config.yaml`, writes to their practice log or fills their cache), then
/// `extra` is applied.
public func psoasEnvironment(_ extra: [String: String]) -> [String: String] {
    let home = privateHome.path
    return ["XDG_DATA_HOME": home + "/data", "XDG_CONFIG_HOME": home + "/config", "XDG_CACHE_HOME": home + "/cache"]
        .merging(extra) { _, new in new }
}

/// One folder per test run, removed when the run ends.
private let privateHome: URL = {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("psoas-tests-\(getpid())")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    atexit {
        try? FileManager.default.removeItem(at: FileManager.default.temporaryDirectory.appendingPathComponent("psoas-tests-\(getpid())"))
    }
    return folder
}()

/// The `psoas` binary in the build products folder of the running tests.
public var psoasExecutable: URL {
    let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    var folder = testBinary.deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = folder.appendingPathComponent("psoas")
        if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        folder = folder.deletingLastPathComponent()
    }
    return testBinary.deletingLastPathComponent().appendingPathComponent("psoas")
}

/// The repository's root folder (where `Package.swift` is).
public var repositoryRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// A new empty folder under the temporary directory; the caller removes it.
public func makeTemporaryFolder(_ prefix: String = "psoas-test") throws -> URL {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}

/// Wall-clock limits of the real-time tests.
///
/// The limits are those of the product build. A sanitizer makes every instruction of the
/// psoas binary slower and its exit much slower; `Scripts/test --sanitize=…` sets
/// `PSOAS_TEST_TIME_FACTOR` so that the same tests look for races and leaks without failing
/// on the instrumentation's own cost.
public enum TimeLimit {
    public static let factor: Double = {
        guard let text = ProcessInfo.processInfo.environment["PSOAS_TEST_TIME_FACTOR"], let value = Double(text),
              value >= 1 else { return 1 }
        return value
    }()

    /// `seconds`, widened by the factor of an instrumented build.
    public static func allowing(_ seconds: Double) -> Double { seconds * factor }
}

/// Runs sox with `arguments` (its chatter on stderr is dropped); returns its exit status.
@discardableResult
public func runSox(_ arguments: [String]) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sox")
    process.arguments = arguments
    process.standardError = FileHandle.nullDevice
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}
