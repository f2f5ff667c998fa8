import XCTest
@testable import EqxSyntax

/// Parser tests. Error positions are marked inside the source with `⟨ID⟩` where the diagnostic must start
/// (the marker is removed before parsing); every diagnostic must be marked and every marker matched.
final class ParserTests: XCTestCase {
    func statements(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [Statement] {
        let (script, diagnostics) = parse(SourceFile(name: "t.eqx", text: "eqx 1\n" + text))
        XCTAssertEqual(diagnostics, [], file: file, line: line)
        return Array(script.strippingRanges().statements.dropFirst())
    }

    func clauses(_ body: String, file: StaticString = #filePath, line: UInt = #line) -> [Clause] {
        guard case .net(_, _, let cs)? = statements("net n {\n\(body)\n}", file: file, line: line).first?.kind else {
            XCTFail("not a net", file: file, line: line); return []
        }
        return cs
    }

    func expr(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> Expr {
        guard case .let(_, let e)? = statements("let x = \(text)", file: file, line: line).first?.kind else {
            XCTFail("not a let", file: file, line: line); return Expr(.error)
        }
        return e
    }

    let id = { (name: String) in Expr(.identifier(name)) }
    let int = { (v: Int) in Expr(.number(value: Double(v), isInteger: true, text: String(v))) }

    // MARK: Structure

    func testTrainStatement() {
        let s = statements("train plain = cnn(width: 16) on digits.train { mode nominal; batch 64 }")
        let expected = StatementKind.train(
            Identifier("plain"),
            model: Expr(.call(id("cnn"), [Argument(label: Identifier("width"), value: int(16))])),
            data: Expr(.member(id("digits"), Identifier("train"))),
            [Clause(head: Identifier("mode"), arguments: [id("nominal")]),
             Clause(head: Identifier("batch"), arguments: [int(64)])])
        XCTAssertEqual(s.map(\.kind), [expected])
    }

    func testEveryStatementKind() {
        let s = statements("""
            seed 7
            let w = 2
            data d = builtin.digits { limit 10 }
            group g = mirror(horizontal)
            net n(width: 8, depth) { relu }
            block b(c) { relu }
            train t = n on d.train { mode nominal }
            merge m = t with g(t) { match weights }
            report acc: 1, 2
            plot m.curve as "title"
            save t to "t.safetensors"
            repeat 3 as r { seed r }
            for lr in [1, 2] { seed lr }
            """)
        let names = s.map { st -> String in
            switch st.kind {
            case .version: return "version"
            case .seed: return "seed"
            case .let: return "let"
            case .data(_, _, let c): return "data\(c.count)"
            case .group: return "group"
            case .net(_, let p, _): return "net\(p.count)"
            case .block(_, let p, _): return "block\(p.count)"
            case .train: return "train"
            case .merge: return "merge"
            case .report(_, let items): return "report\(items.count)"
            case .plot(_, _, let title, _): return title == nil ? "plot" : "plot-titled"
            case .save: return "save"
            case .repeat(_, let v, let body): return "repeat-\(v?.name ?? "")-\(body.count)"
            case .for(let v, _, let body): return "for-\(v.name)-\(body.count)"
            }
        }
        XCTAssertEqual(names, ["seed", "let", "data1", "group", "net2", "block1", "train", "merge", "report2",
                               "plot-titled", "save", "repeat-r-1", "for-lr-1"])
        guard case .net(_, let ps, _) = s[4].kind else { return XCTFail() }
        XCTAssertEqual(ps, [Parameter(name: Identifier("width"), defaultValue: int(8)), Parameter(name: Identifier("depth"))])
    }

    func testClauseTails() {
        let cs = clauses("""
            c1: conv 3x3 -> 2 * width pad 1 bias false
            global avgpool
            layernorm over spatial affine false
            layernorm over spatial
            batchnorm momentum 0.1
            track loss, accuracy every 10
            match activations on d.train[0..9]
            invariance flip weight 0.5
            schedule step every 5
            stage(64)
            leaky_relu -0.1
            alpha 0..1 step 0.25
            dense -> 8
            residual { relu }
            """)
        func shape(_ c: Clause) -> String {
            "\(c.label?.name ?? "")|\(c.head.name)|\(c.arguments.count)|\(c.output == nil ? "-" : "o")|"
                + c.modifiers.map(\.name.name).joined(separator: ",") + "|\(c.body?.count ?? -1)"
        }
        XCTAssertEqual(cs.map(shape), [
            "c1|conv|1|o|pad,bias|-1",
            "|global|1|-||-1",
            "|layernorm|0|-|over,affine|-1",
            "|layernorm|0|-|over|-1",
            "|batchnorm|0|-|momentum|-1",
            "|track|2|-|every|-1",
            "|match|1|-|on|-1",
            "|invariance|1|-|weight|-1",
            "|schedule|1|-|every|-1",
            "|stage|1|-||-1",
            "|leaky_relu|1|-||-1",
            "|alpha|1|-|step|-1",
            "|dense|0|o||-1",
            "|residual|0|-||1",
        ])
        XCTAssertEqual(cs[0].output, Expr(.binary(.multiply, int(2), id("width"))))
        XCTAssertEqual(cs[9].arguments, [int(64)])
        XCTAssertEqual(cs[10].arguments, [Expr(.unary(.negate, Expr(.number(value: 0.1, isInteger: false, text: "0.1"))))])
        XCTAssertEqual(cs[11].arguments, [Expr(.range(int(0), int(1)))])
    }

    func testPrecedenceAndAssociativity() {
        XCTAssertEqual(expr("1 + 2 * 3"), Expr(.binary(.add, int(1), Expr(.binary(.multiply, int(2), int(3))))))
        XCTAssertEqual(expr("1 - 2 - 3"), Expr(.binary(.subtract, Expr(.binary(.subtract, int(1), int(2))), int(3))))
        XCTAssertEqual(expr("-a.b"), Expr(.unary(.negate, Expr(.member(id("a"), Identifier("b"))))))
        XCTAssertEqual(expr("-a * b"), Expr(.binary(.multiply, Expr(.unary(.negate, id("a"))), id("b"))))
        XCTAssertEqual(expr("a..b + 1"), Expr(.range(id("a"), Expr(.binary(.add, id("b"), int(1))))))
        XCTAssertEqual(expr("f(x)[0].y"), Expr(.member(Expr(.index(Expr(.call(id("f"), [Argument(value: id("x"))])), int(0))), Identifier("y"))))
        XCTAssertEqual(expr("(1 + 2)"), Expr(.binary(.add, int(1), int(2))))
        XCTAssertEqual(expr("[1, 2,]"), Expr(.list([int(1), int(2)])))
        XCTAssertEqual(expr("[]"), Expr(.list([])))
        XCTAssertEqual(expr("3x3"), Expr(.dimensions([3, 3])))
        XCTAssertEqual(expr("true"), Expr(.bool(true)))
        XCTAssertEqual(expr(#""a\nb""#), Expr(.string("a\nb")))
        XCTAssertEqual(expr("5e-4"), Expr(.number(value: 5e-4, isInteger: false, text: "5e-4")))
    }

    func testReservedWordsAreFineAsMemberNamesAndLabels() {
        XCTAssertEqual(expr("load(x, data: d.train)"),
                       Expr(.call(id("load"), [Argument(value: id("x")),
                                               Argument(label: Identifier("data"), value: Expr(.member(id("d"), Identifier("train"))))])))
        guard case .report(_, let items)? = statements("report train: 1").first?.kind else { return XCTFail() }
        XCTAssertEqual(items.first?.label?.name, "train")
        let cs = clauses("data: relu\nnet: conv 3x3 -> 8")
        XCTAssertEqual(cs.map { $0.label?.name }, ["data", "net"])
    }

    func testContextualWordsAreOrdinaryNames() {
        XCTAssertEqual(expr("on + with"), Expr(.binary(.add, id("on"), id("with"))))
        guard case .train(_, let model, let data, _)? = statements("train t = as on in {}").first?.kind else { return XCTFail() }
        XCTAssertEqual(model, id("as"))
        XCTAssertEqual(data, id("in"))
    }

    func testNewlinesAreIgnoredInsideParenthesesAndBrackets() {
        let s = statements("let x = f(\n  a,\n  b: [1,\n 2]\n)\nseed 1")
        XCTAssertEqual(s.count, 2)
    }

    func testRangesOfNodes() {
        let text = "eqx 1\ntrain t = cnn on d.train {\n  conv 3x3 -> 8 pad 1\n}\n"
        let (script, d) = parse(SourceFile(name: "t", text: text))
        XCTAssertEqual(d, [])
        let s = script.statements[1]
        XCTAssertEqual(s.keywordRange, SourceRange(start: 6, end: 11))
        XCTAssertEqual(s.range, SourceRange(start: 6, end: text.utf8.count - 1))
        guard case .train(let name, let model, let data, let cs) = s.kind else { return XCTFail() }
        XCTAssertEqual(name.range, SourceRange(start: 12, end: 13))
        XCTAssertEqual(model.range, SourceRange(start: 16, end: 19))
        XCTAssertEqual(data.range, SourceRange(start: 23, end: 30))
        let clauseStart = text.utf8.count - "conv 3x3 -> 8 pad 1\n}\n".utf8.count
        XCTAssertEqual(cs[0].range, SourceRange(start: clauseStart, end: clauseStart + 19))
        XCTAssertEqual(cs[0].head.range, SourceRange(start: clauseStart, end: clauseStart + 4))
        XCTAssertEqual(cs[0].modifiers[0].value.range, SourceRange(start: clauseStart + 18, end: clauseStart + 19))
    }

    func testCommentsAttach() {
        let text = """
            # lead
            eqx 1  # trail
            net n {  # open
              # before relu
              relu  # after relu
              # close
            }  # after net
            # end
            """
        let (script, d) = parse(SourceFile(name: "t", text: text))
        XCTAssertEqual(d, [])
        XCTAssertEqual(script.statements[0].trivia, Trivia(leadingComments: ["# lead"], trailingComment: "# trail"))
        XCTAssertEqual(script.statements[1].trivia,
                       Trivia(trailingComment: "# after net", openingComment: "# open", closingComments: ["# close"]))
        guard case .net(_, _, let cs) = script.statements[1].kind else { return XCTFail() }
        XCTAssertEqual(cs[0].trivia, Trivia(leadingComments: ["# before relu"], trailingComment: "# after relu"))
        XCTAssertEqual(script.trailingComments, ["# end"])
    }

    // MARK: Empty scripts and the version line

    func testEmptyScripts() {
        for text in ["", "\n\n", "  # only a comment\n", ";;\n"] {
            let (script, d) = parse(SourceFile(name: "t", text: text))
            XCTAssertEqual(d.map(\.id), ["E0201"], text)
            XCTAssertEqual(d.first?.range, SourceRange(start: 0, end: 0), "at 1:1, like every other error")
            XCTAssertTrue(script.statements.isEmpty)
        }
        XCTAssertEqual(parse(SourceFile(name: "t", bytes: [0xEF, 0xBB, 0xBF])).1.map(\.id), ["E0201"])
        XCTAssertEqual(parse(SourceFile(name: "t", text: "eqx 1")).1, [])
    }

    func testMissingVersionIsAWarningWithAFixIt() {
        let (_, d) = assertDiagnostics("# comment\n⟨W0201⟩seed 7\n")
        XCTAssertEqual(d[0].severity, .warning)
        XCTAssertEqual(d[0].fixIts, [FixIt(range: SourceRange(start: 0, end: 0), replacement: "eqx 1\n")])
    }

    func testUnsupportedAndMisplacedVersion() {
        assertDiagnostics("eqx ⟨E0202⟩2\n")
        assertDiagnostics("eqx ⟨E0202⟩1.0\n")
        assertDiagnostics("eqx 1\nseed 1\n⟨E0212⟩eqx 1\n")
        assertDiagnostics("eqx⟨E0203⟩\nseed 1\n")
    }

    // MARK: Errors, marked where they must be reported

    func testMissingEquals() {
        let (_, d) = assertDiagnostics("eqx 1\ndata digits ⟨E0203⟩builtin.digits\n")
        XCTAssertEqual(d[0].message, "expected '=' after data name 'digits'")
        XCTAssertEqual(d[0].fixIts.first?.replacement, "= ")
        assertDiagnostics("eqx 1\nlet x⟨E0203⟩\nseed 1\n")
    }

    func testKeywordAsName() {
        let (script, _) = assertDiagnostics("eqx 1\ndata ⟨E0204⟩train = builtin.digits\nnet n(⟨E0204⟩repeat: 2) { relu }\n")
        XCTAssertEqual(script.statements.count, 3, "recovered statements are kept")
    }

    func testMissingBraceAtEndOfFile() {
        let (_, d) = assertDiagnostics("eqx 1\nnet n ⟨E0205⟩{\n  relu\n")
        XCTAssertEqual(d[0].fixIts, [FixIt(range: SourceRange(start: 21, end: 21), replacement: "}\n")])
        assertDiagnostics("eqx 1\nrepeat 2 ⟨E0205⟩{\n  seed 1\n")
        assertDiagnostics("eqx 1\nnet n ⟨E0205⟩{\n  residual ⟨E0205⟩{\n    relu")
    }

    func testMissingBraceBeforeTheNextStatement() {
        let (script, _) = assertDiagnostics("eqx 1\nnet n ⟨E0205⟩{\n  relu\ntrain t = n on d { mode nominal }\nseed 2\n")
        XCTAssertEqual(script.statements.count, 4, "the statements after the unclosed body are parsed")
    }

    func testUnbalancedParentheses() {
        assertDiagnostics("eqx 1\nlet a = f(1, 2⟨E0206⟩\nseed 1\n")
        assertDiagnostics("eqx 1\nlet a = [1, 2⟨E0206⟩\nlet b = (3⟨E0206⟩\n")
        assertDiagnostics("eqx 1\nlet a = f(1 ⟨E0206⟩2)\n")
        assertDiagnostics("eqx 1\nseed 1⟨E0206⟩)\n⟨E0206⟩}\n")
        assertDiagnostics("eqx 1\nnet n {\n  relu\n  ⟨E0206⟩)\n}\n")
        // A dedented line inside an unclosed argument list: the ')' was forgotten on the line before.
        assertDiagnostics("eqx 1\ntrain t = n on d {\n  optimizer sgd(lr: 0.1,⟨E0206⟩\n  batch 3\n}\n")
    }

    func testTrainWithoutOn() {
        let (script, d) = assertDiagnostics("eqx 1\ntrain t = cnn ⟨E0207⟩digits.train { mode nominal }\n")
        XCTAssertEqual(d[0].message, "expected 'on' and the training data in train 't'")
        XCTAssertEqual(d[0].help, "train t = MODEL on DATA { options }")
        guard case .train(_, _, let data, let cs) = script.statements[1].kind else { return XCTFail() }
        XCTAssertEqual(data.strippingRanges(), Expr(.member(id("digits"), Identifier("train"))))
        XCTAssertEqual(cs.count, 1)
        assertDiagnostics("eqx 1\ntrain t = cnn ⟨E0207⟩{ mode nominal }\n")
        assertDiagnostics("eqx 1\nmerge m = a ⟨E0207⟩b { match weights }\n")
        assertDiagnostics("eqx 1\nsave a ⟨E0207⟩\"a.safetensors\"\n")
        assertDiagnostics("eqx 1\nfor x ⟨E0207⟩[1] { seed x }\n")
    }

    func testUnknownStatementSuggestsAKeyword() {
        let (_, d) = assertDiagnostics("eqx 1\n⟨E0208⟩trian t = n on d { mode nominal }\nseed 1\n")
        XCTAssertEqual(d[0].help, "did you mean 'train'?")
        XCTAssertEqual(d[0].fixIts.first?.replacement, "train")
        assertDiagnostics("eqx 1\n⟨E0208⟩conv 3x3 -> 8\n⟨E0208⟩{\n  relu\n}\nseed 1\n")
    }

    func testJunkAfterAStatement() {
        assertDiagnostics("eqx 1\nseed 7 ⟨E0209⟩8\nlet a = 1 ⟨E0209⟩2; seed 3\n")
    }

    func testExpectedExpression() {
        assertDiagnostics("eqx 1\nseed⟨E0210⟩\nlet a = 1 +⟨E0210⟩\nlet b = [1, ⟨E0210⟩, 2]\nlet c = ⟨E0210⟩.5\n")
    }

    func testClauseErrors() {
        assertDiagnostics("eqx 1\nnet n {\n  conv 3x3 stride 2 ⟨E0211⟩-> 8\n  linear -> 10 bias⟨E0203⟩\n  relu 1 ⟨E0211⟩2\n}\n")
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000)
        let (_, d) = parse(SourceFile(name: "t", text: "eqx 1\nlet a = \(deep)\nseed 1\n"))
        XCTAssertEqual(d.map(\.id), ["E0214"])
        let chain = (0..<5000).map { _ in "1" }.joined(separator: " + ")
        XCTAssertEqual(parse(SourceFile(name: "t", text: "eqx 1\nlet a = \(chain)\n")).1.map(\.id), ["E0214"])
        let braces = String(repeating: "repeat 2 {\n", count: 300) + String(repeating: "}\n", count: 300)
        XCTAssertEqual(parse(SourceFile(name: "t", text: "eqx 1\n" + braces)).1.map(\.id), ["E0214"])
        let clauses = "net n {\n" + String(repeating: "residual {\n", count: 300) + String(repeating: "}\n", count: 301)
        XCTAssertEqual(parse(SourceFile(name: "t", text: "eqx 1\n" + clauses)).1.map(\.id), ["E0214"])
    }

    func testManyErrorsInOneRun() {
        assertDiagnostics("""
            eqx 1
            data digits ⟨E0203⟩builtin.digits
            group flip = mirror(horizontal⟨E0206⟩
            net cnn {
              conv 3x3 -> 8 pad⟨E0203⟩
              relu
            }
            train t = cnn ⟨E0207⟩digits.train {
              mode nominal
            }
            ⟨E0208⟩reprot t
            """)
    }

    func testBraceOnTheNextLine() {
        let (script, _) = assertDiagnostics("eqx 1\nnet n\n⟨E0203⟩{\n  relu\n}\n")
        guard case .net(_, _, let cs) = script.statements[1].kind else { return XCTFail() }
        XCTAssertEqual(cs.count, 1)
    }

    func testEveryErrorHasAHelpfulMessage() {
        let (_, d) = parse(SourceFile(name: "t", text: "eqx 1\nlet x\nnet n(a: ) {\n  conv 3x3 ->\n}\n"))
        XCTAssertFalse(d.isEmpty)
        for diagnostic in d {
            XCTAssertNotNil(diagnostic.range)
            XCTAssertFalse(diagnostic.message.isEmpty)
            XCTAssertNotNil(diagnostic.label, diagnostic.message)
        }
    }
}

final class ErrorLimitTests: XCTestCase {
    func testErrorsStopAtTheLimitWithOneFinalDiagnostic() {
        let (_, d) = parse(SourceFile(name: "t", text: "eqx 1\n" + String(repeating: "}\n", count: 500)))
        XCTAssertEqual(d.count, Parser.maximumErrors + 1)
        XCTAssertEqual(d.last?.id, "E0215")
        let (_, lexical) = parse(SourceFile(name: "t", text: "eqx 1\n" + String(repeating: "@ ", count: 500)))
        XCTAssertEqual(lexical.filter { $0.id == "E0215" }.count, 1)
        XCTAssertLessThanOrEqual(lexical.count, Parser.maximumErrors + 1)
    }
}
