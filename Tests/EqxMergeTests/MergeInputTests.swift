import XCTest
import EqxGroups
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor

/// Bad merge inputs are thrown, descriptive errors (never a trap, never a silent no-op).
final class MergeInputTests: XCTestCase {
    private func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    func testEmptyMatchingDataIsAnError() throws {
        let spec = try networkSpec(PermutationSymbolTests.plainCNN)
        let a = try Network(spec: spec, state: randomState(spec, seed: 1))
        let b = try Network(spec: spec, state: randomState(spec, seed: 2))
        let mspec = try mergeSpec(net: PermutationSymbolTests.plainCNN, target: "b",
                                  clauses: "  match activations on digits.train[0..99]")
        let m = message { _ = try Merger(spec: mspec, inputs: mergeInputs(base: a, partner: b, group: nil, matching: [])) }
        XCTAssertNotNil(m, "activation matching on no data must not silently return the identity")
        XCTAssertTrue(m?.contains("empty") ?? false, m ?? "")
    }

    /// REPAIR estimates statistics on the matching data; with weight matching there is none, and REPAIR must
    /// not silently do nothing.
    func testRepairWithoutDataIsAnError() throws {
        let spec = try networkSpec(PermutationSymbolTests.plainCNN)
        let a = try Network(spec: spec, state: randomState(spec, seed: 1))
        let b = try Network(spec: spec, state: randomState(spec, seed: 2))
        // The checker already rejects `repair` with `match weights` (E0703); the Merger must still refuse
        // a spec built without that check.
        var mspec = try mergeSpec(net: PermutationSymbolTests.plainCNN, target: "b",
                                  clauses: "  match activations on digits.train[0..99]\n  repair")
        mspec.matching = .weights
        let m = message {
            let merger = try Merger(spec: mspec, inputs: mergeInputs(base: a, partner: b, group: nil, matching: []))
            _ = try merger.network(at: 0.5)
        }
        XCTAssertNotNil(m)
        XCTAssertTrue(m?.contains("REPAIR") ?? false, m ?? "")
    }

    func testMatchingDataOfTheWrongShapeIsAnError() throws {
        let spec = try networkSpec(PermutationSymbolTests.plainCNN)
        let a = try Network(spec: spec, state: randomState(spec, seed: 1))
        let mspec = try mergeSpec(net: PermutationSymbolTests.plainCNN, target: "b",
                                  clauses: "  match activations on digits.train[0..99]")
        let wrong = Tensor.zeros([4, 1, 6, 6])
        let m = message { _ = try Merger(spec: mspec, inputs: mergeInputs(base: a, partner: a.copy(), group: nil, matching: [wrong])) }
        XCTAssertNotNil(m)
        XCTAssertTrue(m?.contains("[4, 1, 6, 6]") ?? false, m ?? "")
    }

    func testPartnerWithAnotherArchitectureIsAnError() throws {
        let spec = try networkSpec(PermutationSymbolTests.plainCNN)
        let wider = try networkSpec(PermutationSymbolTests.plainCNN.replacingOccurrences(of: "-> 6", with: "-> 12"))
        let a = try Network(spec: spec, state: randomState(spec, seed: 1))
        let b = try Network(spec: wider, state: randomState(wider, seed: 2))
        let batches = try digitBatches(.train, count: 50, batch: 50)
        for clause in ["  match activations on digits.train[0..99]", "  match weights", "  match none"] {
            let mspec = try mergeSpec(net: PermutationSymbolTests.plainCNN, target: "b", clauses: clause)
            let m = message { _ = try Merger(spec: mspec, inputs: mergeInputs(base: a, partner: b, group: nil, matching: batches)) }
            XCTAssertNotNil(m, clause)
            XCTAssertTrue(m?.contains("architecture") ?? false, "\(clause): \(m ?? "")")
        }
    }

    func testMissingPartnerOrGroupIsAnError() throws {
        let spec = try networkSpec(PermutationSymbolTests.plainCNN)
        let a = try Network(spec: spec, state: randomState(spec, seed: 1))
        let batches = try digitBatches(.train, count: 50, batch: 50)
        for target in ["b", "flip(a)", "orbit(rot)"] {
            let mspec = try mergeSpec(net: PermutationSymbolTests.plainCNN, target: target, clauses: "  match weights")
            let m = message { _ = try Merger(spec: mspec, inputs: mergeInputs(base: a, partner: nil, group: nil, matching: batches)) }
            XCTAssertNotNil(m, target)
        }
    }
}
