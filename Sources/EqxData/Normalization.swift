/// Per-channel mean and standard deviation, as `Normalize(mean, std)` takes them.
public struct ChannelStatistics: Equatable, Sendable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }
}

extension Dataset {
    /// Channels for normalisation: `sampleShape[0]` for images `[C, H, W]` and graphs `[1, n, n]`;
    /// a vector `[n]` is one channel.
    public var channelCount: Int { sampleShape.count >= 2 ? sampleShape[0] : 1 }

    /// Mean and population standard deviation of each channel over all samples and positions,
    /// accumulated in Float64. A constant channel gets std 1, so normalising only centres it.
    public func channelStatistics() -> ChannelStatistics {
        let channels = channelCount
        let plane = sampleSize / channels
        var sum = [Double](repeating: 0, count: channels)
        var sumSquares = [Double](repeating: 0, count: channels)
        inputs.withUnsafeBufferPointer { values in
            for sample in 0..<count {
                for channel in 0..<channels {
                    let base = (sample * channels + channel) * plane
                    var s = 0.0, s2 = 0.0
                    for k in 0..<plane {
                        let v = Double(values[base + k])
                        s += v
                        s2 += v * v
                    }
                    sum[channel] += s
                    sumSquares[channel] += s2
                }
            }
        }
        let n = Double(max(1, count * plane))
        var mean = [Float](), std = [Float]()
        for channel in 0..<channels {
            let m = sum[channel] / n
            let variance = max(0, sumSquares[channel] / n - m * m)
            let deviation = Float(variance.squareRoot())
            mean.append(Float(m))
            std.append(deviation > 0 && deviation.isFinite ? deviation : 1)
        }
        return ChannelStatistics(mean: mean, std: std)
    }

    /// `(x − mean[c]) / std[c]` on every value of channel `c`. Use the training set's statistics
    /// for the test set. Throws if the statistics do not have one entry per channel or a std ≤ 0.
    public func normalized(by statistics: ChannelStatistics) throws -> Dataset {
        let channels = channelCount
        guard statistics.mean.count == channels, statistics.std.count == channels else {
            throw DataError.invalidArgument(
                "dataset '\(name)': normalisation needs \(channels) means and stds, got \(statistics.mean.count) and \(statistics.std.count)")
        }
        if let bad = statistics.std.firstIndex(where: { !($0 > 0) || !$0.isFinite }) {
            throw DataError.invalidArgument("dataset '\(name)': std \(statistics.std[bad]) of channel \(bad) must be positive")
        }
        let plane = sampleSize / channels
        var result = inputs
        result.withUnsafeMutableBufferPointer { values in
            for sample in 0..<count {
                for channel in 0..<channels {
                    let base = (sample * channels + channel) * plane
                    let m = statistics.mean[channel], s = statistics.std[channel]
                    for k in 0..<plane { values[base + k] = (values[base + k] - m) / s }
                }
            }
        }
        return Dataset(unchecked: name, sampleShape: sampleShape, inputs: result, labels: labels, classes: classes)
    }

    /// Normalises with statistics computed from this dataset and returns them for reuse.
    public func normalized() -> (dataset: Dataset, statistics: ChannelStatistics) {
        let statistics = channelStatistics()
        // Cannot throw: the statistics have the right length and positive stds.
        let dataset = try! normalized(by: statistics)
        return (dataset, statistics)
    }
}
