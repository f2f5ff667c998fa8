import XCTest
@testable import EqxTensor

final class AutodiffTests: XCTestCase {
    func testLeavesGetGradientsIntermediatesDoNot() throws {
        let w = Variable(Tensor([1, 2, 3]), requiresGrad: true)
        let c = Variable(Tensor([4, 5, 6]))
        let h = try mul(w, c)
        let loss = sum(h)
        try loss.backward()
        XCTAssertEqual(w.grad?.scalars, [4, 5, 6])
        XCTAssertNil(c.grad)
        XCTAssertNil(h.grad)
        XCTAssertThrowsError(try h.backward())  // not a scalar
    }

    func testRetainsGradAndRepeatedBackwardAccumulates() throws {
        let w = Variable(Tensor([1, -2]), requiresGrad: true)
        let h = scale(w, by: 3)
        h.retainsGrad = true
        let loss = sum(h)
        try loss.backward()
        XCTAssertEqual(h.grad?.scalars, [1, 1])
        try loss.backward()
        XCTAssertEqual(w.grad?.scalars, [6, 6], "a second backward accumulates like PyTorch")
    }

    func testNoGradientModeRecordsNothing() throws {
        let w = Variable(Tensor([1, 2]), requiresGrad: true)
        let y = Gradients.disabled { scale(w, by: 2) }
        XCTAssertFalse(y.requiresGrad)
        XCTAssertTrue(y.isLeaf)
        XCTAssertTrue(Gradients.isEnabled)
        let constant = scale(Variable(Tensor([1, 2])), by: 2)
        XCTAssertFalse(constant.requiresGrad, "no input requires a gradient: nothing recorded")
        let z = scale(w, by: 2)
        XCTAssertTrue(z.requiresGrad)
    }

    func testDetachedStopsGradients() throws {
        let w = Variable(Tensor([3]), requiresGrad: true)
        let loss = sum(try mul(w, scale(w, by: 2).detached()))  // d/dw (w · const) = const = 6
        try loss.backward()
        XCTAssertEqual(w.grad?.scalars, [6])
    }

    func testTwoIndependentGraphs() throws {
        let a = Variable(Tensor([1]), requiresGrad: true), b = Variable(Tensor([2]), requiresGrad: true)
        let la = sum(square(a)), lb = sum(scale(b, by: 5))
        try lb.backward()
        try la.backward()
        XCTAssertEqual(a.grad?.scalars, [2])
        XCTAssertEqual(b.grad?.scalars, [5])
    }

    func testDeepChainDoesNotOverflowTheStack() throws {
        var x = Variable(Tensor([1]), requiresGrad: true)
        let leaf = x
        for _ in 0..<20_000 { x = scale(x, by: 1) }
        try sum(x).backward()
        XCTAssertEqual(leaf.grad?.scalars, [1])
    }
}
