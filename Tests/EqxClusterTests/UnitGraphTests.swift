@testable import EqxCluster
import EqxIR
import EqxRuntime
import XCTest

/// Which statements form which unit, and what depends on what (no processes, no SLURM).
final class UnitGraphTests: XCTestCase {
    func testUnitsAndDependenciesOfASweep() throws {
        let program = try SweepScripts.program(SweepScripts.sweep)
        let g = UnitGraph(program)
        XCTAssertEqual(g.units.map(\.label), ["train pre", "train cont_a", "train cont_b", "merge ab", "report barrier_acc_a_inv_b", "#0", "#1", "#2"])
        XCTAssertEqual(g.units.map(\.dependencies), [[], [0], [0], [0, 1, 2], [0, 1, 2, 3], [], [], []])
        // The top-level report and plot are one unit; each repetition holds its training, report and plot.
        func kinds(_ u: RunUnit) -> [String] { u.steps.map { PlanKind.of(program.steps[$0]) } }
        XCTAssertEqual(kinds(g.units[4]), ["report", "plot"])
        for u in g.units[5...] { XCTAssertEqual(kinds(u), ["train", "report", "plot"]) }
        // The merge re-runs the trainings it needs (the continuations and, for their start, the pre-training).
        XCTAssertEqual(g.units[3].imports.map { PlanKind.of(program.steps[$0]) }, ["train", "train", "train"])
        // The loop's summary is made when collecting; data declarations belong to no unit.
        XCTAssertEqual(g.collectSteps.count, 1)
        if case .summarize = program.steps[g.collectSteps[0]] {} else { XCTFail("collect runs the summary") }
        for (i, step) in program.steps.enumerated() {
            if case .data = step { XCTAssertNil(g.owner[i]) }
        }
        // Every owned step is in exactly one unit.
        let owned = g.units.flatMap(\.steps)
        XCTAssertEqual(owned.count, Set(owned).count)
        XCTAssertEqual(g.levels, [[0, 5, 6, 7], [1, 2], [3], [4]])
        XCTAssertEqual(g.dependents(of: 0), [1, 2, 3, 4])
        XCTAssertEqual(g.dependents(of: 5), [])
    }

    func testNestedLoopsGiveOneUnitPerInnermostRepetition() throws {
        let text = SweepScripts.seeds(1).replacingOccurrences(of: "repeat 1 as r {", with: """
            for lr in [0.05, 0.1] {
              train base = small on digits.train {
                optimizer sgd(lr: lr)
                batch 40
                epochs 1
              }
              repeat 2 as r {
                train t = base on digits.train {
                  optimizer sgd(lr: lr)
                  batch 40
                  epochs 1
                }
                report acc: accuracy(t, digits.test)
              }
            }
            repeat 1 as q {
            """)
        let g = UnitGraph(try SweepScripts.program(text))
        XCTAssertEqual(g.units.map(\.label), ["[lr=0.05]", "[lr=0.05]#0", "[lr=0.05]#1", "[lr=0.1]", "[lr=0.1]#0", "[lr=0.1]#1", "#0"])
        XCTAssertEqual(g.units.map(\.dependencies), [[], [0], [0], [], [3], [3], []])
        // Summaries: the inner table once per outer value, then the last loop's table.
        XCTAssertEqual(g.collectSteps.count, 3)
    }

    func testTopLevelStatementsWithoutLoopsAreUnitsToo() throws {
        let text = """
            eqx 1
            data digits = builtin.digits
            net small {
              flatten
              linear -> 10
            }
            train a = small on digits.train {
              epochs 1
            }
            train b = small on digits.train {
              epochs 1
            }
            report acc_a: accuracy(a, digits.test)
            report acc_b: accuracy(b, digits.test)
            save a to "a.safetensors"
            train c = a on digits.train {
              epochs 1
            }
            report acc_c: accuracy(c, digits.test)
            """
        let g = UnitGraph(try SweepScripts.program(text))
        XCTAssertEqual(g.units.map(\.label).prefix(3), ["train a", "train b", g.units[2].label])
        XCTAssertEqual(g.units.count, 5)
        XCTAssertEqual(g.units[2].steps.count, 3, "consecutive reports and a save form one unit")
        XCTAssertEqual(g.units.map(\.dependencies), [[], [], [0, 1], [0], [0, 3]])
        XCTAssertEqual(g.collectSteps, [])
    }

    func testArrayIndexRanges() {
        XCTAssertEqual(Slurm.ranges([0, 1, 2, 5, 7, 8]), "0-2,5,7-8")
        XCTAssertEqual(Slurm.ranges([4]), "4")
        XCTAssertEqual(Slurm.ranges([]), "")
    }
}

enum PlanKind {
    static func of(_ s: Step) -> String {
        switch s {
        case .data: return "data"
        case .train: return "train"
        case .merge: return "merge"
        case .report: return "report"
        case .plot: return "plot"
        case .save: return "save"
        case .summarize: return "summarize"
        }
    }
}
