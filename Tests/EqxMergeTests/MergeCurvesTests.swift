import XCTest
@testable import EqxIR
@testable import EqxMerge
import EqxGroups
import EqxNN
import EqxTensor

/// `curves plain, reset, repair, repair_reset`: one matching feeds every curve, and each curve is bit for bit
/// what the separate merge statement with the same option gives.
final class MergeCurvesTests: XCTestCase {
    static let matching = "  match activations on digits.train[0..299] at relu\n  alpha 0..1 step 0.25\n"
    static let reset = "  reset batchnorm on digits.train[0..299]\n"

    /// The separate statement that asks for one curve the old way.
    static func single(_ v: MergeVariant) -> String {
        matching + (v.resets ? reset : "") + (v.repairs ? "  repair\n" : "")
    }

    func testEveryCurveComesFromOneMatchingAndEqualsItsSeparateMerge() throws {
        let a = try TrainedFixtures.cnn(mode: "nominal", epochs: 10)
        let b = try TrainedFixtures.cnn(mode: "nominal", epochs: 10, seed: 6)
        let batches = try digitBatches(.train, count: 300, batch: 150)
        let spec = try mergeSpec(net: TrainedFixtures.cnnBody, target: "b",
                                 clauses: Self.matching + Self.reset + "  curves repair, plain, reset, repair_reset")
        XCTAssertEqual(spec.variants, [.repair, .plain, .reset, .repairReset])
        let merger = try Merger(spec: spec, inputs: mergeInputs(base: a, partner: b, group: nil, matching: batches, reset: batches))
        let outcome = try merger.run()
        XCTAssertEqual(merger.matchings, 1)
        XCTAssertEqual(outcome.matchings, 1)
        XCTAssertEqual(outcome.paths.map(\.variant), [.repair, .plain, .reset, .repairReset])
        for v in MergeVariant.allCases {
            let separateSpec = try mergeSpec(net: TrainedFixtures.cnnBody, target: "b", clauses: Self.single(v))
            XCTAssertEqual(separateSpec.variants, [v])
            let separate = try Merger(spec: separateSpec,
                                      inputs: mergeInputs(base: a, partner: b, group: nil, matching: batches, reset: batches))
            XCTAssertEqual(separate.permutations.map(\.perms), merger.permutations.map(\.perms), "\(v)")
            let own = try separate.run()
            let path = outcome.path(v)
            XCTAssertEqual(path.curves, own.curves, "\(v)")
            XCTAssertEqual(path.lossBarrier, own.lossBarrier, "\(v)")
            XCTAssertEqual(path.accuracyBarrier, own.accuracyBarrier, "\(v)")
            XCTAssertEqual(path.midpointLossBarrier, own.midpointLossBarrier, "\(v)")
            XCTAssertEqual(try merger.network(at: 0.3, curve: v).state, try separate.network(at: 0.3).state, "\(v)")
        }
        // The curves differ (REPAIR and the reset change the midpoint), and the merge's own is the first listed.
        XCTAssertNotEqual(outcome.path(.plain).curves, outcome.path(.repair).curves)
        XCTAssertNotEqual(outcome.path(.plain).curves, outcome.path(.reset).curves)
        XCTAssertEqual(outcome.curves, outcome.path(.repair).curves)
        XCTAssertEqual(outcome.lossBarrier, outcome.path(.repair).lossBarrier)
        XCTAssertEqual(try merger.network(at: 0.5).state, try merger.network(at: 0.5, curve: .repair).state)
    }

    /// A self-merge solves one matching, an orbit merge one per element ≠ e, whatever the number of curves.
    func testSelfAndOrbitMergesMatchOncePerTarget() throws {
        let a = try TrainedFixtures.cnn(mode: "nominal", epochs: 10)
        let batches = try digitBatches(.train, count: 300, batch: 150)
        let targets: [(String, FiniteGroup, Int)] = [("flip(a)", .mirror(.horizontal), 1), ("orbit(rot)", .rotations, 3)]
        for (target, group, expected) in targets {
            let spec = try mergeSpec(net: TrainedFixtures.cnnBody, target: target,
                                     clauses: Self.matching + Self.reset + "  curves plain, reset, repair")
            let merger = try Merger(spec: spec, inputs: mergeInputs(base: a, partner: nil, group: group, matching: batches,
                                                                    reset: batches))
            let outcome = try merger.run()
            XCTAssertEqual(outcome.matchings, expected, target)
            XCTAssertEqual(outcome.paths.count, 3, target)
            for v: MergeVariant in [.plain, .reset, .repair] {
                let separate = try Merger(spec: mergeSpec(net: TrainedFixtures.cnnBody, target: target, clauses: Self.single(v)),
                                          inputs: mergeInputs(base: a, partner: nil, group: group, matching: batches, reset: batches))
                XCTAssertEqual(separate.permutations.map(\.perms), merger.permutations.map(\.perms), "\(target) \(v)")
                let own = try separate.run()
                XCTAssertEqual(outcome.path(v).curves, own.curves, "\(target) \(v)")
                XCTAssertEqual(outcome.path(v).orbitChange, own.orbitChange, "\(target) \(v)")
            }
        }
    }
}
