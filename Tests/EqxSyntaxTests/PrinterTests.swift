import XCTest
@testable import EqxSyntax

final class PrinterTests: XCTestCase {
    func formatted(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String {
        let (script, d) = parse(SourceFile(name: "t", text: text))
        XCTAssertEqual(d.filter { $0.severity == .error }, [], file: file, line: line)
        let out = format(script)
        // Every formatting is a fixed point and round-trips.
        let (again, d2) = parse(SourceFile(name: "f", text: out))
        XCTAssertEqual(d2.filter { $0.severity == .error }, [], file: file, line: line)
        XCTAssertEqual(again.strippingRanges(), script.strippingRanges(), file: file, line: line)
        XCTAssertEqual(format(again), out, file: file, line: line)
        return out
    }

    func testCanonicalLayout() {
        let text = """
            eqx 1;seed   7
            data d=builtin.digits{resize 14x14;limit 1_000}
            net cnn(width:32){conv 3x3->2*width pad 1;relu
            global avgpool;linear->10}
            train t=cnn(width:16)on d.train{mode augmented(flip,random);optimizer sgd(lr:5e-4,momentum:0.9)}
            report acc:accuracy(t,d.test),t.curve
            plot t.curve,t.loss as "a \\"b\\""
            """
        XCTAssertEqual(formatted(text), """
            eqx 1
            seed 7

            data d = builtin.digits {
              resize 14x14
              limit 1_000
            }

            net cnn(width: 32) {
              conv 3x3 -> 2 * width pad 1
              relu
              global avgpool
              linear -> 10
            }

            train t = cnn(width: 16) on d.train {
              mode augmented(flip, random)
              optimizer sgd(lr: 5e-4, momentum: 0.9)
            }

            report acc: accuracy(t, d.test), t.curve
            plot t.curve, t.loss as "a \\"b\\""

            """)
    }

    func testMinimalParentheses() {
        let cases = [
            ("(1 + 2) * 3", "(1 + 2) * 3"), ("1 + (2 * 3)", "1 + 2 * 3"), ("1 - (2 - 3)", "1 - (2 - 3)"),
            ("(1 - 2) - 3", "1 - 2 - 3"), ("a / (b / c)", "a / (b / c)"), ("a * (b / c)", "a * (b / c)"),
            ("-(a)", "-a"), ("-(a + b)", "-(a + b)"), ("(-a).b", "(-a).b"), ("-(a.b)", "-a.b"),
            ("(a + b).c", "(a + b).c"), ("(a..b)", "a..b"), ("(a + 1)..(b * 2)", "a + 1..b * 2"),
            ("((1))", "1"), ("[(1 + 2)]", "[1 + 2]"), ("f((a))", "f(a)"), ("(f)(x)", "f(x)"), ("- -1", "--1"),
            ("(1).x", "1.x"), ("(2.5).x", "2.5.x"), ("(a..b).c", "(a..b).c"), ("((a..b)..c)", "(a..b)..c"),
        ]
        for (input, output) in cases {
            XCTAssertEqual(formatted("eqx 1\nlet x = \(input)\n"), "eqx 1\n\nlet x = \(output)\n", input)
        }
    }

    func testNumbersAndStringsAsWritten() {
        XCTAssertEqual(formatted("eqx 1\nlet x = [1E+3, 0.50, 1_0, 3x3x1]\n"), "eqx 1\n\nlet x = [1E+3, 0.50, 1_0, 3x3x1]\n")
        XCTAssertEqual(formatted("eqx 1\nlet s = \"tab\there \\t ∂ \\\\ \\n\"\n"),
                       "eqx 1\n\nlet s = \"tab\\there \\t ∂ \\\\ \\n\"\n")
    }

    func testCommentsAreKept() {
        let text = """
            # header
            eqx 1  # version

            net n {  # open
              # lead
              residual {
                relu  # inner
              }
              # close
            }  # after
            let x = f(a,  # moved
                      b)
            # the end
            """
        XCTAssertEqual(formatted(text), """
            # header
            eqx 1  # version

            net n {  # open
              # lead
              residual {
                relu  # inner
              }
              # close
            }  # after

            # moved
            let x = f(a, b)

            # the end

            """)
    }

    func testEmptyBodiesAndOptionalData() {
        XCTAssertEqual(formatted("eqx 1\nnet n {\n}\ndata d = x {}\nrepeat 2 {}\nnet m { r {} }\n"), """
            eqx 1

            net n {}

            data d = x

            repeat 2 {}

            net m {
              r {}
            }

            """)
    }

    func testBlankLinesSeparateKindsAndBodies() {
        XCTAssertEqual(formatted("eqx 1\nseed 1\nlet a = 1\nlet b = 2\ngroup g = x\nreport a\nplot b\nsave a to \"f\"\n"), """
            eqx 1
            seed 1

            let a = 1
            let b = 2

            group g = x

            report a
            plot b
            save a to "f"

            """)
    }

    func testNestedStatementBodiesIndent() {
        XCTAssertEqual(formatted("eqx 1\nfor a in [1] { repeat 2 as r { train t = n on d { mode nominal }; report r } }\n"), """
            eqx 1

            for a in [1] {
              repeat 2 as r {
                train t = n on d {
                  mode nominal
                }

                report r
              }
            }

            """)
    }

    func testClauseFormsRoundTrip() {
        let text = """
            eqx 1
            net n {
              c: conv 3x3 -> 2 * w pad 1 bias false
              layernorm over spatial affine false
              global avgpool
              track loss, accuracy every 10
              match activations on d.train[0..9]
              leaky_relu -0.1
              stage 64, 32
              alpha [0, 0.5] step 1
            }
            """
        XCTAssertEqual(formatted(text), text.replacingOccurrences(of: "eqx 1\n", with: "eqx 1\n\n") + "\n")
    }
}
