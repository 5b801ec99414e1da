import AudioIO
import Foundation
import PsoasTestSupport
import SystemIO
import Testing

/// What `psoas export -o` does with what is already at the path (devices, FIFOs, links,
/// modes), with interruptions, with outputs that cannot all be written, and with readers
/// that go away.
@Suite struct ExportTargetTests {
    let short = sessionFixture("short.yaml")

    func temporaryFolder() throws -> URL { try makeTemporaryFolder("psoas-target") }

    func contents(of folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    func fileType(_ path: String) -> mode_t? {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : nil
    }

    /// Starts psoas with its own settings folders; stderr goes to `errors` (when given).
    func start(_ arguments: [String], standardOutput: Int32? = nil, errors: Pipe? = nil) throws -> ChildProcess {
        let child = try ChildProcess(psoasExecutable.path, arguments, environment: psoasEnvironment([:]),
                                     standardOutput: standardOutput,
                                     standardError: errors?.fileHandleForWriting.fileDescriptor)
        try errors?.fileHandleForWriting.close()
        return child
    }

    /// Reads the FIFO at `path` while `child` writes it: everything until the child has
    /// exited, or only the first `limit` bytes (then the reader closes). Never blocks on a
    /// writer that does not come.
    func readFIFO(_ path: String, while child: ChildProcess, limit: Int = .max) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK)
        try #require(fd >= 0)
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let deadline = Date().addingTimeInterval(TimeLimit.allowing(60))
        while bytes.count < limit, Date() < deadline {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, min($0.count, limit - bytes.count)) }
            if count > 0 {
                bytes += buffer[0..<count]
            } else if count == 0, !child.isRunning {
                break
            } else {
                usleep(1_000)
            }
        }
        return bytes
    }

    // MARK: - What is at the path

    @Test(.enabled(if: getuid() == 0, "mknod needs root"))
    func aCharacterDeviceIsWrittenThroughNotReplaced() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let device = folder.appendingPathComponent("null").path
        // A null device (major 1, minor 3) of this folder's own, never the system's.
        try #require(mknod(device, S_IFCHR | 0o666, dev_t((1 << 8) | 3)) == 0)
        for format in ["wav", "raw"] {
            let result = try runPsoas(["export", short, "-o", device, "--format", format])
            #expect(result.status == 0, "\(format): \(result.stderr)")
            #expect(fileType(device) == S_IFCHR, "\(format): the device was replaced")
        }
        #expect(try contents(of: folder) == ["null"])
    }

    @Test func aFIFOsReaderGetsTheSameBytesAsAFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("file.raw").path
        #expect(try runPsoas(["export", short, "-o", file]).status == 0)
        let fifo = folder.appendingPathComponent("fifo.raw").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let child = try start(["export", short, "-o", fifo])
        let received = try readFIFO(fifo, while: child)
        #expect(child.wait(timeout: TimeLimit.allowing(30)) == 0)
        #expect(received == [UInt8](try Data(contentsOf: URL(fileURLWithPath: file))), "\(received.count) bytes")
        #expect(fileType(fifo) == S_IFIFO)
    }

    @Test func aFIFOTakesRawOnlyAndSaysSo() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("fifo.wav").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let result = try runPsoas(["export", short, "-o", fifo])
        #expect(result.status == 73)
        #expect(result.stderr == "error: cannot write \(fifo): it is a FIFO, which cannot seek back to finish the file; use --format raw\n")
        #expect(fileType(fifo) == S_IFIFO)
    }

    @Test func aSymlinksTargetIsReplacedAndTheLinkStays() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = folder.appendingPathComponent("reference.wav").path
        #expect(try runPsoas(["export", short, "-o", reference]).status == 0)
        let target = folder.appendingPathComponent("target.wav").path
        _ = FileManager.default.createFile(atPath: target, contents: Data("the previous export".utf8))
        let link = folder.appendingPathComponent("link.wav").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: "target.wav")
        let result = try runPsoas(["export", short, "-o", link])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(fileType(link) == S_IFLNK)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == "target.wav")
        #expect(try Data(contentsOf: URL(fileURLWithPath: target)) == Data(contentsOf: URL(fileURLWithPath: reference)))
        #expect(try contents(of: folder) == ["link.wav", "reference.wav", "target.wav"])
    }

    @Test func anExistingFileKeepsItsModeAndANewOneGetsTheUmasks() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let existing = folder.appendingPathComponent("existing.wav").path
        _ = FileManager.default.createFile(atPath: existing, contents: Data("x".utf8))
        try #require(chmod(existing, 0o640) == 0)
        #expect(try runPsoas(["export", short, "-o", existing]).status == 0)
        let fresh = folder.appendingPathComponent("new.wav").path
        #expect(try runPsoas(["export", short, "-o", fresh]).status == 0)
        // The umask psoas inherits from this process, read without changing it.
        let status = try String(contentsOfFile: "/proc/self/status", encoding: .utf8)
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix("Umask:") })
        let umask = try #require(mode_t(line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces), radix: 8))
        func mode(_ path: String) -> mode_t {
            var info = stat()
            return stat(path, &info) == 0 ? info.st_mode & 0o7777 : 0
        }
        #expect(String(mode(existing), radix: 8) == "640")
        #expect(String(mode(fresh), radix: 8) == String(0o666 & ~umask, radix: 8))
    }

    // MARK: - Interruptions and partial failures

    @Test func aKilledExportLeavesNothingInTheFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let output = folder.appendingPathComponent("out.wav").path
        // 7½ minutes (43 MB): long enough to be caught writing.
        let child = try start(["export", "psoas-kurz", "-o", output])
        var writing = false
        let deadline = Date().addingTimeInterval(TimeLimit.allowing(30))
        while !writing, child.isRunning, Date() < deadline {
            let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(child.pid)/fd")) ?? []
            writing = descriptors.contains { name in
                let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(child.pid)/fd/\(name)")
                return target?.hasPrefix(folder.path + "/") == true
            }
            if !writing { usleep(500) }
        }
        child.signal(SIGKILL)
        #expect(child.wait(timeout: 10) == 128 + SIGKILL)
        try #require(writing, "the export was not seen writing into the folder")
        #expect(try contents(of: folder).isEmpty)
    }

    @Test func captionsThatCannotBeWrittenLeaveNoAudio() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let audio = folder.appendingPathComponent("cap.wav").path
        let captions = folder.appendingPathComponent("missing/c.vtt").path
        let result = try runPsoas(["export", short, "-o", audio, "--captions", captions])
        #expect(result.status == 73)
        #expect(result.stderr == "error: cannot create \(captions): \(folder.path)/missing does not exist\n")
        #expect(try contents(of: folder).isEmpty)
        // An existing audio file stays as it was.
        let previous = Data("the previous export".utf8)
        _ = FileManager.default.createFile(atPath: audio, contents: previous)
        #expect(try runPsoas(["export", short, "-o", audio, "--captions", captions]).status == 73)
        #expect(try Data(contentsOf: URL(fileURLWithPath: audio)) == previous)
        #expect(try contents(of: folder) == ["cap.wav"])
    }

    @Test func audioThatCannotBeWrittenLeavesNoCaptions() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let captions = folder.appendingPathComponent("c.vtt").path
        let fifo = folder.appendingPathComponent("fifo.wav").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let result = try runPsoas(["export", short, "-o", fifo, "--captions", captions])
        #expect(result.status == 73, "\(result.stderr)")
        #expect(try contents(of: folder) == ["fifo.wav"])
    }

    /// `/dev/stdout` (a link to the pipe psoas writes to) is written through, as `-` is.
    @Test func devStdoutOnAPipeIsWrittenThrough() throws {
        let throughLink = try runPsoas(["export", short, "-o", "/dev/stdout", "--format", "raw"])
        #expect(throughLink.status == 0, "\(throughLink.stderr)")
        let dash = try runPsoas(["export", short, "-o", "-", "--format", "raw"])
        #expect(throughLink.stdoutData.count > 48_000)
        #expect(throughLink.stdoutData == dash.stdoutData)
    }

    // MARK: - Readers that go away

    @Test func aClosedStandardOutputEndsTheExportQuietlyWith141() throws {
        let output = Pipe()
        let errors = Pipe()
        let child = try start(["export", short, "-o", "-", "--format", "raw"],
                              standardOutput: output.fileHandleForWriting.fileDescriptor, errors: errors)
        try output.fileHandleForWriting.close()
        var received = 0
        while received < 1000, let data = try output.fileHandleForReading.read(upToCount: 1000 - received), !data.isEmpty {
            received += data.count
        }
        try output.fileHandleForReading.close()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(received == 1000)
        #expect(child.wait(timeout: TimeLimit.allowing(30)) == 141)
        #expect(stderr == "")
    }

    @Test func aFIFOsReaderThatClosesEndsTheExportQuietlyWith141() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let fifo = folder.appendingPathComponent("fifo.raw").path
        try #require(mkfifo(fifo, 0o600) == 0)
        let errors = Pipe()
        let child = try start(["export", short, "-o", fifo], errors: errors)
        let received = try readFIFO(fifo, while: child, limit: 1000)
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(received.count == 1000)
        #expect(child.wait(timeout: TimeLimit.allowing(30)) == 141)
        #expect(stderr == "")
        #expect(try contents(of: folder) == ["fifo.raw"])
    }

    // MARK: - A failing fsync

    /// Runs a system tool; its exit status.
    func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// fsync fails for real on an ext4 filesystem (a loop-mounted image of this test's own)
    /// that has been shut down; the file must be closed all the same.
    @Test(.enabled(if: getuid() == 0 && FileManager.default.fileExists(atPath: "/dev/loop-control"),
                   "mounting a filesystem image needs root and loop devices"))
    func aFailingFsyncStillClosesTheFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let image = folder.appendingPathComponent("ext4.img").path
        let mountPoint = folder.appendingPathComponent("mnt").path
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: false)
        try #require(try run("/usr/bin/truncate", ["-s", "16M", image]) == 0)
        try #require(try run("/usr/sbin/mkfs.ext4", ["-q", "-F", image]) == 0)
        try #require(try run("/usr/bin/mount", ["-o", "loop", image, mountPoint]) == 0)
        // Lazily, so that a leaked descriptor cannot keep the image mounted.
        defer { _ = try? run("/usr/bin/umount", ["-l", mountPoint]) }
        let sink = try SoundFileSink(path: mountPoint + "/out.raw", format: .raw, sampleRate: 48_000, channelCount: 1,
                                     metadata: AudioMetadata(title: "", artist: "", comment: ""), cues: [])
        let samples = [Int16](repeating: 1000, count: 48_000)
        try samples.withUnsafeBufferPointer { buffer throws(OutputError) in try sink.write(buffer) }
        // FS_IOC_SHUTDOWN without flushing the log: from now on fsync fails with EIO.
        let root = open(mountPoint, O_RDONLY)
        try #require(root >= 0)
        var flags: UInt32 = 2
        let shutDown = ioctl(root, 0x8004_587D, &flags)
        close(root)
        try #require(shutDown == 0)
        #expect(throws: OutputError.self) { try sink.finish() }
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")
        let leaked = descriptors.filter { name in
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(name)")
            return target?.hasPrefix(mountPoint + "/") == true
        }
        #expect(leaked.isEmpty, "descriptors still open on the file: \(leaked)")
    }
}
