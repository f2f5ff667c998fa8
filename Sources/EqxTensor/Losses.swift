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
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func crossEntropy<Scalar: TensorScalar>(_ logits: VariableOf<Scalar>, labels: [Int]) throws -> VariableOf<Scalar> {
    let op = "crossEntropy"
    guard logits.shape.count == 2 else { throw TensorError.rankMismatch(op: op, expected: "logits [N, K]", got: logits.shape) }
    let (n, k) = (logits.shape[0], logits.shape[1])
    try checkLabels(labels, rows: n, classes: k, op: op, shape: logits.shape)
    var probabilities = [Scalar](repeating: 0, count: n * k)
    var total = 0.0
    logits.value.withUnsafeBufferPointer { z in
        for r in 0..<n {
            var mx = -Scalar.infinity
            for j in 0..<k { mx = max(mx, z[r * k + j]) }
            var s = 0.0
            for j in 0..<k { s += Foundation.exp(Double(z[r * k + j] - mx)) }
            let lse = Double(mx) + Foundation.log(s)
            total += lse - Double(z[r * k + labels[r]])
            for j in 0..<k { probabilities[r * k + j] = Scalar(Foundation.exp(Double(z[r * k + j]) - lse)) }
        }
    }
    let loss = TensorOf<Scalar>(scalar: Scalar(total / Double(max(n, 1))))
    return VariableOf<Scalar>.make(loss, inputs: [logits]) { dy in
        let g = dy.scalars[0] / Scalar(max(n, 1))
        var d = probabilities
        for r in 0..<n { d[r * k + labels[r]] -= 1 }
        for i in 0..<d.count { d[i] *= g }
        return [TensorOf<Scalar>(uncheckedShape: [n, k], scalars: d)]
    }
}

/// Mean squared error against `target` of the same shape (PyTorch `MSELoss`, mean reduction).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func mseLoss<Scalar: TensorScalar>(_ prediction: VariableOf<Scalar>, target: TensorOf<Scalar>) throws -> VariableOf<Scalar> {
    guard prediction.shape == target.shape else {
        throw TensorError.shapeMismatch(op: "mseLoss", expected: prediction.shape, got: target.shape)
    }
    let diff = try prediction.value - target
    let n = max(1, diff.count)
    let loss = TensorOf<Scalar>(scalar: Scalar(diff.squaredNorm / Double(n)))
    return VariableOf<Scalar>.make(loss, inputs: [prediction]) { dy in
        [diff.scaled(by: 2 * dy.scalars[0] / Scalar(n))]
    }
}

/// Mean squared error of outputs [N, K] against one-hot encodings of `labels`, averaged over N·K.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func mseLoss<Scalar: TensorScalar>(_ prediction: VariableOf<Scalar>, labels: [Int]) throws -> VariableOf<Scalar> {
    guard prediction.shape.count == 2 else {
        throw TensorError.rankMismatch(op: "mseLoss", expected: "outputs [N, K]", got: prediction.shape)
    }
    let (n, k) = (prediction.shape[0], prediction.shape[1])
    try checkLabels(labels, rows: n, classes: k, op: "mseLoss", shape: prediction.shape)
    return try mseLoss(prediction, target: oneHot(labels, classes: k))
}

/// [N, K] tensor with a 1 at (i, labels[i]).
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func oneHot<Scalar: TensorScalar>(_ labels: [Int], classes: Int) throws -> TensorOf<Scalar> {
    var t = TensorOf<Scalar>.zeros([labels.count, classes])
    for (i, l) in labels.enumerated() {
        guard l >= 0 && l < classes else { throw TensorError.indexOutOfRange(op: "oneHot", index: l, bound: classes) }
        t[flat: i * classes + l] = 1
    }
    return t
}

/// Mean binary cross-entropy of logits against float targets in [0, 1] (PyTorch
/// `binary_cross_entropy_with_logits`): max(z, 0) − z·t + log(1 + e^{−|z|}). Gradient: (σ(z) − t) / count.
@_specialize(where Scalar == Float)
@_specialize(where Scalar == Double)
public func binaryCrossEntropyWithLogits<Scalar: TensorScalar>(_ logits: VariableOf<Scalar>, targets: TensorOf<Scalar>) throws -> VariableOf<Scalar> {
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
    return VariableOf<Scalar>.make(TensorOf<Scalar>(scalar: Scalar(total / Double(n))), inputs: [logits]) { dy in
        let g = dy.scalars[0] / Scalar(n)
        return [TensorOf<Scalar>(shape: z.shape) { out in
            for i in 0..<out.count { out[i] = (stableSigmoid(z[flat: i]) - targets[flat: i]) * g }
        }]
    }
}
