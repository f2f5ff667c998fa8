import XCTest
import EqxGroups
import EqxIR
import EqxNN
import EqxTensor

/// For the flip group with regular channels, E is exactly the weight-sharing space of a flip-GCNN
/// (Bökman & Kahl §1.5): channels come in pairs (a_k, b_k), b_k's filters are a_k's mirrored with the
/// input pairs swapped, biases and batch-norm vectors tied within pairs, and the invariant head sums
/// each pair. Here that space is built independently, in B&K's "halves" layout [a_1..a_K, b_1..b_K],
/// and compared with Π_E (eqx's regular layout interleaves the pairs: a_k = 2k, b_k = 2k + 1).
final class GroupConvolutionTests: XCTestCase {
    let spec = makeSpec("gcnn", input: [2, 6, 6], [
        conv("conv1", 6), op("relu1", .relu), conv("conv2", 4, k: 5, pad: 2), batchNorm("bn"), op("relu2", .relu),
        op("gap", .globalAvgPool), linear("fc", 3),
    ])

    /// Channel c of the halves layout [a_1..a_K, b_1..b_K] in eqx's interleaved layout.
    func interleaved(_ c: Int, pairs k: Int) -> Int { c < k ? 2 * c : 2 * (c - k) + 1 }

    /// The orthogonal projection onto B&K's constraint W[b_k] = F(S(W[a_k])) for a conv weight in eqx
    /// layout, computed in the halves layout: F mirrors the kernel's W axis; S swaps input halves when the
    /// input is itself a pair layout (every layer but the first).
    func weightSharingProjection(_ w: Tensor, inputIsPaired: Bool) -> Tensor {
        let (o, i, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let k = o / 2, ki = i / 2
        func halves(_ t: Tensor) -> (Int, Int, Int, Int) -> Double {
            { a, b, y, x in
                Double(t[self.interleaved(a, pairs: k), inputIsPaired ? self.interleaved(b, pairs: ki) : b, y, x])
            }
        }
        let h = halves(w)
        func swapInput(_ b: Int) -> Int { inputIsPaired ? (b < ki ? b + ki : b - ki) : b }
        var out = w
        for a in 0..<k { for b in 0..<i { for y in 0..<kh { for x in 0..<kw {
            // The free filter: mean of a_k's entry and the pre-image of b_k's entry under F∘S.
            let free = (h(a, b, y, x) + h(a + k, swapInput(b), y, kw - 1 - x)) / 2
            let inputA = inputIsPaired ? interleaved(b, pairs: ki) : b
            let inputB = inputIsPaired ? interleaved(swapInput(b), pairs: ki) : swapInput(b)
            out[interleaved(a, pairs: k), inputA, y, x] = Float(free)
            out[interleaved(a + k, pairs: k), inputB, y, kw - 1 - x] = Float(free)
        } } } }
        return out
    }

    /// Mean within each pair (a_k, b_k) along `axis` (0 for per-channel vectors, 1 for the head's columns).
    func pairMeans(_ t: Tensor, axis: Int) -> Tensor {
        var out = t
        if axis == 0 {
            for p in stride(from: 0, to: t.count, by: 2) {
                let m = Float((Double(t[flat: p]) + Double(t[flat: p + 1])) / 2)
                out[flat: p] = m; out[flat: p + 1] = m
            }
        } else {
            let (rows, cols) = (t.shape[0], t.shape[1])
            for r in 0..<rows { for p in stride(from: 0, to: cols, by: 2) {
                let m = Float((Double(t[r, p]) + Double(t[r, p + 1])) / 2)
                out[r, p] = m; out[r, p + 1] = m
            } }
        }
        return out
    }

    func testProjectionIsTheWeightSharingOfAFlipGCNN() throws {
        let projector = try ReynoldsProjector(group: .horizontalMirror, spec: spec, hidden: .regular)
        let theta = randomState(spec, "gcnn")
        let p = projector.project(theta, includeBuffers: true)
        XCTAssertEqual(p["conv1.weight"], weightSharingProjection(theta["conv1.weight"]!, inputIsPaired: false))
        XCTAssertEqual(p["conv2.weight"], weightSharingProjection(theta["conv2.weight"]!, inputIsPaired: true))
        for key in ["conv1.bias", "conv2.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"] {
            XCTAssertEqual(p[key], pairMeans(theta[key]!, axis: 0), key)
        }
        XCTAssertEqual(p["fc.weight"], pairMeans(theta["fc.weight"]!, axis: 1))
        XCTAssertEqual(p["fc.bias"], theta["fc.bias"])
        // Half of every tied tensor is free.
        for d in projector.dimensions() where d.layer != "fc" {
            XCTAssertEqual(2 * d.equivariant, d.total, d.layer)
        }
    }

    /// A network built from free a-filters by B&K's recipe is in E and exactly flip-invariant.
    func testNetworkBuiltFromFreeFiltersIsInvariant() throws {
        let rep = try NetworkRepresentation(group: .horizontalMirror, spec: spec, hidden: .regular)
        let projector = try ReynoldsProjector(representation: rep)
        var theta = randomState(spec, "gcnn-free")
        for (key, paired) in [("conv1.weight", false), ("conv2.weight", true)] {
            var w = theta[key]!
            let (o, i, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
            for a in 0..<(o / 2) { for b in 0..<i { for y in 0..<kh { for x in 0..<kw {
                let swapped = paired ? (b % 2 == 0 ? b + 1 : b - 1) : b
                w[2 * a + 1, swapped, y, kw - 1 - x] = w[2 * a, b, y, x]
            } } } }
            theta[key] = w
        }
        for key in ["conv1.bias", "conv2.bias", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"] {
            var t = theta[key]!
            for p in stride(from: 0, to: t.count, by: 2) { t[flat: p + 1] = t[flat: p] }
            theta[key] = t
        }
        var fc = theta["fc.weight"]!
        for r in 0..<fc.shape[0] { for p in stride(from: 0, to: fc.shape[1], by: 2) { fc[r, p + 1] = fc[r, p] } }
        theta["fc.weight"] = fc

        XCTAssertEqual(projector.project(theta, includeBuffers: true), theta)
        XCTAssertEqual(projector.distance(theta).absolute, 0)
        let network = try Network(spec: spec, state: theta)
        let x = randomInput(spec, batch: 4, "gcnn-free")
        let fx = try network.forward(x, options: .evaluation).output.value
        let fmx = try network.forward(x.acted(by: rep.inputAction, element: 1), options: .evaluation).output.value
        XCTAssertLessThan(relativeError(fmx, fx), 1e-5)
    }
}
