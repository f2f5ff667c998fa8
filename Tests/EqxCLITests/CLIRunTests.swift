import Foundation
import XCTest
import EqxTestSupport

/// `eqx run` end to end: the quickstart leaves a complete run directory; scripts run from standard input.
final class CLIRunTests: XCTestCase {
    func testQuickstartLeavesACompleteRunDirectory() throws {
        let out = try temporaryDirectory(self, "eqx-quickstart")
        let quickstart = EqxBinary.packageRoot.appendingPathComponent("examples/quickstart.eqx")
        let r = try eqx(["run", quickstart.path, "--out", out.path], timeout: 300)
        XCTAssertEqual(r.status, 0, r.stderr)
        print(String(format: "eqx run examples/quickstart.eqx: %.1f s", r.seconds))

        let results = try jsonObject(out.appendingPathComponent("results.json"))
        XCTAssertEqual(results["complete"] as? Bool, true)
        XCTAssertEqual(results["seed"] as? Int, 7)
        let tables = try XCTUnwrap(results["tables"] as? [String: Any])
        var accuracies: [Double] = []
        for case let table as [String: Any] in tables.values {
            let columns = table["columns"] as? [String] ?? []
            guard let i = columns.firstIndex(of: "accuracy") else { continue }
            for case let row as [Any] in table["rows"] as? [Any] ?? [] { if let a = row[i] as? Double { accuracies.append(a) } }
        }
        XCTAssertEqual(accuracies.count, 1, "the quickstart reports one accuracy: \(tables)")
        XCTAssertGreaterThan(accuracies.first ?? 0, 0.8)
        XCTAssertLessThanOrEqual(accuracies.first ?? 2, 1)
        XCTAssertTrue(r.stdout.contains("accuracy"), "the report is printed: \(r.stdout)")

        let run = try jsonObject(out.appendingPathComponent("run.json"))
        XCTAssertEqual(run["complete"] as? Bool, true)
        XCTAssertEqual(run["run_id"] as? String, results["run_id"] as? String)
        XCTAssertNotNil(run["threads"] as? Int)
        XCTAssertNotNil((run["data"] as? [String: Any])?["digits"])
        XCTAssertGreaterThan((run["statements"] as? [Any])?.count ?? 0, 0)

        // operative.eqx is the canonical script, itself a valid script that formats to itself.
        let operative = out.appendingPathComponent("operative.eqx")
        XCTAssertEqual(try String(contentsOf: operative, encoding: .utf8), try eqx(["fmt", quickstart.path]).stdout)
        XCTAssertEqual(try eqx(["check", operative.path]).status, 0)

        let files = try FileManager.default.contentsOfDirectory(atPath: out.path)
        XCTAssertTrue(files.contains { $0.hasSuffix(".svg") }, "\(files)")
        XCTAssertTrue(files.contains { $0.hasSuffix(".csv") }, "\(files)")
        for svg in files where svg.hasSuffix(".svg") {
            let text = try String(contentsOf: out.appendingPathComponent(svg), encoding: .utf8)
            XCTAssertTrue(text.hasPrefix("<svg") || text.hasPrefix("<?xml"), svg)
            XCTAssertTrue(text.contains("</svg>"), svg)
        }
        for csv in files where csv.hasSuffix(".csv") {
            let text = try String(contentsOf: out.appendingPathComponent(csv), encoding: .utf8)
            XCTAssertGreaterThanOrEqual(text.split(whereSeparator: \.isNewline).count, 2, "\(csv) has a header and rows")
        }

        // The checkpoint is safetensors with PyTorch's keys and OIHW layout.
        let checkpoint = out.appendingPathComponent("checkpoints/small.safetensors")
        let header = try safetensorsHeader(checkpoint)
        XCTAssertEqual((header["conv1.weight"] as? [String: Any])?["shape"] as? [Int], [16, 1, 3, 3])
        XCTAssertEqual((header["conv1.weight"] as? [String: Any])?["dtype"] as? String, "F32")
        for key in ["conv1.bias", "conv2.weight", "conv3.weight", "linear1.weight", "linear1.bias"] {
            XCTAssertNotNil(header[key], "\(key) in \(header.keys.sorted())")
        }
        XCTAssertEqual((header["linear1.weight"] as? [String: Any])?["shape"] as? [Int], [10, 32])
    }

    /// The JSON header of a .safetensors file: 8-byte little-endian length, then JSON.
    func safetensorsHeader(_ url: URL) throws -> [String: Any] {
        let data = try Data(contentsOf: url)
        XCTAssertGreaterThan(data.count, 8)
        let n = data.prefix(8).enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
        XCTAssertLessThanOrEqual(8 + n, data.count)
        return try XCTUnwrap(try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as? [String: Any])
    }

    func testRunFromStandardInput() throws {
        let out = try temporaryDirectory(self, "eqx-stdin")
        let script = """
            eqx 1
            seed 3
            data digits = builtin.digits
            net mlp {
              flatten
              linear -> 10
            }
            train t = mlp on digits.train { optimizer sgd(lr: 0.1); epochs 1 }
            report acc: accuracy(t, digits.test)

            """
        let r = try eqx(["run", "-", "--out", out.path, "--quiet"], stdin: Data(script.utf8))
        XCTAssertEqual(r.status, 0, r.stderr)
        let results = try jsonObject(out.appendingPathComponent("results.json"))
        XCTAssertEqual(results["complete"] as? Bool, true)
        let run = try jsonObject(out.appendingPathComponent("run.json"))
        XCTAssertEqual(run["script"] as? String, "stdin")
        XCTAssertTrue(r.stdout.contains("acc"), r.stdout)
        XCTAssertFalse(r.stdout.contains("epoch"), "--quiet prints results only: \(r.stdout)")
    }

    /// A `save` whose file cannot be written is an I/O error (74) naming the file; what ran before is kept.
    func testUnwritableSaveExits74() throws {
        let dir = try temporaryDirectory(self, "eqx-unwritable")
        let plain = dir.appendingPathComponent("plain")
        try Data().write(to: plain)
        let script = """
            eqx 1
            data digits = builtin.digits
            net mlp {
              flatten
              linear -> 10
            }
            train t = mlp on digits.train { steps 2 }
            save t to "\(plain.path)/t.safetensors"

            """
        let r = try eqx(["run", "-", "--out", dir.appendingPathComponent("out").path, "--quiet"], stdin: Data(script.utf8))
        XCTAssertEqual(r.status, 74, r.stderr)
        XCTAssertTrue(r.stderr.contains(plain.path), r.stderr)
        XCTAssertEqual(try jsonObject(dir.appendingPathComponent("out/results.json"))["complete"] as? Bool, false)
    }

    /// The research examples end to end (a few seconds each in a release build), against their claims:
    /// equivariant training stays in E (distance 0); nominal training leaves it. rotation_dynamics augments
    /// over the full C4 orbit, so by Nordenfors et al.'s theorem it stays in E up to rounding (< 1e-5) and
    /// nominal is > 100× farther; graph_permutations samples one random permutation of S_10 per sample
    /// (10! is too many to enumerate), where the theorem does not apply: it only stays closer than nominal.
    func testResearchExamplesReproduceTheirClaims() throws {
        for name in ["rotation_dynamics", "graph_permutations"] {
            let (nominal, augmented, equivariant) = try distances(runningExample: name)
            XCTAssertEqual(equivariant, 0, accuracy: 1e-6, "\(name): equivariant training stays in E")
            XCTAssertGreaterThan(nominal, 1e-4, "\(name): nominal training leaves E")
            if name == "rotation_dynamics" {
                XCTAssertLessThan(augmented, 1e-5, "full-orbit augmentation from E stays in E")
                XCTAssertGreaterThan(nominal, 100 * augmented)
            } else {
                XCTAssertLessThan(augmented, nominal)
            }
        }
    }

    /// Runs an example and reads the report whose columns are nominal, augmented, equivariant.
    func distances(runningExample name: String) throws -> (Double, Double, Double) {
        let out = try temporaryDirectory(self, "eqx-\(name)")
        let r = try eqx(["run", EqxBinary.packageRoot.appendingPathComponent("examples/\(name).eqx").path,
                         "--out", out.path, "--quiet"], timeout: 600)
        XCTAssertEqual(r.status, 0, r.stderr)
        let results = try jsonObject(out.appendingPathComponent("results.json"))
        let tables = try XCTUnwrap(results["tables"] as? [String: Any])
        var d: [String: Double] = [:]
        for case let table as [String: Any] in tables.values {
            let columns = table["columns"] as? [String] ?? []
            guard columns.contains("nominal"), columns.contains("equivariant"),
                  let row = (table["rows"] as? [[Any]])?.first else { continue }
            for (c, v) in zip(columns, row) { d[c] = (v as? Double) ?? (v as? Int).map(Double.init) }
        }
        let values = (try XCTUnwrap(d["nominal"], "\(name): \(tables)"), try XCTUnwrap(d["augmented"]), try XCTUnwrap(d["equivariant"]))
        print(String(format: "%@: %.1f s; distance to E: nominal %.3g, augmented %.3g, equivariant %.3g",
                     name, r.seconds, values.0, values.1, values.2))
        return values
    }
}
