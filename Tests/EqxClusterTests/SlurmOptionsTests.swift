@testable import EqxCluster
import EqxTestSupport
import Foundation
import XCTest

/// The per-project defaults file and how the command line overrides it.
final class SlurmOptionsTests: XCTestCase {
    func testDefaultsFileAndOverrides() throws {
        let dir = try temporaryDirectory(self, "eqx-slurmconf")
        let url = SlurmOptions.defaultsFile(scriptDirectory: dir)
        XCTAssertNil(try SlurmOptions.defaults(from: url).partition, "no file, no defaults")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try write("""
            # lab defaults
            partition = gpu
            account=lab42
            time = 02:00:00   # per unit
            cpus-per-task = 4
            array-limit = 10
            sbatch = --qos=long
            sbatch = --constraint=v100
            """, to: url)
        let d = try SlurmOptions.defaults(from: url)
        XCTAssertEqual(d.arguments(threads: 1).map(\.argument),
                       ["--partition=gpu", "--account=lab42", "--time=02:00:00", "--cpus-per-task=4", "--qos=long", "--constraint=v100"])
        XCTAssertEqual(d.partition?.origin, ".eqx/slurm.conf:2")
        XCTAssertEqual(d.arrayLimit, 10)
        var cli = SlurmOptions()
        cli.partition = .init(argument: "--partition=debug", origin: "--partition")
        cli.extra = [.init(argument: "--exclusive", origin: "--sbatch --exclusive")]
        let o = d.overridden(by: cli)
        XCTAssertEqual(o.partition?.argument, "--partition=debug")
        XCTAssertEqual(o.account?.argument, "--account=lab42")
        XCTAssertEqual(o.extra.map(\.argument), ["--qos=long", "--constraint=v100", "--exclusive"])
    }

    func testBadDefaultsFileSaysWhere() throws {
        let dir = try temporaryDirectory(self, "eqx-slurmconf-bad")
        let url = dir.appendingPathComponent("slurm.conf")
        for (text, message) in [("partition = a\nqueue = b\n", "slurm.conf:2:1: unknown key 'queue'"),
                                ("cpus-per-task = many\n", "slurm.conf:1: cpus-per-task must be a positive integer"),
                                ("just words\n", "slurm.conf:1:1: expected `key = value`"),
                                ("mem =\n", "slurm.conf:1: 'mem' has no value")] {
            try write(text, to: url)
            XCTAssertThrowsError(try SlurmOptions.defaults(from: url)) { e in
                XCTAssertTrue("\(e)".contains(message), "\(e)")
            }
        }
    }
}
