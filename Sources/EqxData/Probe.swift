/// What the checker needs to know about a data source, read from headers where the format allows.
public struct DataProbe: Equatable, Sendable {
    public var sampleShape: [Int]
    public var count: Int
    public var classes: Int

    public init(sampleShape: [Int], count: Int, classes: Int) {
        self.sampleShape = sampleShape
        self.count = count
        self.classes = classes
    }
}

/// The product of `factors`, or nil on overflow or a negative factor.
func checkedProduct(_ factors: [Int]) -> Int? {
    var product = 1
    for factor in factors {
        guard factor >= 0 else { return nil }
        let (value, overflow) = product.multipliedReportingOverflow(by: factor)
        if overflow { return nil }
        product = value
    }
    return product
}
