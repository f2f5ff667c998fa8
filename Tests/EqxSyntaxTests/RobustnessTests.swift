import EqxTestSupport
import XCTest
@testable import EqxSyntax

/// Thousands of seeded random mutations of the corpus and examples: deleted, duplicated and swapped tokens,
/// random bytes (including invalid UTF-8), truncations. The parser must never crash or hang, every diagnostic
/// (except the empty-script one) must point inside the file, and whenever a mutant parses without errors its
/// formatting must round-trip.
final class RobustnessTests: XCTestCase {
    static let interesting: [[UInt8]] = ["{", "}", "(", ")", "[", "]", "\"", "#", "\n", ";", ",", ":", "->", "..",
                                         "...", "-", "=", "\\", "eqx", "train", "on", "x", "0", "1e", "3x3",
                                         "\r\n", "\t", "é", "→"].map { Array($0.utf8) }
        + [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xEF, 0xBB, 0xBF], [0x00], [0x80]]

    func mutate(_ bytes: [UInt8], tokens: [Token], rng: inout SplitMix64) -> [UInt8] {
        var out = bytes
        let rounds = 1 + Int(rng.next() % 3)
        for _ in 0..<rounds {
            let choice = rng.next() % 7
            let realTokens = tokens.filter { $0.kind != .endOfFile && $0.range.end <= out.count }
            switch choice {
            case 0 where !realTokens.isEmpty: // delete a token
                let t = realTokens[Int(rng.next() % UInt64(realTokens.count))]
                out.removeSubrange(t.range.start..<t.range.end)
            case 1 where !realTokens.isEmpty: // duplicate a token
                let t = realTokens[Int(rng.next() % UInt64(realTokens.count))]
                out.insert(contentsOf: Array(out[t.range.start..<t.range.end]) + [UInt8(ascii: " ")], at: t.range.start)
            case 2 where realTokens.count > 1: // swap two tokens
                let i = Int(rng.next() % UInt64(realTokens.count - 1))
                let a = realTokens[i], b = realTokens[Int(rng.next() % UInt64(realTokens.count))]
                let (x, y) = a.range.start < b.range.start ? (a, b) : (b, a)
                guard x.range.end <= y.range.start else { break }
                let tx = Array(out[x.range.start..<x.range.end]), ty = Array(out[y.range.start..<y.range.end])
                out.replaceSubrange(y.range.start..<y.range.end, with: tx)
                out.replaceSubrange(x.range.start..<x.range.end, with: ty)
            case 3: // insert an interesting fragment
                let f = RobustnessTests.interesting[Int(rng.next() % UInt64(RobustnessTests.interesting.count))]
                out.insert(contentsOf: f, at: Int(rng.next() % UInt64(out.count + 1)))
            case 4: // insert random bytes
                let n = 1 + Int(rng.next() % 4)
                let junk = (0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                out.insert(contentsOf: junk, at: Int(rng.next() % UInt64(out.count + 1)))
            case 5: // truncate
                out = Array(out.prefix(Int(rng.next() % UInt64(out.count + 1))))
            default: // delete a byte span
                guard !out.isEmpty else { break }
                let s = Int(rng.next() % UInt64(out.count))
                out.removeSubrange(s..<min(out.count, s + 1 + Int(rng.next() % 12)))
            }
            if rounds > 1 { return out } // token ranges are stale after the first edit
        }
        return out
    }

    /// Checks one input; returns (no property violated, parsed without errors).
    @discardableResult
    func check(_ bytes: [UInt8], origin: String) -> (ok: Bool, clean: Bool) {
        let file = SourceFile(name: "m.eqx", bytes: bytes)
        let parser = Parser(file: file)
        let script = parser.parseScript()
        let diagnostics = parser.sortedDiagnostics
        var ok = true
        func fail(_ message: String) {
            ok = false
            XCTFail("\(origin): \(message)\n--- input ---\n\(String(decoding: bytes, as: UTF8.self))")
        }
        if parser.hitStepBudget { fail("step budget exhausted (a loop made no progress)") }
        if parser.parenDepth != 0 || parser.nesting != 0 { fail("unbalanced bookkeeping: \(parser.parenDepth) \(parser.nesting)") }
        func inside(_ r: SourceRange) -> Bool { r.start >= 0 && r.start <= r.end && r.end <= bytes.count }
        for d in diagnostics {
            guard let r = d.range else { fail("\(d.id) has no range"); continue }
            if !inside(r) { fail("\(d.id) range \(r) outside 0..\(bytes.count)") }
            for n in d.notes { if let r = n.range, !inside(r) { fail("note range outside") } }
            for f in d.fixIts where !inside(f.range) { fail("fix-it range outside") }
            if d.message.isEmpty { fail("empty message") }
        }
        _ = DiagnosticRenderer().render(diagnostics, in: file, color: true)
        _ = DiagnosticJSON.encode(diagnostics, file: file)
        let clean = !diagnostics.contains(where: { $0.severity == .error })
        if clean {
            let text = format(script)
            let (again, d2) = parse(SourceFile(name: "f.eqx", text: text))
            if d2.contains(where: { $0.severity == .error }) { fail("formatted output has errors:\n\(text)\n\(d2)") }
            if again.strippingRanges() != script.strippingRanges() { fail("round trip changed the tree:\n\(text)") }
            if format(again) != text { fail("format not idempotent:\n\(text)") }
        }
        return (ok, clean)
    }

    func testRandomMutationsNeverCrashHangOrMisplaceDiagnostics() throws {
        let sources = try (Fixtures.corpus + Fixtures.examples).map { try Fixtures.source($0) }
        var rng = SplitMix64(seed: 2026)
        var count = 0, clean = 0, failures = 0
        let start = Date()
        var slowest = 0.0
        for round in 0..<90 {
            for source in sources {
                let tokens = lex(source).tokens
                let mutant = mutate(source.bytes, tokens: tokens, rng: &rng)
                let t0 = Date()
                let result = check(mutant, origin: "\(source.name) round \(round)")
                slowest = max(slowest, Date().timeIntervalSince(t0))
                if !result.ok { failures += 1 }
                if result.clean { clean += 1 }
                count += 1
                if failures > 5 { return }
            }
        }
        let elapsed = Date().timeIntervalSince(start)
        print("robustness: \(count) mutants (\(clean) error-free) in \(String(format: "%.1f", elapsed)) s, slowest \(String(format: "%.1f", slowest * 1000)) ms")
        XCTAssertGreaterThan(count, 3000)
    }

    func testPathologicalInputs() {
        let cases: [[UInt8]] = [
            Array(repeating: UInt8(ascii: "("), count: 20_000),
            Array(repeating: UInt8(ascii: "{"), count: 20_000),
            Array(repeating: UInt8(ascii: "}"), count: 20_000),
            Array(repeating: UInt8(ascii: "-"), count: 20_000) + Array("1".utf8),
            Array(("eqx 1\nlet a = " + String(repeating: "[", count: 10_000)).utf8),
            Array(("eqx 1\nnet n {\n" + String(repeating: "a: b c d e f g h i j k l m n o p,\n", count: 500)).utf8),
            Array(String(repeating: "eqx 1\n", count: 3000).utf8),
            Array(String(repeating: "\"", count: 5001).utf8),
            (0..<20_000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) },
            [0xFF, 0xFE, 0xFD],
            Array("eqx 1\n".utf8) + Array(repeating: 0x80, count: 10_000),
        ]
        for (i, bytes) in cases.enumerated() {
            let t0 = Date()
            XCTAssertTrue(check(bytes, origin: "case \(i)").ok)
            XCTAssertLessThan(Date().timeIntervalSince(t0), 10, "case \(i) is too slow")
        }
    }
}
