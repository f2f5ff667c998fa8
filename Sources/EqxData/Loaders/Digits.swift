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
        guard let url = resourceURL() else {
            throw DataError.missingFile(path: "digits.csv.gz: the resource bundle eqx_EqxData.resources must stay next to the eqx executable")
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

    /// The resource file, looked up where SwiftPM's generated `Bundle.module` looks (next to the
    /// main executable), without `Bundle.module` itself: that accessor calls fatalError when the
    /// bundle is missing (e.g. a binary copied without it), and a missing file must be an error.
    /// Falls back to the source tree, for development builds.
    static func resourceURL() -> URL? {
        let file = "digits.csv.gz"
        let roots = [Bundle.main.bundleURL, Bundle.main.resourceURL, Bundle.main.executableURL?.deletingLastPathComponent()]
            + Bundle.allBundles.map(\.bundleURL)
        for root in roots.compactMap({ $0 }) {
            for bundle in ["eqx_EqxData.resources", "eqx_EqxData.bundle"] {
                for inner in ["", "Contents/Resources/"] {
                    let url = root.appendingPathComponent(bundle).appendingPathComponent(inner + file)
                    if FileManager.default.fileExists(atPath: url.path) { return url }
                }
            }
        }
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Resources").appendingPathComponent(file)
        return FileManager.default.fileExists(atPath: source.path) ? source : nil
    }

    public static func probe(split: DataSplit? = nil) -> DataProbe {
        let n = split.map { $0 == .train ? trainCount : testCount } ?? count
        return DataProbe(sampleShape: sampleShape, count: n, classes: classes)
    }
}
