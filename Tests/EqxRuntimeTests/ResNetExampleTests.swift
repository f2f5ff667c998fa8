import EqxData
import Foundation
import XCTest
import EqxTestSupport

/// examples/resnets/*.eqx (ResNet-20 with layer norm, ResNet-18 with batch norm), as shipped, at their `# ci:`
/// scale on generated 3×32×32 data (no CIFAR-10 here): each definition with projection shortcuts checks,
/// trains, merges two nets and merges one with its mirror image, whose α = ½ point is flip-invariant to rounding.
final class ResNetExampleTests: XCTestCase {
    func testResNet20FlipSelfMergeIsInvariantAtOneHalf() throws { try runExample("resnet20_flip_merge") }
    func testResNet18FlipSelfMergeIsInvariantAtOneHalf() throws { try runExample("resnet18_flip_merge") }

    func runExample(_ name: String) throws {
        let dir = try temporaryDirectory(self, "eqx-\(name)")
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples/resnets/\(name).eqx")
        var text = try String(contentsOf: example, encoding: .utf8)
        XCTAssertTrue(text.contains("data images = cifar10\n"))
        text = text.replacingOccurrences(of: "data images = cifar10\n",
                                         with: "data images = npy(inputs: \"x.npy\", labels: \"y.npy\") {\n  split 0.8\n}\n")
        var rng = SplitMix64(seed: 20)
        let n = 320
        let pixels = (0..<(n * 3 * 32 * 32)).map { _ in Float(rng.next() >> 40) / Float(1 << 24) }
        try Data(NPY.encode(shape: [n, 3, 32, 32], values: pixels)).write(to: dir.appendingPathComponent("x.npy"))
        try Data(NPY.encode(shape: [n], values: (0..<n).map { Float($0 % 10) })).write(to: dir.appendingPathComponent("y.npy"))
        try text.write(to: dir.appendingPathComponent("resnet.eqx"), atomically: true, encoding: .utf8)
        let ci = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("# ci:") })
        let settings = ci.dropFirst("# ci:".count).split(separator: " ").map(String.init)
        let check = try eqx(["check", "resnet.eqx"] + settings, in: dir)
        XCTAssertEqual(check.status, 0, check.stderr)
        XCTAssertFalse(check.stderr.contains("W0501"), "every strided layer samples its grid symmetrically: \(check.stderr)")
        let r = try eqx(["run", "resnet.eqx", "--out", "out", "--threads", "2"] + settings, in: dir, timeout: 900)
        XCTAssertEqual(r.status, 0, r.stderr)
        let results = try jsonObject(dir.appendingPathComponent("out/results.json"))
        let tables = try XCTUnwrap(results["tables"] as? [String: Any]).values.compactMap { $0 as? [String: Any] }
        let table = try XCTUnwrap(tables.first { ($0["columns"] as? [String])?.contains("invariance_half.relative_change") ?? false }, "\(tables)")
        let columns = try XCTUnwrap(table["columns"] as? [String])
        let row = try XCTUnwrap((table["rows"] as? [[Any]])?.first)
        let invariance = try XCTUnwrap(row[columns.firstIndex(of: "invariance_half.relative_change")!] as? Double)
        XCTAssertLessThan(invariance, 1e-5, "the involutive flip self-merge at α = ½ is exactly invariant")
        let checkpoint = dir.appendingPathComponent("out/checkpoints/model_0.safetensors")
        let keys = try SafeTensors.read(checkpoint).tensors.keys
        XCTAssertTrue(keys.contains("down1.conv3.weight"), "the projection shortcut's conv is saved under the block's prefix: \(keys.sorted())")
    }
}
