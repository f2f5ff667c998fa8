import EqxIR
import EqxSyntax
import Foundation
import XCTest

/// Files the tests read: the checker corpus (a resource of this target) and the repository's examples.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static var corpusDirectory: URL {
        Bundle.module.url(forResource: "corpus", withExtension: nil)
            ?? packageRoot.appendingPathComponent("Tests/EqxIRTests/corpus")
    }

    static func files(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".eqx") }.sorted().map { directory.appendingPathComponent($0) }
    }

    static var corpus: [URL] { files(in: corpusDirectory) }
    static var examples: [URL] { files(in: packageRoot.appendingPathComponent("examples")) }

    static func source(_ url: URL) throws -> SourceFile {
        SourceFile(name: url.lastPathComponent, bytes: Array(try Data(contentsOf: url)))
    }
}

/// The built-in sources plus a few invented files, so the corpus can use data the checker cannot see
/// on this machine: `idx("mnist")` (28×28 MNIST), `npz("rect.npz")` (12×8 images) and
/// `npy(inputs: "vectors_x.npy", ...)` (10-dimensional vectors, 3 classes, no test split).
struct CorpusDataProbe: DataProbe {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    func probe(_ source: DataSource) throws -> DataShape {
        switch source {
        case .builtinDigits, .blockGraphs:
            return try BuiltinDataProbe().probe(source)
        case .idx("mnist"):
            return DataShape(sampleShape: [1, 28, 28], classes: 10, trainCount: 60_000, testCount: 10_000)
        case .npz("rect.npz", _, _):
            return DataShape(sampleShape: [1, 12, 8], classes: 10, trainCount: 500, testCount: 100)
        case .npy("vectors_x.npy", "vectors_y.npy"):
            return DataShape(sampleShape: [10], classes: 3, trainCount: 300, testCount: nil)
        default:
            throw Missing(description: "no such file for \(source)")
        }
    }
}

/// Parse, then check when parsing found no errors: the same order as `Pipeline.check`.
func checkSource(_ file: SourceFile, probe: DataProbe = CorpusDataProbe()) -> (Program?, [Diagnostic]) {
    let (script, syntax) = parse(file)
    if syntax.contains(where: { $0.severity == .error }) { return (nil, syntax) }
    // A fixed memory budget, so memory diagnostics do not depend on the machine the tests run on.
    let (program, semantic) = Checker(file: file, probe: probe, memoryBudget: 24 * 1024 * 1024 * 1024).check(script)
    return (program, syntax + semantic)
}

func checkText(_ text: String, name: String = "test.eqx") -> (SourceFile, Program?, [Diagnostic]) {
    let file = SourceFile(name: name, text: text)
    let (program, diagnostics) = checkSource(file)
    return (file, program, diagnostics)
}

/// `error E0301 12:9` for each diagnostic, `-` for one without a range.
func positions(_ diagnostics: [Diagnostic], in file: SourceFile) -> [String] {
    diagnostics.map { d in
        "\(d.severity == .warning ? "warning" : "error") \(d.id) " + (d.range.map { "\(file.location(of: $0.start))" } ?? "-")
    }
}

