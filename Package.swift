// swift-tools-version:6.0
import PackageDescription

// libclang-22 headers live outside the default search path (Debian's libclang-22-dev).
// Release builds also reach generic types' metadata through accessor functions instead of
// demangling their names at first use, and drop runtime exclusivity checks: a compile is
// a short process, and both showed up in its profile (Docs/Benchmark.md). They also let
// the optimizer specialize and inline one module's generic code in another (the stages
// are separate modules): the own stages run 6–7 % fewer instructions. Debug builds, which
// run the tests, keep the checks.
let clangInclude: [SwiftSetting] = [
    .unsafeFlags(["-Xcc", "-I/usr/lib/llvm-22/include"]),
    .unsafeFlags(["-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors", "-enforce-exclusivity=unchecked", "-cross-module-optimization"],
                 .when(configuration: .release)),
]

let package = Package(
    name: "swift-bpfcc",
    products: [
        .executable(name: "swift-bpfcc", targets: ["swift-bpfcc"]),
        .executable(name: "bpfcc-bench", targets: ["bpfcc-bench"]),
    ],
    targets: [
        .systemLibrary(name: "CClang", path: "Sources/CClang"),
        // malloc.h (mallopt), which the Glibc module does not offer.
        .systemLibrary(name: "CSystem", path: "Sources/CSystem"),
        .target(name: "BPFFrontend", dependencies: ["CClang", "CSystem"], swiftSettings: clangInclude),
        .target(name: "BPFIR", swiftSettings: clangInclude),
        .target(name: "BPFLower", dependencies: ["BPFFrontend", "BPFIR"], swiftSettings: clangInclude),
        .target(name: "BPFCodegen", dependencies: ["BPFIR"], swiftSettings: clangInclude),
        .target(name: "BTF", dependencies: ["BPFFrontend"], swiftSettings: clangInclude),
        .target(name: "BPFELF", swiftSettings: clangInclude),
        .target(name: "BPFDriver",
                dependencies: ["BPFFrontend", "BPFIR", "BPFLower", "BPFCodegen", "BTF", "BPFELF"],
                swiftSettings: clangInclude),
        // Release builds link the Swift runtime in statically: a compile starts sooner (no
        // dynamic symbol binding of libswiftCore at every process start). The compiler
        // uses no Foundation (see System in BPFFrontend). Its own imports (libclang's and
        // libc's functions, some 140) are bound when it starts (`-z now`) rather than at
        // each one's first call inside the stages: the same work, done once up front (AST
        // conversion −10 ms over the corpus, wall time unchanged; Docs/Benchmark.md).
        // Not in debug builds: the flags would reach the test bundles, which need the
        // dynamic Testing and XCTest libraries.
        .executableTarget(name: "swift-bpfcc", dependencies: ["BPFDriver", "BPFFrontend"], swiftSettings: clangInclude,
                          linkerSettings: [.unsafeFlags(["-static-stdlib", "-Xlinker", "-z", "-Xlinker", "now"], .when(configuration: .release))]),
        // The benchmark command: compares swift-bpfcc with clang-22 (see Docs/Benchmark.md).
        .executableTarget(name: "bpfcc-bench"),
        .testTarget(name: "BPFFrontendTests", dependencies: ["BPFFrontend", "TestSupport"], swiftSettings: clangInclude),
        .testTarget(name: "BPFCodegenTests", dependencies: ["BPFCodegen", "BPFIR", "TestSupport"], swiftSettings: clangInclude),
        // Tool runners shared by the unit-test targets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "BTFTests", dependencies: ["BTF", "BPFFrontend", "TestSupport"], swiftSettings: clangInclude),
        .testTarget(name: "BPFELFTests", dependencies: ["BPFELF", "TestSupport"], swiftSettings: clangInclude),
        .testTarget(name: "BPFDriverTests", dependencies: ["BPFDriver"], swiftSettings: clangInclude),
        .testTarget(name: "TestsuiteTests", dependencies: ["swift-bpfcc"], swiftSettings: clangInclude),
    ],
    swiftLanguageModes: [.v5]
)
