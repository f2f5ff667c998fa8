import Foundation

func checkLabels(_ labels: [Int], rows: Int, classes: Int, op: String, shape: [Int]) throws {
    guard labels.count == rows else {
        throw TensorError.shapeMismatch(op: op + " labels", expected: [rows], got: [labels.count])
    }
    for l in labels where l < 0 || l >= classes {
        throw TensorError.indexOutOfRange(op: op + " label for logits \(shape)", index: l, bound: classes)
    }
}

/// Mean cross-entropy of logits [N, K] against class labels (PyTorch `cross_entropy`), via a stable
/// log-sum-exp. Gradient: (softmax − onehot) / N.
public func crossEntropy(_ logits: Variable, labels: [Int]) throws -> Variable {
    let op = "crossEntropy"
    guard logits.shape.count == 2 else { throw TensorError.rankMismatch(op: op, expected: "logits [N, K]", got: logits.shape) }
    let (n, k) = (logits.shape[0], logits.shape[1])
    try checkLabels(labels, rows: n, classes: k, op: op, shape: logits.shape)
    var probabilities = [Float](repeating: 0, count: n * k)
    var total = 0.0
    logits.value.withUnsafeBufferPointer { z in
        for r in 0..<n {
            var mx = -Float.infinity
            for j in 0..<k { mx = max(mx, z[r * k + j]) }
            var s = 0.0
            for j in 0..<k { s += Foundation.exp(Double(z[r * k + j] - mx)) }
            let lse = Double(mx) + Foundation.log(s)
            total += lse - Double(z[r * k + labels[r]])
            for j in 0..<k { probabilities[r * k + j] = Float(Foundation.exp(Double(z[r * k + j]) - lse)) }
        }
    }
    let loss = Tensor(scalar: Float(total / Double(max(n, 1))))
    return Variable.make(loss, inputs: [logits]) { dy in
        let g = dy.scalars[0] / Float(max(n, 1))
        var d = probabilities
        for r in 0..<n { d[r * k + labels[r]] -= 1 }
        for i in 0..<d.count { d[i] *= g }
        return [Tensor(uncheckedShape: [n, k], scalars: d)]
    }
}

/// Mean squared error against `target` of the same shape (PyTorch `MSELoss`, mean reduction).
public func mseLoss(_ prediction: Variable, target: Tensor) throws -> Variable {
    guard prediction.shape == target.shape else {
        throw TensorError.shapeMismatch(op: "mseLoss", expected: prediction.shape, got: target.shape)
    }
    let diff = try prediction.value - target
    let n = max(1, diff.count)
    let loss = Tensor(scalar: Float(diff.squaredNorm / Double(n)))
    return Variable.make(loss, inputs: [prediction]) { dy in
        [diff.scaled(by: 2 * dy.scalars[0] / Float(n))]
    }
}

/// Mean squared error of outputs [N, K] against one-hot encodings of `labels`, averaged over N·K.
public func mseLoss(_ prediction: Variable, labels: [Int]) throws -> Variable {
    guard prediction.shape.count == 2 else {
        throw TensorError.rankMismatch(op: "mseLoss", expected: "outputs [N, K]", got: prediction.shape)
    }
    let (n, k) = (prediction.shape[0], prediction.shape[1])
    try checkLabels(labels, rows: n, classes: k, op: "mseLoss", shape: prediction.shape)
    return try mseLoss(prediction, target: oneHot(labels, classes: k))
}

/// [N, K] tensor with a 1 at (i, labels[i]).
public func oneHot(_ labels: [Int], classes: Int) throws -> Tensor {
    var t = Tensor.zeros([labels.count, classes])
    for (i, l) in labels.enumerated() {
        guard l >= 0 && l < classes else { throw TensorError.indexOutOfRange(op: "oneHot", index: l, bound: classes) }
        t[flat: i * classes + l] = 1
    }
    return t
}

/// Mean binary cross-entropy of logits against float targets in [0, 1] (PyTorch
/// `binary_cross_entropy_with_logits`): max(z, 0) − z·t + log(1 + e^{−|z|}). Gradient: (σ(z) − t) / count.
public func binaryCrossEntropyWithLogits(_ logits: Variable, targets: Tensor) throws -> Variable {
    guard logits.shape == targets.shape else {
        throw TensorError.shapeMismatch(op: "binaryCrossEntropyWithLogits", expected: logits.shape, got: targets.shape)
    }
    let z = logits.value, n = max(1, z.count)
    var total = 0.0
    z.withUnsafeBufferPointer { zp in
        targets.withUnsafeBufferPointer { tp in
            for i in 0..<zp.count {
                let x = Double(zp[i]), t = Double(tp[i])
                total += max(x, 0) - x * t + Foundation.log1p(Foundation.exp(-abs(x)))
            }
        }
    }
    return Variable.make(Tensor(scalar: Float(total / Double(n))), inputs: [logits]) { dy in
        let g = dy.scalars[0] / Float(n)
        return [Tensor(shape: z.shape) { out in
            for i in 0..<out.count { out[i] = (stableSigmoid(z[flat: i]) - targets[flat: i]) * g }
        }]
    }
}
