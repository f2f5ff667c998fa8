/// How `resized` interpolates.
public enum ResizeMethod: String, Sendable, CaseIterable {
    /// Box average over the input area each output pixel covers, as PyTorch
    /// `F.interpolate(mode: "area")` (= `adaptive_avg_pool2d`): output `i` averages inputs
    /// `floor(i·in/out) ..< ceil((i+1)·in/out)` with equal weights. For integer factors
    /// (28 → 14) this is exact 2×2 average pooling.
    case area
    /// Bilinear with antialiasing, as torchvision `Resize` (antialias=True, its default) and
    /// `F.interpolate(mode: "bilinear", antialias: true, align_corners: false)` compute it, and
    /// as PIL's BILINEAR filter: a triangle filter whose support widens by the scale factor when
    /// shrinking, weights normalised per output pixel. When enlarging it is plain bilinear
    /// (align_corners=false, edge pixels clamped). 28 → 14 uses 4 taps (¼, ¾, ¾, ¼)/2 per axis.
    case bilinear
}

extension Dataset {
    /// Resizes every image channel to `height × width`. Only for `[C, H, W]` samples.
    public func resized(height: Int, width: Int, method: ResizeMethod = .bilinear) throws -> Dataset {
        guard sampleShape.count == 3 else {
            throw DataError.invalidArgument("dataset '\(name)': resizing needs [C, H, W] samples, not \(sampleShape)")
        }
        guard height > 0, width > 0 else {
            throw DataError.invalidArgument("dataset '\(name)': cannot resize to \(height)×\(width)")
        }
        let (channels, inHeight, inWidth) = (sampleShape[0], sampleShape[1], sampleShape[2])
        let rows = ResampleWeights(input: inHeight, output: height, method: method)
        let columns = ResampleWeights(input: inWidth, output: width, method: method)
        let planes = count * channels
        var result = [Float](repeating: 0, count: planes * height * width)
        var horizontal = [Double](repeating: 0, count: inHeight * width)
        inputs.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for plane in 0..<planes {
                    let input = plane * inHeight * inWidth
                    // Horizontal pass first (as PIL does), kept in Float64.
                    for y in 0..<inHeight {
                        for x in 0..<width {
                            var acc = 0.0
                            let first = columns.start[x]
                            for (k, w) in columns.weights[x].enumerated() {
                                acc += w * Double(source[input + y * inWidth + first + k])
                            }
                            horizontal[y * width + x] = acc
                        }
                    }
                    let output = plane * height * width
                    for y in 0..<height {
                        let first = rows.start[y]
                        for x in 0..<width {
                            var acc = 0.0
                            for (k, w) in rows.weights[y].enumerated() {
                                acc += w * horizontal[(first + k) * width + x]
                            }
                            target[output + y * width + x] = Float(acc)
                        }
                    }
                }
            }
        }
        return Dataset(unchecked: name, sampleShape: [channels, height, width], inputs: result,
                       labels: labels, classes: classes)
    }
}

/// For each output index along one axis: the first input index and the normalised weights of the
/// consecutive inputs that contribute.
struct ResampleWeights {
    var start: [Int] = []
    var weights: [[Double]] = []

    init(input: Int, output: Int, method: ResizeMethod) {
        let scale = Double(input) / Double(output)
        for i in 0..<output {
            switch method {
            case .area:
                let lo = (i * input) / output
                let hi = ((i + 1) * input + output - 1) / output
                start.append(lo)
                weights.append([Double](repeating: 1 / Double(hi - lo), count: hi - lo))
            case .bilinear:
                // PyTorch's _upsample_bilinear2d_aa index computation (and PIL's precompute_coeffs).
                let support = scale >= 1 ? scale : 1
                let inverse = scale >= 1 ? 1 / scale : 1
                let center = scale * (Double(i) + 0.5)
                let lo = max(Int(center - support + 0.5), 0)
                let hi = min(Int(center + support + 0.5), input)
                var w = (lo..<hi).map { j in max(0, 1 - abs((Double(j) - center + 0.5) * inverse)) }
                let total = w.reduce(0, +)
                if total > 0 { w = w.map { $0 / total } }
                start.append(lo)
                weights.append(w)
            }
        }
    }
}
