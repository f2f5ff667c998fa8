import XCTest
@testable import EqxTensor

final class LossTests: XCTestCase {
    let logits = randomTensor([4, 5], "loss/z", scale: 3)
    let labels = [2, 0, 4, 2]

    func testCrossEntropy() throws {
        let labels = self.labels
        try checkOp("crossEntropy", inputs: [logits], op: { try crossEntropy($0[0], labels: labels) }, reference: { d in
            var total = 0.0
            for r in 0..<4 {
                let row = d[0][(r * 5)..<(r * 5 + 5)]
                let lse: Double = Foundation.log(row.map { Foundation.exp($0) }.reduce(0, +))
                total += lse - d[0][r * 5 + labels[r]]
            }
            return [total / 4]
        })
    }

    func testCrossEntropyIsStableForHugeLogits() throws {
        let z = Variable(try Tensor(shape: [2, 3], scalars: [1000, 0, -1000, -5000, 5000, 5000]), requiresGrad: true)
        let loss = try crossEntropy(z, labels: [0, 1])
        XCTAssertEqual(Double(loss.value.scalar!), Foundation.log(2) / 2, accuracy: 1e-6)
        try loss.backward()
        XCTAssertTrue(z.grad!.isAllFinite)
    }

    func testMSEOnOneHot() throws {
        try checkOp("mse one-hot", inputs: [logits], op: { try mseLoss($0[0], labels: self.labels) }, reference: { d in
            var total = 0.0
            for r in 0..<4 { for j in 0..<5 {
                let t = j == self.labels[r] ? 1.0 : 0.0
                total += (d[0][r * 5 + j] - t) * (d[0][r * 5 + j] - t)
            } }
            return [total / 20]
        })
    }

    func testBinaryCrossEntropyWithLogits() throws {
        let targets = randomTensor([4, 5], "loss/t").map { ($0 + 1) / 2 }
        try checkOp("bce", inputs: [logits], op: { try binaryCrossEntropyWithLogits($0[0], targets: targets) }, reference: { d in
            let t = doubles(targets)
            var total = 0.0
            for i in 0..<20 {
                let p = 1 / (1 + Foundation.exp(-d[0][i]))
                total -= t[i] * Foundation.log(p) + (1 - t[i]) * Foundation.log(1 - p)
            }
            return [total / 20]
        })
        let extreme = try binaryCrossEntropyWithLogits(Variable(Tensor([200, -200])), targets: Tensor([0, 1]))
        XCTAssertEqual(extreme.value.scalar!, 200, accuracy: 1e-3)
    }

    func testLabelErrors() {
        XCTAssertThrowsError(try crossEntropy(Variable(logits), labels: [0, 1, 5, 2])) { error in
            XCTAssertTrue("\(error)".contains("index 5 out of range 0..<5"), "\(error)")
        }
        XCTAssertThrowsError(try crossEntropy(Variable(logits), labels: [0]))
        XCTAssertThrowsError(try mseLoss(Variable(logits), labels: [0, 1, 2, -1]))
        XCTAssertThrowsError(try binaryCrossEntropyWithLogits(Variable(logits), targets: .zeros([5, 4])))
    }
}
