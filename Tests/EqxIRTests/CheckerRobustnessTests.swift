import EqxTestSupport
import EqxIR
import EqxSyntax
import Foundation
import XCTest

/// Thousands of seeded, token-level mutations of the examples (deleted, duplicated, swapped and substituted
/// tokens, edge-case numbers, checker vocabulary in the wrong place, stray bytes) never crash or hang the
/// front end, and every diagnostic points inside the file. Substituting tokens of the same kind keeps many
/// mutants well-formed, so most of them reach the checker rather than stopping in the parser.
final class CheckerRobustnessTests: XCTestCase {
    static let edgeNumbers = ["0", "-1", "1", "2", "2.5", "0.0", "1e12", "1e300", "9007199254740992", "10000", "10001",
                              "65", "3x3", "1x9", "9x9", "0x0", "100000x100000", "-0.5", "7", "9007199254740992 * 9007199254740992", "(9007199254740992 * 1500)", "65537"]
    static let vocabulary = layerKinds + [
        "mode", "nominal", "augmented", "equivariant", "loss", "optimizer", "sgd", "adam", "batch", "epochs", "steps",
        "track", "every", "evaluate", "invariance", "schedule", "cosine", "step", "warmup", "pad", "stride", "padding",
        "circular", "same", "in", "channels", "regular", "trivial", "bias", "affine", "over", "spatial", "match",
        "activations", "weights", "alpha", "reset", "repair", "orbit", "mirror", "rotations", "dihedral",
        "translations", "symmetric", "horizontal", "vertical", "resize", "normalize", "limit", "augment", "split",
        "builtin", "digits", "train", "test", "accuracy", "distance_to_E", "parameters", "load", "curve", "distance",
        "barrier", "at", "block_graphs", "idx", "true", "false", "mse", "bce", "crossentropy",
    ]

    func testRandomTokenMutationsOfExamplesNeverCrashHangOrMisplaceDiagnostics() throws {
        let count = Int(ProcessInfo.processInfo.environment["EQX_MUTATIONS"] ?? "") ?? 3000
        let originals = try Fixtures.examples.map { Array(try Data(contentsOf: $0)) }
        XCTAssertFalse(originals.isEmpty)
        let lexed = originals.map { bytes in lex(SourceFile(name: "x", bytes: bytes)).tokens.filter { $0.range.end > $0.range.start } }
        var rng = SplitMix64(seed: UInt64(ProcessInfo.processInfo.environment["EQX_MUTATION_SEED"] ?? "") ?? 0x5EED_E9C5)
        var reachedChecker = 0, checkedClean = 0
        var slowest = 0.0
        var slowestSource: String? = nil
        let queue = DispatchQueue(label: "mutant", attributes: .concurrent)
        for iteration in 0..<count {
            let which = Int.random(in: 0..<originals.count, using: &rng)
            var bytes = originals[which]
            let mutations = Int.random(in: 1...3, using: &rng)
            // Mutate from the end so earlier token ranges stay valid.
            let tokens = lexed[which]
            let picks = (0..<mutations).map { _ in Int.random(in: 0..<tokens.count, using: &rng) }.sorted(by: >)
            for p in picks { mutate(&bytes, tokens: tokens, at: p, rng: &rng) }

            let file = SourceFile(name: "mutant.eqx", bytes: bytes)
            let box = ResultBox()
            let done = DispatchSemaphore(value: 0)
            queue.async {
                let t0 = Date()
                let (script, syntax) = parse(file)
                var all = syntax
                if !syntax.contains(where: { $0.severity == .error }) {
                    box.reachedChecker = true
                    let (_, semantic) = Checker(file: file, probe: CorpusDataProbe()).check(script)
                    all += semantic
                }
                box.diagnostics = all
                box.seconds = Date().timeIntervalSince(t0)
                done.signal()
            }
            guard done.wait(timeout: .now() + 30) == .success else {
                XCTFail("mutant \(iteration) did not finish in 30 s:\n" + String(decoding: bytes, as: UTF8.self))
                return
            }
            if box.seconds > slowest {
                slowest = box.seconds
                if slowest > 1 { slowestSource = String(decoding: bytes, as: UTF8.self) }
            }
            if box.reachedChecker { reachedChecker += 1 }
            if !box.diagnostics.contains(where: { $0.severity == .error }) { checkedClean += 1 }
            for d in box.diagnostics {
                guard let r = d.range else {
                    if d.id != "E0201" {
                        XCTFail("mutant \(iteration): \(d.id) '\(d.message)' has no position\n" + String(decoding: bytes, as: UTF8.self))
                    }
                    continue
                }
                let inside = { (r: SourceRange) in r.start >= 0 && r.start <= r.end && r.end <= bytes.count }
                if !inside(r) || !d.notes.allSatisfy({ $0.range.map(inside) ?? true }) || !d.fixIts.allSatisfy({ inside($0.range) }) {
                    XCTFail("mutant \(iteration): \(d.id) '\(d.message)' points outside the file (\(r), \(bytes.count) bytes)\n"
                            + String(decoding: bytes, as: UTF8.self))
                }
            }
        }
        print("robustness: \(count) mutants, \(reachedChecker) reached the checker, \(checkedClean) error-free, slowest \(String(format: "%.3f", slowest)) s")
        if let source = slowestSource { print("slowest mutant (over 1 s):\n\(source)") }
        // The mutation mix must exercise the checker, not only the parser.
        XCTAssertGreaterThan(reachedChecker, count / 4)
    }

    private final class ResultBox: @unchecked Sendable {
        var diagnostics: [Diagnostic] = []
        var reachedChecker = false
        var seconds = 0.0
    }

    private func mutate(_ bytes: inout [UInt8], tokens: [Token], at i: Int, rng: inout SplitMix64) {
        let t = tokens[i]
        let range = t.range.start..<t.range.end
        guard range.upperBound <= bytes.count else { return }
        switch Int.random(in: 0..<10, using: &rng) {
        case 0:  // delete the token
            bytes.removeSubrange(range)
        case 1:  // duplicate it
            bytes.insert(contentsOf: Array(bytes[range]) + [UInt8(ascii: " ")], at: range.lowerBound)
        case 2:  // swap with the next token
            guard i + 1 < tokens.count, tokens[i + 1].range.end <= bytes.count else { return }
            let n = tokens[i + 1].range
            let a = Array(bytes[range]), b = Array(bytes[n.start..<n.end])
            bytes.replaceSubrange(n.start..<n.end, with: a)
            bytes.replaceSubrange(range, with: b)
        case 3, 4, 5:  // substitute a token of the same kind from anywhere in the file
            let same = tokens.filter { $0.kind == t.kind }
            guard let other = same.randomElement(using: &rng) else { return }
            bytes.replaceSubrange(range, with: Array(other.text.utf8))
        case 6, 7, 8:  // an edge-case number for a literal, checker vocabulary (often in the wrong place) for a word
            let numeric = t.kind == .integer || t.kind == .number || t.kind == .dimensions
            let pool = numeric ? CheckerRobustnessTests.edgeNumbers : CheckerRobustnessTests.vocabulary
            bytes.replaceSubrange(range, with: Array(pool.randomElement(using: &rng)!.utf8))
        default:  // a stray byte, possibly invalid UTF-8
            let stray: [UInt8] = [0x00, 0xFF, 0xC3, UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "("),
                                  UInt8(ascii: "\""), UInt8(ascii: "\n"), UInt8(ascii: ";"), UInt8(ascii: ".")]
            bytes.insert(stray.randomElement(using: &rng)!, at: range.lowerBound)
        }
    }
}
