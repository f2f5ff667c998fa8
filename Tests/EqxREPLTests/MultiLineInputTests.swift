@testable import EqxREPL
import XCTest

final class MultiLineInputTests: XCTestCase {
    func testUnclosedBraceContinuesUntilClosed() {
        var t = Transcript()
        XCTAssertTrue(t.type("net tiny {").needsMoreInput)
        XCTAssertTrue(t.session.isContinuing)
        XCTAssertTrue(t.type("  conv 3x3 -> 4 pad 1").needsMoreInput)
        XCTAssertTrue(t.type("  relu").needsMoreInput)
        let done = t.type("}")
        XCTAssertFalse(done.needsMoreInput)
        XCTAssertNil(done.failure, done.errors)
        XCTAssertFalse(t.session.isContinuing)
        XCTAssertContains(t.session.canonicalScript, "net tiny {\n  conv 3x3 -> 4 pad 1\n  relu\n}")
    }
}
