import Foundation

/// The built-in dataset: scikit-learn's copy of the UCI "optical recognition of handwritten
/// digits" test set (E. Alpaydin, C. Kaynak; CC BY 4.0), 1,797 images of 8×8 pixels with values
/// 0…16 and labels 0…9, shipped as `Resources/digits.csv.gz` (see NOTICE).
///
/// Samples are `[1, 8, 8]`, scaled to [0, 1] by dividing by 16. The split is fixed and needs no
/// RNG: the first 1,397 rows (file order) are `train`, the last 400 are `test` (39–43 per class).
public enum Digits {
    public static let count = 1797
    public static let trainCount = 1397
    public static let testCount = 400
    public static let sampleShape = [1, 8, 8]
    public static let classes = 10

    /// All 1,797 samples in file order.
    public static func load() throws -> Dataset {
        guard let url = Bundle.module.url(forResource: "digits.csv", withExtension: "gz") else {
            throw DataError.missingFile(path: "digits.csv.gz (resource of the EqxData bundle)")
        }
        return try CSV.load(url, options: CSVOptions(label: .last, classes: classes, sampleShape: sampleShape, divisor: 16),
                            name: "digits")
    }

    /// The fixed train or test part.
    public static func load(split: DataSplit) throws -> Dataset {
        let all = try load()
        switch split {
        case .train: return try all.subset(0..<trainCount, name: "digits/train")
        case .test: return try all.subset(trainCount..<count, name: "digits/test")
        }
    }

    public static func probe(split: DataSplit? = nil) -> DataProbe {
        let n = split.map { $0 == .train ? trainCount : testCount } ?? count
        return DataProbe(sampleShape: sampleShape, count: n, classes: classes)
    }
}
