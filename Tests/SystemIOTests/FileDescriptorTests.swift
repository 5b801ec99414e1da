import Foundation
import SystemIO
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct FileDescriptorTests {
    /// A pipe of the test's own: (read end, write end).
    func makePipe() throws -> (FileDescriptor, FileDescriptor) {
        var ends: [Int32] = [-1, -1]
        try #require(pipe(&ends) == 0)
        return (FileDescriptor(rawValue: ends[0]), FileDescriptor(rawValue: ends[1]))
    }

    /// A new empty folder of the test's own.
    func makeFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("psoas-systemio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        return folder.path
    }

    @Test func whatIsWrittenToAPipeIsReadFromIt() throws {
        let (readEnd, writeEnd) = try makePipe()
        defer { try? readEnd.close() }
        let text = Array("breathe in\n".utf8)
        try text.withUnsafeBytes { try writeEnd.write(all: $0) }
        try writeEnd.close()
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = try buffer.withUnsafeMutableBytes { try readEnd.read(into: $0) }
        #expect(Array(buffer[0..<count]) == text)
        let atEnd = try buffer.withUnsafeMutableBytes { try readEnd.read(into: $0) }
        #expect(atEnd == 0, "the write end is closed: end of file")
    }

    @Test func aPipeCannotSeek() throws {
        let (readEnd, writeEnd) = try makePipe()
        defer {
            try? readEnd.close()
            try? writeEnd.close()
        }
        #expect(throws: Errno(rawValue: ESPIPE)) { try readEnd.seek(offset: 0, from: .current) }
    }

    @Test func writesAndReadsAtAbsoluteOffsetsOfAFile() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = try FileDescriptor.open(folder + "/data", .readWrite, options: [.create, .truncate], permissions: 0o600)
        defer { try? file.close() }
        try Array("0123456789".utf8).withUnsafeBytes { try file.write(all: $0) }
        let written = try Array("ab".utf8).withUnsafeBytes { try file.write(toAbsoluteOffset: 4, $0) }
        #expect(written == 2)
        var buffer = [UInt8](repeating: 0, count: 4)
        let count = try buffer.withUnsafeMutableBytes { try file.read(fromAbsoluteOffset: 3, into: $0) }
        #expect(count == 4)
        #expect(String(decoding: buffer, as: UTF8.self) == "3ab6")
        #expect(try file.seek(offset: 0, from: .end) == 10, "positional writes leave the size alone")
        try file.sync()
    }

    @Test func openingAMissingFileThrowsItsErrno() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: Errno(rawValue: ENOENT)) { try FileDescriptor.open(folder + "/missing", .readOnly) }
    }

    @Test func thePollerSeesAPipeReadableOnlyOnceSomethingIsWritten() throws {
        let (readEnd, writeEnd) = try makePipe()
        defer {
            try? readEnd.close()
            try? writeEnd.close()
        }
        #expect(Poller.readable([readEnd], timeout: 0).isEmpty)
        try [UInt8(1)].withUnsafeBytes { try writeEnd.write(all: $0) }
        #expect(Poller.readable([readEnd, writeEnd], timeout: 1000) == [readEnd])
    }
}
