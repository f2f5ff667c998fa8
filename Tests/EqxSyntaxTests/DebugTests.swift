import XCTest
@testable import EqxSyntax
final class DebugTests: XCTestCase {
    func testDebug() {
        guard let src = ProcessInfo.processInfo.environment["EQX_SRC"] else { return }
        let file = SourceFile(name: "t.eqx", text: src)
        let (script, diags) = parse(file)
        print(DiagnosticRenderer().render(diags, in: file))
        print(format(script))
    }
}
