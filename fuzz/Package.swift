// swift-tools-version:6.0
// libFuzzer harness for the eqx front end, kept out of the main package so `swift build` there is unaffected.
// Build and run: see README.md.
import PackageDescription

let package = Package(
    name: "eqx-fuzz",
    dependencies: [.package(name: "eqx", path: "..")],
    targets: [
        .executableTarget(
            name: "EqxParserFuzz",
            dependencies: [.product(name: "EqxSyntax", package: "eqx")]
        ),
    ],
    swiftLanguageModes: [.v5]
)
