import EqxIR
import EqxRuntime
import EqxSyntax
import Foundation
import XCTest

/// Sweeps small enough for a test: a pre-training that two continuations use, a merge of the two, a
/// top-level report, and a loop whose report gets summary rows (8 units).
enum SweepScripts {
    static let sweep = """
        eqx 1
        seed 5
        group flip = mirror(horizontal)
        data digits = builtin.digits {
          limit 400
        }
        net small(width: 4) {
          conv 3x3 -> width pad 1
          batchnorm
          relu
          maxpool 2
          flatten
          linear -> 10
        }
        train pre = small on digits.train {
          optimizer sgd(lr: 0.05, momentum: 0.9)
          batch 40
          epochs 2
        }
        train cont_a = pre on digits.train {
          optimizer sgd(lr: 0.02)
          batch 40
          epochs 1
          track loss, accuracy every 2
          evaluate digits.test
        }
        train cont_b = pre on digits.train {
          mode augmented(flip, random)
          optimizer sgd(lr: 0.02)
          batch 40
          epochs 1
          track distance_to_E(flip) every 2
        }
        merge ab = cont_a with cont_b {
          match activations on digits.train[0..99]
          alpha 0..1 step 0.5
          reset batchnorm on digits.train[0..99]
          evaluate digits.test
        }
        report barrier: ab.barrier, acc_a: accuracy(cont_a, digits.test), inv_b: invariance(cont_b, flip, digits.test)
        plot ab.curve
        repeat 3 as r {
          train t = small on digits.train {
            optimizer sgd(lr: 0.05, momentum: 0.9)
            batch 40
            epochs 2
            track loss every 2
          }
          report acc: accuracy(t, digits.test), loss: loss(t, digits.test), steps: t.steps
          plot t.curve
        }
        """

    /// `repeat n` fresh trainings, each with a report: n independent units.
    static func seeds(_ n: Int, epochs: Int = 2) -> String {
        """
        eqx 1
        seed 9
        data digits = builtin.digits {
          limit 400
        }
        net small(width: 4) {
          conv 3x3 -> width pad 1
          relu
          maxpool 2
          flatten
          linear -> 10
        }
        repeat \(n) as r {
          train t = small on digits.train {
            optimizer sgd(lr: 0.05, momentum: 0.9)
            batch 40
            epochs \(epochs)
          }
          report acc: accuracy(t, digits.test)
        }
        """
    }

    static func program(_ text: String) throws -> Program {
        let checked = Pipeline.check(SourceFile(name: "sweep.eqx", text: text), baseDirectory: URL(fileURLWithPath: "/tmp"))
        return try XCTUnwrap(checked.program, "\(checked.diagnostics.map(\.message))")
    }
}

/// Every output file of a run that must not depend on how it ran (run.json and report.html have timings;
/// the cluster directory, caches, the lock and the run marker are bookkeeping).
func resultFiles(_ dir: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    let fm = FileManager.default
    guard let e = fm.enumerator(at: dir, includingPropertiesForKeys: nil) else { return out }
    for case let url as URL in e {
        let rel = String(url.path.dropFirst(dir.path.count + 1))
        guard !rel.hasPrefix("cluster"), !rel.hasPrefix("cache"),
              !["run.json", "report.html", ".eqx.lock", ".eqx-run"].contains(rel) else { continue }
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue { out[rel] = try Data(contentsOf: url) }
    }
    return out
}

func assertSameResults(_ a: URL, _ b: URL, file: StaticString = #filePath, line: UInt = #line) throws {
    let x = try resultFiles(a), y = try resultFiles(b)
    XCTAssertEqual(x.keys.sorted(), y.keys.sorted(), "the same files", file: file, line: line)
    XCTAssertTrue(x.keys.contains("results.json"), file: file, line: line)
    for k in x.keys.sorted() where x[k] != y[k] {
        XCTFail("\(k) differs between \(a.path) and \(b.path)", file: file, line: line)
    }
}
