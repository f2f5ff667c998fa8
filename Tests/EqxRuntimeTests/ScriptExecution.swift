import EqxRuntime
import EqxSyntax
import Foundation
import XCTest
import EqxTestSupport

/// Checks and runs a script in memory (one thread, no files), for tests that read the executor's tables
/// and trained networks.
func executeScript(_ text: String, name: String, _ test: XCTestCase) throws -> Executor {
    let dir = try temporaryDirectory(test, "eqx-\(name)")
    let checked = Pipeline.check(SourceFile(name: "\(name).eqx", text: text), baseDirectory: dir)
    let program = try XCTUnwrap(checked.program, "\(checked.diagnostics.map(\.message))")
    let e = Executor(program: program, canonicalSource: checked.canonicalSource,
                     options: RunOptions(scriptName: name, scriptDirectory: dir, threads: 1, writesFiles: false))
    try e.run()
    return e
}
