extension Psoas {
    /// psoas's version, the one place it is written: `psoas --version` prints it, and
    /// `Scripts/package` reads it from this line for the Debian package's version.
    static let version = "0.1.0"
}
