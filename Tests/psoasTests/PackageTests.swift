import Foundation
import PsoasTestSupport
import Testing

/// The Debian package (Scripts/package) takes its version from the one place psoas's is
/// written. What the package holds is checked by `Scripts/package --check`: it needs a static
/// release build, minutes too long for this suite.
@Suite struct PackageTests {
    /// Runs a script of the repository's `Scripts/` folder and returns its standard output.
    func runScript(_ name: String, _ arguments: [String]) throws -> (stdout: String, status: Int32) {
        let process = Process()
        process.executableURL = repositoryRoot.appendingPathComponent("Scripts/" + name)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }

    @Test func thePackageVersionIsTheOnePsoasPrints() throws {
        let psoas = try runPsoas(["--version"])
        #expect(psoas.status == 0, "\(psoas.stderr)")
        let version = psoas.stdout.trimmingCharacters(in: .newlines)
        #expect(version.split(separator: ".").count == 3, "psoas --version printed '\(psoas.stdout)'")
        let package = try runScript("package", ["--version"])
        #expect(package.status == 0)
        #expect(package.stdout == "\(version)-1\n", "Scripts/package --version printed '\(package.stdout)'")
    }
}
