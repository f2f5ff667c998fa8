import XCTest
@testable import EqxTensor

/// Random test tensors from a named stream, so every test is reproducible.
func randomTensor(_ shape: [Int], _ name: String, scale: Float = 1) -> Tensor {
    var rng = RandomStream(seed: 1234, name: "test/" + name)
    return rng.uniformTensor(shape, -scale, scale)
}

func doubles(_ t: Tensor) -> [Double] { t.scalars.map(Double.init) }

/// Asserts |a − b| ≤ atol + rtol·|b| element-wise.
func assertClose(_ a: [Double], _ b: [Double], atol: Double, rtol: Double, _ what: String,
                 file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "\(what): counts differ", file: file, line: line)
    var worst = 0.0, worstIndex = -1
    for i in 0..<min(a.count, b.count) {
        let excess = abs(a[i] - b[i]) - (atol + rtol * abs(b[i]))
        if excess > worst || (a[i].isNaN != b[i].isNaN) { worst = max(worst, excess); worstIndex = i }
    }
    if worstIndex >= 0 {
        XCTFail("\(what): element \(worstIndex): got \(a[worstIndex]), expected \(b[worstIndex]) (atol \(atol), rtol \(rtol))", file: file, line: line)
    }
}

/// Checks an op end to end against a naive Double reference `reference` (no BLAS):
/// 1. the forward value matches the reference;
/// 2. the backward pass (seeded with a random cotangent r) matches central finite differences of
///    φ(x) = Σ r·reference(x), computed in Double with step `h`.
/// `differentiable[i]` says whether input i is a parameter (requires a gradient).
func checkOp(
    _ name: String, inputs: [Tensor], differentiable: [Bool]? = nil,
    op: ([Variable]) throws -> Variable, reference: ([[Double]]) -> [Double],
    forwardTolerance: Double = 1e-5, gradientTolerance: Double = 1e-4, h: Double = 1e-3,
    file: StaticString = #filePath, line: UInt = #line
) throws {
    let flags = differentiable ?? Array(repeating: true, count: inputs.count)
    let vars = zip(inputs, flags).map { Variable($0, requiresGrad: $1) }
    let y = try op(vars)
    let x64 = inputs.map(doubles)
    let ref = reference(x64)
    assertClose(doubles(y.value), ref, atol: forwardTolerance, rtol: forwardTolerance, "\(name) forward", file: file, line: line)

    let r = randomTensor(y.shape, name + "/cotangent")
    try y.backward(seed: r)
    let r64 = doubles(r)
    func phi(_ xs: [[Double]]) -> Double { zip(reference(xs), r64).reduce(0) { $0 + $1.0 * $1.1 } }
    for (i, v) in vars.enumerated() where flags[i] {
        guard let g = v.grad else { XCTFail("\(name): no gradient for input \(i)", file: file, line: line); continue }
        XCTAssertEqual(g.shape, v.shape, "\(name): gradient shape of input \(i)", file: file, line: line)
        let numeric = centralDifferences(of: phi, at: x64, input: i, h: h)
        let scale = max(1, numeric.map(abs).max() ?? 1)
        assertClose(doubles(g), numeric, atol: gradientTolerance * scale, rtol: gradientTolerance,
                    "\(name) gradient of input \(i)", file: file, line: line)
    }
}

/// ∂φ/∂x_i by central differences with step h, in Double, at the inputs `xs`.
func centralDifferences(of phi: ([[Double]]) -> Double, at xs: [[Double]], input i: Int, h: Double) -> [Double] {
    var xs = xs
    return (0..<xs[i].count).map { j in
        let x0 = xs[i][j]
        xs[i][j] = x0 + h
        let up = phi(xs)
        xs[i][j] = x0 - h
        let down = phi(xs)
        xs[i][j] = x0
        return (up - down) / (2 * h)
    }
}
