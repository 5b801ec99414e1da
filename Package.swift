// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "psoas",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "psoas", targets: ["psoas"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        // MARK: - C libraries (only AudioIO and SystemIO import these)
        .systemLibrary(
            name: "CAlsa",
            pkgConfig: "alsa",
            providers: [.apt(["libasound2-dev"])]
        ),
        .systemLibrary(
            name: "CSndfile",
            pkgConfig: "sndfile",
            providers: [.apt(["libsndfile1-dev"])]
        ),
        .systemLibrary(name: "CFileIO"),
        .systemLibrary(name: "CSpawn"),
        .systemLibrary(
            name: "CSamplerate",
            pkgConfig: "samplerate",
            providers: [.apt(["libsamplerate0-dev"])]
        ),
        .systemLibrary(
            name: "CEbur128",
            pkgConfig: "libebur128",
            providers: [.apt(["libebur128-dev"])]
        ),

        // MARK: - Libraries
        .target(
            name: "SessionKit",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // JSON text written by hand, in a fixed key order: Timeline, Player and the commands all write it.
        .target(name: "JSONText"),
        .target(
            name: "Planning",
            dependencies: ["SessionKit", "JSONText"]
        ),
        // Descriptors, errno, poll, sockets, terminal, signals, files.
        .target(
            name: "SystemIO",
            dependencies: ["CFileIO"]
        ),
        // The audio libraries: ALSA, libsndfile, libsamplerate, libebur128.
        .target(
            name: "AudioIO",
            dependencies: ["CAlsa", "CSndfile", "CSamplerate", "CEbur128", "SystemIO"]
        ),
        .target(
            name: "Sound",
            dependencies: ["Planning", "AudioIO", "SystemIO", "SessionKit"]
        ),

        .target(
            name: "Player",
            dependencies: ["Sound", "AudioIO", "SystemIO", "Planning", "SessionKit", "JSONText"]
        ),

        .target(
            name: "PracticeLog",
            dependencies: [.product(name: "GRDB", package: "GRDB.swift")]
        ),

        // MARK: - Command line
        .executableTarget(
            name: "psoas",
            dependencies: [
                "SessionKit", "Planning", "Sound", "AudioIO", "SystemIO", "Player", "PracticeLog", "JSONText",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Fuzzing (Scripts/fuzz builds it with libFuzzer)
        .executableTarget(
            name: "PsoasFuzz",
            dependencies: ["SessionKit", "Planning"]
        ),

        // MARK: - Tests
        .target(
            name: "PsoasTestSupport",
            dependencies: ["SystemIO", "CSpawn"],
            // Its measurements walk whole sessions sample by sample: optimised even in debug builds.
            swiftSettings: [.unsafeFlags(["-O"])]
        ),
        .testTarget(
            name: "SessionKitTests",
            dependencies: ["SessionKit", "Planning", "PsoasTestSupport"],
            exclude: ["article-runs.txt"]
        ),
        .testTarget(
            name: "PlanningTests",
            dependencies: [
                "Planning", "SessionKit", "PsoasTestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "SoundTests",
            dependencies: ["Sound", "Planning", "SessionKit", "AudioIO", "PsoasTestSupport"]
        ),
        .testTarget(
            name: "SystemIOTests",
            dependencies: ["SystemIO"]
        ),
        .testTarget(
            name: "PlayerTests",
            dependencies: ["Player", "Sound", "Planning", "SessionKit", "AudioIO", "SystemIO", "PsoasTestSupport"]
        ),
        .testTarget(
            name: "PracticeLogTests",
            dependencies: ["PracticeLog", "PsoasTestSupport"]
        ),
        .testTarget(
            name: "psoasTests",
            dependencies: ["PsoasTestSupport", "psoas", "AudioIO", "SystemIO", "PsoasFuzz"],
            exclude: ["Snapshots", "Sessions"]
        ),
    ]
)
