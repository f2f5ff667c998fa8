@testable import EqxIR
import EqxSyntax
import XCTest

/// Requests the runtime could not serve — too much memory, options it would ignore, settings that fail
/// after an epoch — are positioned checker diagnostics instead of aborts or silently wrong runs.
final class CheckerSafetyTests: XCTestCase {
    private let gib = 1024.0 * 1024 * 1024

    private func diagnostics(_ text: String, budget: Double = 16 * 1024 * 1024 * 1024) -> (Program?, [String]) {
        let file = SourceFile(name: "t.eqx", text: text)
        let (script, syntax) = parse(file)
        XCTAssertTrue(syntax.isEmpty, "\(syntax.map(\.message))")
        let (program, semantic) = Checker(file: file, probe: CorpusDataProbe(), memoryBudget: budget).check(script)
        return (program, semantic.map { d in
            let at = d.range.map { file.location(of: $0.start) }.map { "\($0.line):\($0.column)" } ?? "-"
            return "\(d.id) \(at)"
        })
    }

    func testDataThatCannotFitInMemoryIsAnError() {
        let (p, d) = diagnostics("""
            eqx 1
            data big = builtin.digits { resize 2000x2000 }
            data graphs = block_graphs(count: 2147483648)
            data fine = builtin.digits { resize 16x16 }
            """)
        XCTAssertNil(p)
        XCTAssertEqual(d, ["E0803 2:12", "E0803 3:15"])
    }

    func testTrainingMemoryWarnsAtHalfAndFailsAboveTheBudget() {
        let script = """
            eqx 1
            data digits = builtin.digits
            net wide { flatten; linear -> 65536; relu; linear -> 65536; linear -> 10 }
            train t = wide on digits.train { epochs 1 }
            """
        XCTAssertEqual(diagnostics(script, budget: 32 * gib).1, ["E0305 3:44"], "64 GiB of weights and moments")
        XCTAssertEqual(diagnostics(script, budget: 100 * gib).1, ["W0301 3:44"])
        XCTAssertEqual(diagnostics(script, budget: 1000 * gib).1, [])
    }

    func testMemoryLimitParsing() {
        XCTAssertEqual(Checker.parseMemorySize("16G"), 16 * gib)
        XCTAssertEqual(Checker.parseMemorySize("512m"), 512 * 1024 * 1024)
        XCTAssertEqual(Checker.parseMemorySize("1000"), 1000)
        XCTAssertNil(Checker.parseMemorySize("lots"))
        XCTAssertNil(Checker.parseMemorySize("-1G"))
    }

    func testApplyingTheTrivialGroupIsAnErrorNotATrap() {
        let (p, d) = diagnostics("""
            eqx 1
            data digits = builtin.digits
            group g = trivial()
            net mlp { flatten; linear -> 10 }
            train a = mlp on digits.train { epochs 1 }
            merge m = a with g(a) { match weights; evaluate digits.test }
            """)
        XCTAssertNil(p)
        XCTAssertEqual(d, ["E0505 6:18"])
    }

    func testSymmetricGroupOnVectorsIsChecked() {
        // [10]-shaped samples: S₃ cannot act on them (S₁₀ could, but is too large to close the data under).
        let bad = diagnostics("""
            eqx 1
            data v = npy(inputs: "vectors_x.npy", labels: "vectors_y.npy") { augment symmetric(3) }
            """)
        XCTAssertEqual(bad.1, ["E0501 2:74"])
    }

    func testDataClausesRejectUnknownOptions() {
        let (p, d) = diagnostics("""
            eqx 1
            data a = builtin.digits { resize 14x14 method nearest }
            data b = builtin.digits { resize 14x14 methd area }
            data c = builtin.digits { limit 100 foo 3 }
            data e = builtin.digits { split 0.5 shuffle true }
            """)
        XCTAssertNil(p)
        XCTAssertEqual(d, ["E0404 2:47", "E0404 3:40", "E0404 4:37", "E0404 5:37"])
    }

    func testResizeMethodReachesTheProgram() throws {
        let (p, d) = diagnostics("""
            eqx 1
            data a = builtin.digits { resize 4x4 method area }
            data b = builtin.digits { resize 4x4 }
            """)
        XCTAssertEqual(d, [])
        let transforms = try XCTUnwrap(p).steps.compactMap { step -> [DataTransform]? in
            if case .data(let spec) = step { return spec.transforms }
            return nil
        }
        XCTAssertEqual(transforms, [[.resize(height: 4, width: 4, method: .area)], [.resize(height: 4, width: 4, method: .bilinear)]])
    }

    func testAdamBetaOfOneIsAnError() {
        let (_, d) = diagnostics("""
            eqx 1
            data digits = builtin.digits
            net mlp { flatten; linear -> 10 }
            train a = mlp on digits.train { optimizer adam(lr: 0.01, beta1: 1); epochs 1 }
            train b = mlp on digits.train { optimizer adamw(lr: 0.01, beta2: 1.5); epochs 1 }
            train c = mlp on digits.train { optimizer adam(lr: 0.01, beta1: 0.5, beta2: 0.99); epochs 1 }
            """)
        XCTAssertEqual(d, ["E0406 4:65", "E0406 5:66"])
    }

    func testBatchNormOnALastBatchOfOneSample() {
        let net = """
            eqx 1
            data digits = builtin.digits
            net mlp { flatten; linear -> 16; batchnorm; relu; linear -> 10 }
            net cnn { conv 3x3 -> 4 pad 1; batchnorm; relu; global avgpool; linear -> 10 }

            """
        // 101 samples in batches of 50: the last batch holds one.
        XCTAssertEqual(diagnostics(net + "train a = mlp on digits.train[0..100] { batch 50; epochs 1 }").1, ["E0601 5:41"])
        // Batch norm over an 8×8 map has 64 values per channel even for one sample.
        XCTAssertEqual(diagnostics(net + "train a = cnn on digits.train[0..100] { batch 50; epochs 1 }").1, [])
        XCTAssertEqual(diagnostics(net + "train a = mlp on digits.train[0..101] { batch 50; epochs 1 }").1, [])
    }
}
