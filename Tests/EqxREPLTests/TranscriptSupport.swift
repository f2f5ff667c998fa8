@testable import EqxREPL
import Foundation
import XCTest

/// Drives a session line by line and collects what it answered.
struct Transcript {
    let session: ReplSession
    var responses: [ReplResponse] = []

    init(_ session: ReplSession = ReplSession(options: ReplOptions(threads: 1))) {
        self.session = session
    }

    /// Submits every line; returns the combined answer to them.
    @discardableResult
    mutating func type(_ lines: String...) -> ReplResponse {
        var all = ReplResponse()
        for l in lines {
            let r = session.submit(l)
            responses.append(r)
            all.append(r)
        }
        return all
    }
}

func XCTAssertContains(_ text: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertTrue(text.contains(fragment), "expected to find\n\(fragment)\nin\n\(text)", file: file, line: line)
}

func XCTAssertNotContains(_ text: String, _ fragment: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertFalse(text.contains(fragment), "did not expect\n\(fragment)\nin\n\(text)", file: file, line: line)
}
