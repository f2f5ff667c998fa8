// swift-tools-version:6.0
// eqx: a declarative language for experiments on how neural networks encode symmetries.
import PackageDescription

let fast: [SwiftSetting] = [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "eqx",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "eqx", targets: ["eqx"]),
        // The front end as a library, for tools outside this package (fuzz/ depends on it by path).
        .library(name: "EqxSyntax", targets: ["EqxSyntax"]),
        // The checker and the data loaders, for the fuzz targets in fuzz/.
        .library(name: "EqxIR", targets: ["EqxIR"]),
        .library(name: "EqxData", targets: ["EqxData"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
    ],
    targets: [
        // C libraries from Debian: libopenblas-dev, zlib1g-dev, libreadline-dev.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline", providers: [.apt(["libreadline-dev"])]),

        // Front end: no tensor runtime, so `eqx check` and `eqx fmt` need no BLAS.
        .target(name: "EqxSyntax"),
        .target(name: "EqxGroups"),
        .target(name: "EqxIR", dependencies: ["EqxSyntax", "EqxGroups"]),

        // Numerics. CEqxKernels: hand-written AVX2/FMA kernels with a portable C path chosen at run time.
        .target(name: "CEqxKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "EqxTensor", dependencies: ["CBLAS", "CEqxKernels"], swiftSettings: fast),
        // Parses untrusted files: built with every runtime check (no -Ounchecked).
        .target(name: "EqxData", dependencies: ["CZlib", .product(name: "Crypto", package: "swift-crypto")],
                resources: [.copy("Resources/digits.csv.gz")]),
        .target(name: "EqxNN", dependencies: ["EqxTensor", "EqxGroups", "EqxIR"], swiftSettings: fast),
        // Bounds-checked: these read caches and checkpoints and run the solvers; only the numeric kernels
        // (EqxTensor, EqxNN) are built -Ounchecked.
        .target(name: "EqxEvaluation", dependencies: ["EqxTensor", "EqxGroups", "EqxIR", "EqxNN", "EqxData"]),
        .target(name: "EqxTraining", dependencies: ["EqxTensor", "EqxGroups", "EqxIR", "EqxNN", "EqxData", "EqxEvaluation"]),
        .target(name: "EqxMerge", dependencies: ["EqxTensor", "EqxGroups", "EqxIR", "EqxNN", "EqxData", "EqxEvaluation"]),
        .target(name: "EqxRuntime", dependencies: ["EqxSyntax", "EqxIR", "EqxGroups", "EqxTensor", "EqxNN", "EqxEvaluation", "EqxTraining", "EqxMerge", "EqxData",
                                                   .product(name: "Crypto", package: "swift-crypto")]),
        // Sweeps as SLURM array jobs or a local process pool (units from EqxRuntime/Units).
        .target(name: "EqxCluster", dependencies: ["EqxRuntime", "EqxIR", "EqxSyntax", "EqxData"]),
        // Builds every bench network from eqx source through the checker, trainer and merger (as `eqx run`).
        .target(name: "EqxBench", dependencies: ["EqxSyntax", "EqxIR", "EqxGroups", "EqxTensor", "EqxNN", "EqxData", "EqxEvaluation", "EqxTraining",
                                                 "EqxMerge"],
                swiftSettings: fast),
        .target(name: "EqxREPL", dependencies: ["EqxSyntax", "EqxIR", "EqxGroups", "EqxNN", "EqxData", "EqxTraining", "EqxMerge",
                                                 "EqxRuntime", "CReadline"]),
        .executableTarget(name: "eqx", dependencies: [
            "EqxSyntax", "EqxIR", "EqxData", "EqxTraining", "EqxRuntime", "EqxREPL", "EqxBench", "EqxCluster",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        .testTarget(name: "EqxSyntaxTests", dependencies: ["EqxSyntax", "EqxTestSupport"], resources: [.copy("corpus")]),
        .testTarget(name: "EqxGroupsTests", dependencies: ["EqxGroups", "EqxTestSupport"]),
        .testTarget(name: "EqxIRTests", dependencies: ["EqxIR", "EqxSyntax", "EqxTestSupport"], resources: [.copy("corpus")]),
        .testTarget(name: "EqxTensorTests", dependencies: ["EqxTensor", "CBLAS", "CEqxKernels"]),
        .testTarget(name: "EqxDataTests", dependencies: ["EqxData", "EqxTestSupport"], exclude: ["crafted", "golden"]),
        .testTarget(name: "EqxNNTests", dependencies: ["EqxNN", "EqxTensor", "EqxGroups", "EqxIR", "EqxSyntax"]),
        .testTarget(name: "EqxTrainingTests", dependencies: ["EqxTraining", "EqxEvaluation", "EqxNN", "EqxData", "EqxGroups", "EqxIR", "EqxSyntax", "EqxTensor"]),
        .testTarget(name: "EqxMergeTests", dependencies: ["EqxMerge", "EqxNN", "EqxEvaluation", "EqxTraining", "EqxIR", "EqxSyntax", "EqxData",
                                                         "EqxGroups", "EqxTensor", "EqxTestSupport"]),
        .testTarget(name: "EqxRuntimeTests", dependencies: ["EqxRuntime", "EqxIR", "EqxSyntax", "EqxData", "EqxGroups", "EqxTensor",
                                                           "EqxEvaluation", "EqxTraining", "EqxNN", "EqxTestSupport"]),
        .testTarget(name: "EqxREPLTests", dependencies: ["EqxREPL", "EqxSyntax", "EqxTestSupport"]),
        .testTarget(name: "EqxCLITests", dependencies: ["EqxTestSupport"]),
        .testTarget(name: "EqxClusterTests", dependencies: ["EqxCluster", "EqxRuntime", "EqxIR", "EqxSyntax", "EqxTestSupport"]),
        // Test support only: locating and running the built `eqx` binary; a tiny seeded generator.
        .target(name: "EqxTestSupport", path: "Tests/EqxTestSupport"),
    ],
    swiftLanguageModes: [.v5]
)
