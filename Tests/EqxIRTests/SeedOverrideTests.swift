import EqxIR
import EqxSyntax
import XCTest

/// `eqx run --seed S` replaces the script's seed in the tree: everything that draws random numbers sees it,
/// including the initialisation of each trained network, and the canonical text says `seed S`; seeds set
/// inside a loop body stay as written.
final class SeedOverrideTests: XCTestCase {
    static let script = """
        eqx 1
        seed 5
        data digits = builtin.digits
        net mlp {
          flatten
          linear -> 10
        }
        train a = mlp on digits.train { epochs 1 }
        repeat 2 as r {
          seed 100 + r
          train b = mlp on digits.train { epochs 1 }
        }

        """

    func checked(_ text: String, seed override: UInt64?) throws -> (program: Program, canonical: String) {
        let file = SourceFile(name: "seed.eqx", text: text)
        var (script, syntax) = parse(file)
        XCTAssertEqual(syntax, [])
        if let s = override { script = script.replacingSeed(with: s) }
        let (program, diagnostics) = Checker(file: file).check(script)
        XCTAssertEqual(diagnostics, [])
        return (try XCTUnwrap(program), format(script))
    }

    func trainSeeds(_ p: Program) -> [String: UInt64] {
        var seeds: [String: UInt64] = [:]
        for case .train(let t) in p.steps { seeds[t.id] = t.seed }
        return seeds
    }

    func testOverrideReachesTrainingsButNotLoopSeeds() throws {
        let plain = try checked(Self.script, seed: nil)
        XCTAssertEqual(plain.program.seed, 5, "a seed inside a loop body must not leak into the data and measurement seed")
        XCTAssertEqual(trainSeeds(plain.program), ["a": 5, "b#0": 100, "b#1": 101])
        let overridden = try checked(Self.script, seed: 6)
        XCTAssertEqual(overridden.program.seed, 6)
        XCTAssertEqual(trainSeeds(overridden.program), ["a": 6, "b#0": 100, "b#1": 101])
        XCTAssertTrue(overridden.canonical.hasPrefix("eqx 1\nseed 6\n"), overridden.canonical)
        XCTAssertTrue(overridden.canonical.contains("  seed 100 + r\n"), overridden.canonical)
    }

    /// The canonical text of an overridden script checks to the same program on its own, so `operative.eqx`
    /// reruns the run: a script without a seed gets one, a seed written late moves up, a second one goes.
    func testCanonicalTextCarriesTheOverride() throws {
        let cases = [
            Self.script.replacingOccurrences(of: "seed 5\n", with: ""),
            Self.script.replacingOccurrences(of: "seed 5\n", with: "").replacingOccurrences(of: "train a", with: "seed 3\ntrain a"),
            Self.script.replacingOccurrences(of: "train a", with: "seed 4  # again\ntrain a"),
        ]
        for text in cases {
            let overridden = try checked(text, seed: 12)
            XCTAssertEqual(overridden.program.seed, 12)
            XCTAssertEqual(trainSeeds(overridden.program), ["a": 12, "b#0": 100, "b#1": 101], text)
            XCTAssertTrue(overridden.canonical.hasPrefix("eqx 1\nseed 12\n"), overridden.canonical)
            XCTAssertEqual(overridden.canonical.components(separatedBy: "seed ").count, 3, "one top-level seed: \(overridden.canonical)")
            let rerun = try checked(overridden.canonical, seed: nil)
            XCTAssertEqual(trainSeeds(rerun.program), trainSeeds(overridden.program))
            XCTAssertEqual(rerun.canonical, overridden.canonical)
        }
    }
}
