import EqxData
import EqxIR
@testable import EqxRuntime
import Foundation
import XCTest
import EqxTestSupport

/// Match points and several curves as a script uses them: what `results.json` and the report tables say,
/// against the separate merge statements that ask for one curve each.
final class MergeProtocolTests: XCTestCase {
    let script = """
        eqx 1
        seed 4
        data digits = builtin.digits
        net cnn { conv 3x3 -> 6 pad 1; batchnorm; relu; maxpool 2; conv 3x3 -> 8 pad 1; batchnorm; relu; global avgpool; linear -> 10 }
        train a = cnn on digits.train[0..299] { optimizer sgd(lr: 0.1, momentum: 0.9); batch 50; epochs 2 }
        train b = cnn on digits.train[0..299] { optimizer sgd(lr: 0.1, momentum: 0.9); batch 50; epochs 2 }
        merge m = a with b { match activations on digits.train[0..199] at relu; alpha 0..1 step 0.5; reset batchnorm on digits.train[0..199]; curves reset, plain, repair; evaluate digits.test }
        merge plain = a with b { match activations on digits.train[0..199] at relu; alpha 0..1 step 0.5; evaluate digits.test }
        merge reset = a with b { match activations on digits.train[0..199] at relu; alpha 0..1 step 0.5; reset batchnorm on digits.train[0..199]; evaluate digits.test }
        merge repair = a with b { match activations on digits.train[0..199] at relu; alpha 0..1 step 0.5; repair; evaluate digits.test }
        merge pooled = a with b { match activations on digits.train[0..199]; alpha 0..1 step 0.5; evaluate digits.test }
        report barriers = own: m.barrier, r: m.reset.barrier, p: m.plain.barrier, q: m.repair.barrier, sr: reset.barrier, sp: plain.barrier, sq: repair.barrier
        report midpoints = at_r: accuracy(m.reset.at(0.5), digits.test), at_m: accuracy(m.at(0.5), digits.test), at_sr: accuracy(reset.at(0.5), digits.test), at_p: accuracy(m.plain.at(0.5), digits.test), at_sp: accuracy(plain.at(0.5), digits.test)
        plot every = m
        plot one = m.repair

        """

    func testResultsShowMatchPointsAndEveryCurveFromOneMatching() throws {
        let e = try executeScript(script, name: "merge-protocol", self)
        guard case .object(let all) = e.resultsJSON(complete: true), case .object(let merges)? = all["merges"],
              case .object(let m)? = merges["m"], case .object(let pooled)? = merges["pooled"],
              case .object(let reset)? = merges["reset"] else { return XCTFail("no merges in results.json") }
        // The points used, per symbol: post-ReLU for `at relu`, after the pools by default.
        func points(_ o: [String: JSONValue]) -> [String] {
            guard case .array(let items)? = o["match_points"] else { return [] }
            return items.map { item in
                guard case .object(let f) = item, case .string(let s)? = f["symbol"], case .string(let l)? = f["layer"] else { return "?" }
                return "\(s):\(l)"
            }
        }
        XCTAssertEqual(points(m), ["conv1:relu1", "conv2:relu2"])
        XCTAssertEqual(points(pooled), ["conv1:maxpool1", "conv2:global_avgpool1"])
        XCTAssertEqual(m["matchings"], .int(1))
        guard case .array(let variants)? = m["variants"] else { return XCTFail("no variants") }
        XCTAssertEqual(variants.map { v -> JSONValue? in if case .object(let f) = v { return f["curve"] } else { return nil } },
                       [.string("reset"), .string("plain"), .string("repair")])
        // The merge's own fields are its first curve's, and equal the separate reset merge's.
        guard case .object(let first) = variants[0], case .object(let plainCurve) = variants[1],
              case .object(let repaired) = variants[2] else { return XCTFail() }
        XCTAssertNotEqual(plainCurve["curves"], repaired["curves"])
        XCTAssertNotEqual(plainCurve["curves"], first["curves"])
        XCTAssertEqual(m["curves"], first["curves"])
        XCTAssertEqual(m["curves"], reset["curves"])
        XCTAssertEqual(m["symbols"], reset["symbols"])

        let t = try XCTUnwrap(e.tables["barriers"])
        var v: [String: ResultTable.Value] = [:]
        for (c, x) in zip(t.columns, t.rows[0]) { v[c] = x }
        XCTAssertEqual(v["own"], v["sr"]); XCTAssertEqual(v["r"], v["sr"])
        XCTAssertEqual(v["p"], v["sp"]); XCTAssertEqual(v["q"], v["sq"])
        let at = try XCTUnwrap(e.tables["midpoints"])
        var w: [String: ResultTable.Value] = [:]
        for (c, x) in zip(at.columns, at.rows[0]) { w[c] = x }
        XCTAssertEqual(w["at_r"], w["at_sr"]); XCTAssertEqual(w["at_m"], w["at_sr"]); XCTAssertEqual(w["at_p"], w["at_sp"])

        // `plot m` draws every curve, named after it; `plot m.repair` that curve alone, as the separate merge's.
        func series(_ name: String) throws -> [String: [(x: Double, y: Double)]] {
            for case .plot(let p) in e.program.steps where p.name == name {
                guard case .curves(let cs) = try e.plotContribution(p) else { return [:] }
                return Dictionary(cs.filter { $0.panel == .loss }.map { ($0.series, $0.points) }) { a, _ in a }
            }
            return [:]
        }
        let every = try series("every"), one = try series("one")
        XCTAssertEqual(Set(every.keys), ["m reset, test", "m plain, test", "m repair, test"])
        XCTAssertEqual(Array(one.keys), ["m.repair, test"])
        XCTAssertEqual(one["m.repair, test"]?.map(\.y), every["m repair, test"]?.map(\.y))
        guard case .array(let repairCurves)? = merges["repair"].flatMap({ if case .object(let o) = $0 { return o["curves"] } else { return nil } }),
              case .object(let test)? = repairCurves.first, case .array(let losses)? = test["loss"] else { return XCTFail() }
        XCTAssertEqual(one["m.repair, test"]?.map { JSONValue.double($0.y) }, losses)
    }
}
