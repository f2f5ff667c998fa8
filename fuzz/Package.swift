// swift-tools-version:6.0
// libFuzzer harnesses for the eqx front end and data loaders, kept out of the main package so `swift build`
// there is unaffected. Build and run: see README.md (or `make fuzz` at the top).
import PackageDescription

let loaders = ["FuzzIDX", "FuzzNPY", "FuzzNPZ", "FuzzSafeTensors", "FuzzCSV", "FuzzCIFAR", "FuzzGzip", "FuzzTar"]

let package = Package(
    name: "eqx-fuzz",
    dependencies: [.package(name: "eqx", path: "..")],
    targets: [
        // The libFuzzer driver and the checks every loader harness makes of a thrown error.
        .target(name: "FuzzSupport", dependencies: [.product(name: "EqxData", package: "eqx")]),
        .executableTarget(
            name: "EqxParserFuzz",
            dependencies: ["FuzzSupport", .product(name: "EqxSyntax", package: "eqx"), .product(name: "EqxIR", package: "eqx")]
        ),
    ] + loaders.map {
        .executableTarget(name: $0, dependencies: ["FuzzSupport", .product(name: "EqxData", package: "eqx")])
    },
    swiftLanguageModes: [.v5]
)
