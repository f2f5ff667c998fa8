import EqxIR
import EqxSyntax
import XCTest

/// `eqx run --seed S` replaces the script's seed for everything that draws random numbers, including the
/// initialisation of each trained network; seeds set inside a loop body stay as written.
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

    func trainSeeds(_ override: UInt64?) throws -> (program: UInt64, trains: [String: UInt64]) {
        let file = SourceFile(name: "seed.eqx", text: Self.script)
        let (script, syntax) = parse(file)
        XCTAssertEqual(syntax, [])
        let (program, diagnostics) = Checker(file: file, options: .init(seed: override)).check(script)
        XCTAssertEqual(diagnostics, [])
        let p = try XCTUnwrap(program)
        var seeds: [String: UInt64] = [:]
        for case .train(let t) in p.steps { seeds[t.id] = t.seed }
        return (p.seed, seeds)
    }

    func testOverrideReachesTrainingsButNotLoopSeeds() throws {
        let plain = try trainSeeds(nil)
        XCTAssertEqual(plain.program, 5, "a seed inside a loop body must not leak into the data and measurement seed")
        XCTAssertEqual(plain.trains, ["a": 5, "b#0": 100, "b#1": 101])
        let overridden = try trainSeeds(6)
        XCTAssertEqual(overridden.program, 6)
        XCTAssertEqual(overridden.trains, ["a": 6, "b#0": 100, "b#1": 101])
    }
}
