@testable import EqxREPL
import Foundation
import XCTest
import EqxTestSupport

/// Tab after `:load` and `:save` completes paths: relative to the session's directory, absolute, `../`
/// and `~/`, directories with a trailing `/`; once a path is complete, Tab offers nothing more.
final class PathCompletionTests: XCTestCase {
    var root: URL!
    var session: ReplSession!

    override func setUpWithError() throws {
        root = try temporaryDirectory(self)
        let fm = FileManager.default
        for d in ["work/scripts", "work/scratch", "other"] {
            try fm.createDirectory(at: root.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        for f in ["work/flip.eqx", "work/flop.eqx", "work/.hidden.eqx", "work/scripts/a.eqx", "other/b-c.eqx"] {
            try Data("eqx 1\n".utf8).write(to: root.appendingPathComponent(f))
        }
        session = ReplSession(options: ReplOptions(directory: root.appendingPathComponent("work"), threads: 1))
    }

    func words(_ word: String, before: String) -> [String] {
        guard case .words(let w) = session.completions(for: word, before: before) else { return [] }
        return w
    }

    func testRelativeNamesAndDirectories() {
        XCTAssertEqual(words("", before: ":load "), ["flip.eqx", "flop.eqx", "scratch/", "scripts/"], "no hidden files")
        XCTAssertEqual(words("fl", before: ":load "), ["flip.eqx", "flop.eqx"])
        XCTAssertEqual(words("sc", before: ":load "), ["scratch/", "scripts/"])
        XCTAssertEqual(words("scripts/", before: ":load "), ["scripts/a.eqx"])
        XCTAssertEqual(words(".h", before: ":load "), [".hidden.eqx"], "hidden files after a dot")
        XCTAssertEqual(words("fl", before: ":sa "), ["flip.eqx", "flop.eqx"], "a command prefix works too")
    }

    func testParentAbsoluteAndHome() throws {
        XCTAssertEqual(words("..", before: ":load "), ["../"])
        XCTAssertEqual(words("../o", before: ":load "), ["../other/"])
        XCTAssertEqual(words("../other/", before: ":load "), ["../other/b-c.eqx"])
        let absolute = root.appendingPathComponent("other").path + "/"
        XCTAssertEqual(words(absolute + "b", before: ":load "), [absolute + "b-c.eqx"])
        XCTAssertEqual(words("~", before: ":load "), ["~/"])
        let home = FileManager.default.homeDirectoryForCurrentUser
        let listed = try FileManager.default.contentsOfDirectory(atPath: home.path).filter { !$0.hasPrefix(".") }
        if let some = listed.first {
            XCTAssertTrue(words("~/", before: ":load ").contains { $0.hasPrefix("~/" + some) }, "names under ~ keep the ~")
        }
    }

    /// readline breaks words at `-`: the path typed before the word still counts.
    func testWordBreaksInsideAPath() {
        XCTAssertEqual(words("c", before: ":load ../other/b-"), ["c.eqx"])
    }

    /// A completed path followed by a space is finished: a second Tab must not append the name again.
    func testNoSecondNameAfterACompletedPath() {
        XCTAssertEqual(words("", before: ":load flip.eqx "), [])
        XCTAssertEqual(words("fl", before: ":load flip.eqx "), [])
    }
}
