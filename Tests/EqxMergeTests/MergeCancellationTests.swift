import XCTest
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor

/// Ctrl-C during a merge: `shouldStop` is asked between fine-grained steps, and the first yes ends the merge
/// with `MergeCancelled` before another step runs. A stopped merge run again gives the uninterrupted result.
final class MergeCancellationTests: XCTestCase {
    /// Answers no `after` times, then yes; counts the questions.
    final class StopSwitch {
        let after: Int
        var asked = 0
        init(after: Int) { self.after = after }
        func ask() -> Bool { asked += 1; return asked > after }
    }

    private func merge(_ clauses: String, stop: StopSwitch) throws -> MergeOutcome {
        let spec = try mergeSpec(net: TrainedFixtures.cnnBody, target: "b", clauses: clauses)
        let net = try networkSpec(TrainedFixtures.cnnBody)
        let a = try Network(spec: net, state: aliveState(net, seed: 1))
        let b = try Network(spec: net, state: aliveState(net, seed: 2))
        let batches = try digitBatches(.train, count: 300, batch: 100)
        let inputs = try mergeInputs(base: a, partner: b, group: nil, matching: batches, reset: batches)
        return try Merger(spec: spec, inputs: inputs, shouldStop: stop.ask).run()
    }

    /// Counts the steps of an uninterrupted merge, then flips the switch after 0, 1, half and all but one of
    /// them: each time the merge throws at the very next question.
    private func assertStopsPromptly(_ clauses: String, atLeast minimumSteps: Int) throws {
        let never = StopSwitch(after: .max)
        let full = try merge(clauses, stop: never)
        let steps = never.asked
        XCTAssertGreaterThanOrEqual(steps, minimumSteps, "asked too rarely to stop promptly")
        for n in [0, 1, steps / 2, steps - 1] {
            let stop = StopSwitch(after: n)
            XCTAssertThrowsError(try merge(clauses, stop: stop), "switch flipped after \(n) of \(steps) steps") { error in
                XCTAssertEqual(error as? MergeCancelled, MergeCancelled(merge: "m"))
            }
            XCTAssertEqual(stop.asked, n + 1, "no step runs once the switch has flipped")
        }
        let again = try merge(clauses, stop: StopSwitch(after: steps))
        XCTAssertEqual(again.curves, full.curves)
        XCTAssertEqual(again.symbols, full.symbols)
    }

    func testActivationMergeWithRepairAndResetStopsAtTheNextStep() throws {
        // 3 matching batches and 3 symbols; per α (5 of them) itself, 3 reset batches and 2 evaluation
        // batches (400 test digits in batches of 256), plus REPAIR's passes over the matching batches.
        let clauses = """
              match activations on digits.train[0..299]
              alpha 0..1 step 0.25
              reset batchnorm on digits.train[0..299]
              repair
            """
        try assertStopsPromptly(clauses, atLeast: 3 + 3 + 5 * (1 + 3 + 2))
    }

    func testWeightMatchingStopsBetweenAssignments() throws {
        // At least one sweep over the 3 symbols, then 3 α with 2 evaluation batches each.
        try assertStopsPromptly("  match weights\n  alpha 0..1 step 0.5", atLeast: 3 + 3 * (1 + 2))
    }
}
