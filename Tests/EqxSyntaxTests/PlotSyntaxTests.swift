import XCTest
@testable import EqxSyntax

/// `plot` items with legend labels (`self:`) and strip-chart labels (`plain.self:`), a title and a size.
final class PlotSyntaxTests: XCTestCase {
    func testLabelsTitleAndSizeRoundTrip() throws {
        let text = "plot plain.self:a.barrier,pair :b.barrier, c.curve as \"t\" size page\nplot x.curve size 300x200\n"
        let (script, diagnostics) = parse(SourceFile(name: "t", text: text))
        XCTAssertEqual(diagnostics.filter { $0.severity == .error }, [])
        guard case .plot(nil, let items, let title, let size) = script.statements[0].kind else { return XCTFail("\(script)") }
        XCTAssertEqual(items.map { $0.label?.name }, ["plain.self", "pair", nil])
        XCTAssertEqual(title?.kind, .string("t"))
        XCTAssertEqual(size?.kind, .identifier("page"))
        guard case .plot(nil, _, nil, let dims) = script.statements[1].kind else { return XCTFail() }
        XCTAssertEqual(dims?.kind, .dimensions([300, 200]))
        let out = format(script)
        XCTAssertEqual(out, "plot plain.self: a.barrier, pair: b.barrier, c.curve as \"t\" size page\nplot x.curve size 300x200\n")
        XCTAssertEqual(parse(SourceFile(name: "f", text: out)).0.strippingRanges(), script.strippingRanges())
    }

    func testAMemberAccessIsNotALabel() throws {
        let (script, _) = parse(SourceFile(name: "t", text: "plot a.curve, b.curve\n"))
        guard case .plot(_, let items, _, _) = script.statements[0].kind else { return XCTFail() }
        XCTAssertEqual(items.map { $0.label?.name }, [nil, nil])
    }

    /// `report NAME =` and `plot NAME =` name the output; a label takes `:`, so the two never mix up.
    func testOutputNamesRoundTrip() throws {
        let text = "report accuracies = plain: accuracy(a, d.test), b.barrier\nplot curves = self: m.curve as \"t\"\nreport x: 1\n"
        let (script, diagnostics) = parse(SourceFile(name: "t", text: text))
        XCTAssertEqual(diagnostics.filter { $0.severity == .error }, [])
        guard case .report(let name?, let items) = script.statements[0].kind else { return XCTFail("\(script)") }
        XCTAssertEqual(name.name, "accuracies")
        XCTAssertEqual(items.map { $0.label?.name }, ["plain", nil])
        guard case .plot(let plotName?, let plotItems, _, _) = script.statements[1].kind else { return XCTFail() }
        XCTAssertEqual(plotName.name, "curves")
        XCTAssertEqual(plotItems.map { $0.label?.name }, ["self"])
        guard case .report(nil, let labelled) = script.statements[2].kind else { return XCTFail() }
        XCTAssertEqual(labelled.map { $0.label?.name }, ["x"])
        let out = format(script)
        XCTAssertEqual(out, text)
        XCTAssertEqual(parse(SourceFile(name: "f", text: out)).0.strippingRanges(), script.strippingRanges())
    }

    func testMissingSizeIsAnError() {
        let (_, diagnostics) = parse(SourceFile(name: "t", text: "plot a.curve size\n"))
        XCTAssertTrue(diagnostics.contains { $0.severity == .error }, "\(diagnostics)")
    }
}
