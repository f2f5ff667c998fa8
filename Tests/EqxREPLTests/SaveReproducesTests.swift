@testable import EqxREPL
import Foundation
import XCTest
import EqxTestSupport

/// `:save` writes a script that `eqx run` turns into the same results as the session.
final class SaveReproducesTests: XCTestCase {
    func testSavedSessionRunsToTheSameNumbers() throws {
        let binary = try EqxBinary.require()
        let dir = try temporaryDirectory(self)
        var t = Transcript(ReplSession(options: ReplOptions(directory: dir, threads: 1)))
        for line in [Fixture.digits] + Fixture.mlp + [Fixture.trainSmall] {
            XCTAssertNil(t.type(line).failure)
        }
        // Changing the seed after training runs the session again, and the saved script carries the seed.
        XCTAssertNil(t.type(":set seed 11").failure)
        let report = t.type("report acc: accuracy(small, digits.test), l: loss(small, digits.test)")
        XCTAssertNil(report.failure, report.errors)
        XCTAssertContains(report.output, "report acc_l\n  acc  ")
        let table = try XCTUnwrap(t.session.executor?.tables.values.first { $0.columns == ["acc", "l"] })
        XCTAssertNil(t.type(":save saved.eqx").failure)

        let out = dir.appendingPathComponent("run")
        let run = try runProcess(binary, ["run", "saved.eqx", "--threads", "1", "--out", out.path, "--quiet"], directory: dir)
        XCTAssertEqual(run.status, 0, run.errors)
        // The run's CSV holds every double in its shortest round-tripping form, so equality is exact.
        let csvs = try FileManager.default.contentsOfDirectory(at: out, includingPropertiesForKeys: nil).filter { $0.pathExtension == "csv" }
        let lines = try csvs.map { try String(contentsOf: $0, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init) }
        let row = try XCTUnwrap(lines.first { $0.first == "acc,l" }?.dropFirst().first).split(separator: ",").map { Double($0) }
        guard case .double(let acc) = table.rows[0][0], case .double(let loss) = table.rows[0][1] else {
            return XCTFail("the session's report holds doubles")
        }
        XCTAssertEqual(row, [acc, loss], "the same accuracy and loss, bit for bit")
        XCTAssertContains(try String(contentsOf: dir.appendingPathComponent("saved.eqx"), encoding: .utf8), "seed 11\n")
    }
}
