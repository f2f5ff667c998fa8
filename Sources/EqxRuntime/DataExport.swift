import EqxData
import EqxIR
import Foundation

/// `eqx data export`: a declared dataset, after its options (split, resize, normalize, limit,
/// augment), written as NumPy arrays that `numpy.load` reads.
public enum DataExport {
    /// The script that declares a dataset by name alone, so it is exported exactly as `data NAME = NAME`
    /// would load it; nil for a name eqx does not know.
    public static func declaration(of name: String) -> (id: String, source: String)? {
        if name == "builtin.digits" || name == "digits" { return ("digits", "eqx 1\ndata digits = builtin.digits\n") }
        guard let dataset = NamedDataset(anyName: name) else { return nil }
        return (dataset.scriptName, "eqx 1\ndata \(dataset.scriptName) = \(dataset.scriptName)\n")
    }

    /// The names `declaration(of:)` knows.
    public static var knownNames: [String] { ["builtin.digits"] + NamedDataset.allCases.map(\.scriptName) }

    /// Writes `<split>_inputs.npy` (float32, [N, sample shape…]) and `<split>_labels.npy` (int64, [N])
    /// for each split of `spec` into `directory`; returns the files written.
    public static func write(_ spec: DataSpec, baseDirectory: URL, seed: UInt64, to directory: URL) throws -> [URL] {
        let loaded: LoadedData
        do {
            loaded = try DataResolver.load(spec, base: baseDirectory, seed: seed)
        } catch let e as DataError {
            throw RuntimeError("cannot load data '\(spec.id)': \(e)", range: spec.range, exitCode: 66)
        }
        var written: [URL] = []
        for (split, data) in [("train", loaded.train), ("test", loaded.test)] {
            guard let data else { continue }
            let inputs = directory.appendingPathComponent("\(split)_inputs.npy")
            let labels = directory.appendingPathComponent("\(split)_labels.npy")
            try AtomicFile.write(Data(NPYWriter.float32(shape: [data.count] + data.sampleShape, values: data.inputs)), to: inputs)
            try AtomicFile.write(Data(NPYWriter.int64(shape: [data.count], values: data.labels)), to: labels)
            written += [inputs, labels]
        }
        return written
    }
}
