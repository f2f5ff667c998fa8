import EqxIR
import EqxSyntax
import XCTest

/// Golden text of checker diagnostics as `eqx check` prints them (no colour).
final class RenderedDiagnosticTests: XCTestCase {
    func rendered(_ text: String, name: String) -> String {
        let (file, _, diagnostics) = checkText(text, name: name)
        return DiagnosticRenderer().render(diagnostics, in: file)
    }

    func testShapeMismatchNamesBothShapesAndWhereTheInputCameFrom() {
        let text = """
            eqx 1
            data digits = builtin.digits
            net cnn {
              conv 3x3 -> 16 pad 1
              relu
              pool: maxpool 2
              fc: linear -> 10 in 128
            }
            train t = cnn on digits.train { epochs 1 }

            """
        XCTAssertEqual(rendered(text, name: "examples/flip.eqx"), """
            error[E0301]: shape mismatch in 'fc': expected input [N, 128], got [N, 256]
             --> examples/flip.eqx:7:7
              |
            7 |   fc: linear -> 10 in 128
              |       ^^^^^^ expected [N, 128]
              = note: the input comes from 'pool' at examples/flip.eqx:6:3

            1 error

            """)
    }

    func testUnknownNameWithSuggestion() {
        let text = """
            eqx 1
            data digits = builtin.digits
            net cnn {
              flatten
              linear -> 10
            }
            train t = cnnn on digits.train { epochs 1 }

            """
        XCTAssertEqual(rendered(text, name: "typo.eqx"), """
            error[E0401]: unknown network 'cnnn'
             --> typo.eqx:7:11
              |
            7 | train t = cnnn on digits.train { epochs 1 }
              |           ^^^^ not found
              = help: did you mean 'cnn'?

            1 error

            """)
    }

    func testInvolutionsNeedAnElementOfOrderTwo() {
        let text = """
            eqx 1
            data digits = builtin.digits
            group rot = rotations(4)
            net mlp {
              flatten
              linear -> 10
            }
            train a = mlp on digits.train { epochs 1 }
            merge m = a with rot(a, "r3") {
              match weights
              involutions
            }

            """
        XCTAssertEqual(rendered(text, name: "quarter.eqx"), """
            error[E0704]: 'involutions' needs a group element with g² = e, but r3 has order 4 in rotations(4)
              --> quarter.eqx:11:3
               |
            11 |   involutions
               |   ^^^^^^^^^^^ r3∘r3 ≠ e
               = note: the merge target is rot(a, "r3") at quarter.eqx:9:18
               = help: merge with an element of order 2, e.g. 'with rot(a, "r2")', or remove 'involutions'

            1 error

            """)
    }

    func testMergeOfDifferentArchitecturesWithNotes() {
        let text = """
            eqx 1
            data digits = builtin.digits
            net mlp(hidden: 16) {
              flatten
              linear -> hidden
              relu
              linear -> 10
            }
            train a = mlp on digits.train { epochs 1 }
            train b = mlp(hidden: 32) on digits.train { epochs 1 }
            merge m = a with b { match weights }

            """
        XCTAssertEqual(rendered(text, name: "merge.eqx"), """
            error[E0701]: cannot merge networks with different architectures: 'a' is mlp(hidden: 16), 'b' is mlp(hidden: 32)
              --> merge.eqx:11:18
               |
            11 | merge m = a with b { match weights }
               |                  ^ architecture differs
               = note: 'mlp(hidden: 16)' has 1210 parameters in 4 layers at merge.eqx:11:11
               = note: 'mlp(hidden: 32)' has 2410 parameters in 4 layers at merge.eqx:11:18
               = help: merge two networks trained from the same declaration with the same arguments

            1 error

            """)
    }

    func testGroupWarningAndRegularChannelError() {
        let text = """
            eqx 1
            data digits = builtin.digits
            group shifts = translations
            group rot = rotations(4)
            net cnn(width: 6) {
              conv 3x3 -> width pad 1
              relu
              global avgpool
              linear -> 10
            }
            train a = cnn(width: 8) on digits.train { mode equivariant(shifts) }
            train b = cnn on digits.train { mode equivariant(rot, channels: regular) }

            """
        XCTAssertEqual(rendered(text, name: "groups.eqx"), """
            warning[W0502]: cyclic translations commute with 'conv1' only with circular padding
             --> groups.eqx:6:3
              |
            6 |   conv 3x3 -> width pad 1
              |   ^^^^^^^^^^^^^^^^^^^^^^^
              = help: add 'padding circular'

            error[E0502]: a regular channel action of rotations(4) (order 4) needs channel counts divisible by 4, but 'conv1' has 6
              --> groups.eqx:12:55
               |
            12 | train b = cnn on digits.train { mode equivariant(rot, channels: regular) }
               |                                                       ^^^^^^^^^^^^^^^^^ makes 'conv1' regular
               = note: 'conv1' has 6 output channels at groups.eqx:6:3
               = help: use a multiple of 4, e.g. 8

            1 error, 1 warning

            """)
    }

    /// E0503 is caused by the group: the caret goes there, the layer is a note.
    func testSquareKernelErrorPointsAtTheGroup() {
        let text = """
            eqx 1
            data digits = builtin.digits
            group rot = rotations(4)
            net cnn {
              conv 3x1 -> 8 pad 1
              global avgpool
              linear -> 10
            }
            report distance_to_E(load("w.safetensors", cnn, digits.train), rot)

            """
        XCTAssertEqual(rendered(text, name: "square.eqx"), """
            error[E0503]: rotations(4) needs square kernels, but 'conv1' is 3x1
             --> square.eqx:9:64
              |
            9 | report distance_to_E(load("w.safetensors", cnn, digits.train), rot)
              |                                                                ^^^ quarter turns need square kernels
              = note: 'conv1' has a 3x1 kernel at square.eqx:5:3

            error[E0503]: rotations(4) needs square feature maps, but 'conv1' outputs 8x10
             --> square.eqx:9:64
              |
            9 | report distance_to_E(load("w.safetensors", cnn, digits.train), rot)
              |                                                                ^^^ quarter turns need square feature maps
              = note: 'conv1' outputs 8x10 maps at square.eqx:5:3

            2 errors

            """)
    }

    /// W0503 points at the layer E leaves almost no freedom, with a note at the mode that applies Π_E.
    func testSmallSubspaceWarningPointsAtTheLayerWithANoteAtTheMode() {
        let text = """
            eqx 1
            data digits = builtin.digits
            group rot = rotations(4)
            net lift {
              conv 1x1 -> 8
              global avgpool
              linear -> 10
            }
            train t = lift on digits.train { mode equivariant(rot, channels: regular) }

            """
        XCTAssertEqual(rendered(text, name: "lift.eqx"), """
            warning[W0503]: E leaves 'conv1' almost no freedom under rotations(4): 2 free weights for 8 output channels
             --> lift.eqx:5:3
              |
            5 |   conv 1x1 -> 8
              |   ^^^^^^^^^^^^^ dim E = 2 of 8 weights
              = note: 't' keeps its weights in E (Π_E on weights and gradients) at lift.eqx:9:39
              = help: a 1x1 kernel is a single orbit under rotations(4), so it cannot tell directions apart; use a 3x3 kernel with pad 1

            1 warning

            """)
    }

    func testEmptyScriptIsAtTheFirstLine() {
        XCTAssertEqual(rendered("", name: "empty.eqx"), """
            error[E0201]: empty script
             --> empty.eqx:1:1
              |
            1 |
              | ^ no statement in the file
              = help: a script starts with the version line 'eqx 1'

            1 error

            """)
        let (_, program, diagnostics) = checkText("", name: "empty.eqx")
        XCTAssertNil(program)
        XCTAssertEqual(diagnostics.map(\.id), ["E0201"])
        XCTAssertEqual(diagnostics[0].range, SourceRange(start: 0, end: 0))
    }
}
