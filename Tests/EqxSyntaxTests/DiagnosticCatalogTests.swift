import Foundation
import XCTest

/// docs/diagnostics.md claims to list every diagnostic: each id literal in the sources has its section
/// there, and each section is of an id the sources still emit.
final class DiagnosticCatalogTests: XCTestCase {
    /// `"E0215"`, `"W0401"`: how every diagnostic id is written in the sources.
    static let idLiteral = try! NSRegularExpression(pattern: #""([EW][0-9]{4})""#)
    static let section = try! NSRegularExpression(pattern: #"^### ([EW][0-9]{4})$"#, options: .anchorsMatchLines)

    func matches(_ pattern: NSRegularExpression, in text: String) -> Set<String> {
        let range = NSRange(text.startIndex..., in: text)
        return Set(pattern.matches(in: text, range: range).map { (text as NSString).substring(with: $0.range(at: 1)) })
    }

    /// Ids in the Swift files of every target (`Sources/Eqx*` and the `eqx` executable).
    func sourceIDs() throws -> Set<String> {
        let sources = Fixtures.packageRoot.appendingPathComponent("Sources")
        var ids = Set<String>()
        for target in try FileManager.default.contentsOfDirectory(atPath: sources.path) where target.lowercased().hasPrefix("eqx") {
            let enumerator = FileManager.default.enumerator(atPath: sources.appendingPathComponent(target).path)
            while let path = enumerator?.nextObject() as? String {
                guard path.hasSuffix(".swift") else { continue }
                let url = sources.appendingPathComponent(target).appendingPathComponent(path)
                ids.formUnion(matches(Self.idLiteral, in: try String(contentsOf: url, encoding: .utf8)))
            }
        }
        return ids
    }

    func testEveryEmittedIDIsDocumentedAndEveryDocumentedIDIsEmitted() throws {
        let emitted = try sourceIDs()
        XCTAssertTrue(emitted.isSuperset(of: ["E0101", "E0215", "E0901", "W0401"]), "the scan finds ids: \(emitted.sorted())")
        let doc = try String(contentsOf: Fixtures.packageRoot.appendingPathComponent("docs/diagnostics.md"), encoding: .utf8)
        let documented = matches(Self.section, in: doc)
        XCTAssertEqual(emitted.subtracting(documented).sorted(), [],
                       "add them to docs/tools/diagnostics.py and run `python3 docs/tools/diagnostics.py .build/release/eqx`")
        XCTAssertEqual(documented.subtracting(emitted).sorted(), [], "documented but never emitted")
    }
}
