// swift-tools-version: 6.1
import PackageDescription

/// Targets optimised in debug builds too:
/// - the real-time path (the engine's `render`, in Sound and Player): unoptimised generic code
///   allocates (at -Onone a loop over a `Range<Int32>` allocates once per iteration, a call of
///   `partitionPoint` three times), and the audio thread must not; PlayerTests'
///   RenderAllocationTests count the allocations of `render`;
/// - PsoasTestSupport and the test targets that render and compare whole sessions sample by
///   sample (SoundTests, PlayerTests, BreathSensingTests): at -Onone each step of a `zip` or
///   `enumerated()` over a million samples looks up generic metadata, and SoundTests alone
///   took six minutes of both cores.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O"])]

/// How a release psoas is linked: by lld, with packed relative relocations (DT_RELR, glibc
/// 2.36), so that the dynamic loader reads a few kilobytes of relocations at start instead of the
/// 2 MB of 86 000 RELA entries that the statically linked Swift runtime and Foundation need
/// (Scripts/build-release links those statically). Gold, the toolchain's default, cannot pack them.
let releaseLinking: [LinkerSetting] = [
    .unsafeFlags(["-use-ld=lld", "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs"],
                 .when(platforms: [.linux], configuration: .release)),
]

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
        // MARK: - C libraries (only AudioIO, SystemIO and MediaBus import these)
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
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // The MPRIS object's sd-bus vtables: built with C macros that do not import into Swift.
        .target(name: "CMediaPlayer", dependencies: ["CSystemd"]),

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
        // Breath phases from a microphone's samples (pure: no system, no other module).
        .target(name: "BreathSensing"),
        // Descriptors, errno, poll, sockets, terminal, signals, files.
        .target(
            name: "SystemIO",
            dependencies: ["CFileIO"]
        ),
        // The D-Bus session bus (sd-bus) and the MPRIS object on it.
        .target(
            name: "MediaBus",
            dependencies: ["CSystemd", "CMediaPlayer", "SystemIO"]
        ),
        // The audio libraries: ALSA, libsndfile, libsamplerate, libebur128.
        .target(
            name: "AudioIO",
            dependencies: ["CAlsa", "CSndfile", "CSamplerate", "CEbur128", "SystemIO"]
        ),
        .target(
            name: "Sound",
            dependencies: ["Planning", "AudioIO", "SystemIO", "SessionKit"],
            swiftSettings: optimised
        ),

        .target(
            name: "Player",
            dependencies: ["Sound", "AudioIO", "BreathSensing", "SystemIO", "MediaBus", "Planning", "SessionKit", "JSONText"],
            swiftSettings: optimised
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
            ],
            linkerSettings: releaseLinking
        ),

        // MARK: - Fuzzing (Scripts/fuzz builds it with libFuzzer)
        .executableTarget(
            name: "PsoasFuzz",
            dependencies: ["SessionKit", "Planning"]
        ),

        // MARK: - Tests
        // Counts one thread's heap allocations (it replaces malloc and its kin in the test process).
        .target(name: "CAllocationCounter"),
        .target(
            name: "PsoasTestSupport",
            dependencies: ["SystemIO", "CSpawn", "BreathSensing"],
            // Its measurements walk whole sessions sample by sample.
            swiftSettings: optimised
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
            dependencies: ["Sound", "Planning", "SessionKit", "AudioIO", "PsoasTestSupport",
                           .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: optimised
        ),
        .testTarget(
            name: "BreathSensingTests",
            dependencies: ["BreathSensing", "Sound", "Planning", "SessionKit", "PsoasTestSupport"],
            swiftSettings: optimised
        ),
        .testTarget(
            name: "SystemIOTests",
            dependencies: ["SystemIO"]
        ),
        .testTarget(
            name: "PlayerTests",
            dependencies: ["Player", "Sound", "Planning", "SessionKit", "AudioIO", "SystemIO", "PsoasTestSupport", "CAllocationCounter", "BreathSensing"],
            swiftSettings: optimised
        ),
        .testTarget(
            name: "PracticeLogTests",
            dependencies: ["PracticeLog", "PsoasTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
                           .product(name: "PropertyBased", package: "swift-property-based")]
        ),
        .testTarget(
            name: "psoasTests",
            dependencies: [
                "PsoasTestSupport", "psoas", "AudioIO", "SystemIO", "PsoasFuzz",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["Snapshots", "Sessions"]
        ),
    ]
)
