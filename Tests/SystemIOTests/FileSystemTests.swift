import Foundation
import SystemIO
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite struct FileSystemTests {
    /// A new empty folder of the test's own.
    func makeFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("psoas-filesystem-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
        return folder.path
    }

    @Test func createFolderMakesTheMissingFoldersAndAcceptsOnesThatExist() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileSystem.createFolder(folder + "/a/b/c", permissions: 0o700)
        try FileSystem.createFolder(folder + "/a/b/c", permissions: 0o700)
        #expect(try FileStatus(path: folder + "/a/b/c").kind == .directory)
        #expect(try FileSystem.names(inFolder: folder + "/a") == ["b"])
    }

    @Test func createFolderFailsWhereAFileStandsInTheWay() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: folder + "/file"))
        #expect(throws: Errno.fileExists) { try FileSystem.createFolder(folder + "/file/sub", permissions: 0o700) }
        #expect(throws: Errno.fileExists) { try FileSystem.createFolder(folder + "/file", permissions: 0o700) }
    }

    @Test func aUniqueFileIsRenamedOverAnotherAndRemoved() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data("old".utf8).write(to: URL(fileURLWithPath: folder + "/entry"))
        let (file, path) = try FileDescriptor.createUnique(inFolder: folder, prefix: ".entry.")
        #expect(path.hasPrefix(folder + "/.entry.") && path.count == folder.count + 14, "\(path)")
        try Array("new!".utf8).withUnsafeBytes { try file.write(all: $0) }
        #expect(try file.status().size == 4)
        #expect(try file.status().kind == .regular)
        try file.close()
        let temporaryName = String(path.dropFirst(folder.count + 1))
        #expect(try FileSystem.names(inFolder: folder).sorted() == [temporaryName, "entry"].sorted())
        let before = try FileStatus(path: folder + "/entry")
        try FileSystem.rename(path, to: folder + "/entry")
        let after = try FileStatus(path: folder + "/entry")
        #expect(try String(contentsOfFile: folder + "/entry", encoding: .utf8) == "new!")
        #expect(after.inode != before.inode)
        #expect(try FileSystem.names(inFolder: folder) == ["entry"])
        try FileSystem.remove(folder + "/entry")
        #expect(throws: Errno(rawValue: ENOENT)) { try FileStatus(path: folder + "/entry") }
    }

    @Test func aTouchedFileHasTheTimeOfNow() throws {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/old"
        try Data("x".utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000_000.25)], ofItemAtPath: path)
        #expect(try FileStatus(path: path).modificationNanoseconds == 1_000_000_000_250_000_000)
        let file = try FileDescriptor.open(path, .readOnly)
        defer { try? file.close() }
        try file.touch()
        let touched = try FileStatus(path: path).modificationNanoseconds
        #expect(abs(touched - WallClock.nowNanoseconds()) < 5_000_000_000, "\(touched)")
    }
}
