import Foundation
import XCTest
import EqxTestSupport

/// Datasets by name (`data d = mnist`), `eqx data list` and `export`, and `save predictions`, end to end.
final class CLIDataTests: XCTestCase {
    /// An environment with nothing on the search path but `dataDirectory` (when given).
    private func isolated(_ root: URL, data dataDirectory: URL? = nil) throws -> [String: String] {
        let home = root.appendingPathComponent("home"), none = root.appendingPathComponent("no-system-data")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        return ["HOME": home.path, "EQX_SYSTEM_DATA": none.path, "EQX_DATA": dataDirectory?.path ?? "",
                "XDG_CACHE_HOME": "", "NO_COLOR": "1"]
    }

    private func run(_ arguments: [String], in directory: URL, environment: [String: String], timeout: Double = 180) throws -> ProcessResult {
        try EqxProcess(arguments, directory: directory, environment: environment).wait(timeout: timeout)
    }

    /// MNIST-layout files that are not the published ones (the checker reads only their headers).
    private func writeFakeMNIST(_ dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        func images(_ n: Int) -> [UInt8] {
            [0, 0, 8, 3] + [0, 0, 0, UInt8(n), 0, 0, 0, 28, 0, 0, 0, 28] + [UInt8](repeating: 7, count: n * 784)
        }
        func labels(_ n: Int) -> [UInt8] { [0, 0, 8, 1, 0, 0, 0, UInt8(n)] + (0..<n).map { UInt8($0 % 10) } }
        try Data(images(5)).write(to: dir.appendingPathComponent("train-images-idx3-ubyte"))
        try Data(labels(5)).write(to: dir.appendingPathComponent("train-labels-idx1-ubyte"))
        try Data(images(3)).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data(labels(3)).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
    }

    func testAMissingDatasetSaysWhereEqxLookedAndHowToGetIt() throws {
        let root = try temporaryDirectory(self, "eqx-named")
        let data = root.appendingPathComponent("data")
        let env = try isolated(root, data: data)
        try write("eqx 1\ndata images = cifar10\n", to: root.appendingPathComponent("s.eqx"))
        let r = try run(["check", "s.eqx"], in: root, environment: env)
        XCTAssertEqual(r.status, 66, r.stderr)
        XCTAssertTrue(r.stderr.contains("error[E0803]: dataset 'cifar10' is not on this machine"), r.stderr)
        for looked in [data.appendingPathComponent("cifar10").path, root.appendingPathComponent("home/.cache/eqx/cifar10").path,
                       root.appendingPathComponent("no-system-data/cifar-10-batches-bin").path] {
            XCTAssertTrue(r.stderr.contains("looked in \(looked)"), "\(looked) in \(r.stderr)")
        }
        XCTAssertTrue(r.stderr.contains("eqx data get cifar10"), r.stderr)
        XCTAssertEqual(r.stderr.components(separatedBy: "error[").count - 1, 1, "one error: \(r.stderr)")
    }

    func testAnUnknownNameGetsADidYouMean() throws {
        let root = try temporaryDirectory(self, "eqx-named")
        try write("eqx 1\ndata d = fashion_mnsit\n", to: root.appendingPathComponent("s.eqx"))
        let r = try run(["check", "s.eqx"], in: root, environment: try isolated(root))
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssertTrue(r.stderr.contains("unknown data source 'fashion_mnsit'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("did you mean 'fashion_mnist'?"), r.stderr)
        XCTAssertTrue(r.stderr.contains("datasets by name are looked for in \(root.path)/home/.cache/eqx"), r.stderr)
    }

    /// `eqx check` finds the files and reads their headers; `eqx run` verifies them first and stops on a
    /// mismatch, naming the file and the command that fetches it again. `eqx data list` says the same.
    func testAFileThatDoesNotVerifyIsNamed() throws {
        let root = try temporaryDirectory(self, "eqx-named")
        let data = root.appendingPathComponent("data")
        try writeFakeMNIST(data.appendingPathComponent("mnist"))
        let env = try isolated(root, data: data)
        try write("eqx 1\ndata digits = mnist {\n  limit 2\n}\n", to: root.appendingPathComponent("s.eqx"))
        let check = try run(["check", "s.eqx"], in: root, environment: env)
        XCTAssertEqual(check.status, 0, check.stderr)

        let r = try run(["run", "s.eqx", "--out", root.appendingPathComponent("out").path], in: root, environment: env)
        XCTAssertEqual(r.status, 66, r.stderr)
        let file = data.appendingPathComponent("mnist/train-images-idx3-ubyte").path
        XCTAssertTrue(r.stderr.contains("\(file): MD5 checksum"), r.stderr)
        XCTAssertTrue(r.stderr.contains("eqx data get mnist --to \(data.appendingPathComponent("mnist").path)"), r.stderr)

        let list = try run(["data", "list"], in: root, environment: env)
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("builtin.digits"), list.stdout)
        XCTAssertTrue(list.stdout.contains("mnist           \(data.path)/mnist DOES NOT VERIFY: \(file)"), list.stdout)
        XCTAssertTrue(list.stdout.contains("cifar10         not found (`eqx data get cifar10`); looked in:"), list.stdout)
        XCTAssertTrue(list.stdout.contains("search path (EQX_DATA=\(data.path)): \(data.path):\(root.path)/home/.cache/eqx:"), list.stdout)
    }

    /// The rows of digits.csv.gz (64 pixels 0…16, then the label), read with gzip, independently of eqx.
    private func digitsRows() throws -> [[Int]] {
        let gz = EqxBinary.packageRoot.appendingPathComponent("Sources/EqxData/Resources/digits.csv.gz")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/gzip")
        p.arguments = ["-dc", gz.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            return fields.count == 65 ? fields : nil
        }
    }

    /// Shape and payload of a little-endian `.npy` file.
    private func npy(_ url: URL) throws -> (header: String, payload: [UInt8]) {
        let bytes = [UInt8](try Data(contentsOf: url))
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        return (String(decoding: bytes[10..<(10 + length)], as: UTF8.self), Array(bytes[(10 + length)...]))
    }

    private func floats(_ payload: [UInt8]) -> [Float] {
        stride(from: 0, to: payload.count, by: 4).map { i in
            Float(bitPattern: UInt32(payload[i]) | UInt32(payload[i + 1]) << 8 | UInt32(payload[i + 2]) << 16 | UInt32(payload[i + 3]) << 24)
        }
    }

    private func int64s(_ payload: [UInt8]) -> [Int] {
        stride(from: 0, to: payload.count, by: 8).map { i in (0..<8).reduce(0) { $0 | Int(payload[i + $1]) << (8 * $1) } }
    }

    /// The documented split and scaling: the first 1,397 rows are train, the last 400 test, pixels / 16.
    func testExportWritesTheDigitsAsAScriptSeesThem() throws {
        let root = try temporaryDirectory(self, "eqx-export")
        let out = root.appendingPathComponent("npy")
        let r = try run(["data", "export", "builtin.digits", "--to", out.path], in: root, environment: try isolated(root))
        XCTAssertEqual(r.status, 0, r.stderr)
        let rows = try digitsRows()
        XCTAssertEqual(rows.count, 1797)
        for (split, range) in [("train", 0..<1397), ("test", 1397..<1797)] {
            let (inputHeader, inputPayload) = try npy(out.appendingPathComponent("\(split)_inputs.npy"))
            XCTAssertTrue(inputHeader.contains("'descr': '<f4'") && inputHeader.contains("'shape': (\(range.count), 1, 8, 8)"), inputHeader)
            let (labelHeader, labelPayload) = try npy(out.appendingPathComponent("\(split)_labels.npy"))
            XCTAssertTrue(labelHeader.contains("'descr': '<i8'") && labelHeader.contains("'shape': (\(range.count),)"), labelHeader)
            let x = floats(inputPayload), y = int64s(labelPayload)
            XCTAssertEqual(x.count, range.count * 64); XCTAssertEqual(y.count, range.count)
            for (i, row) in range.enumerated() {
                XCTAssertEqual(y[i], rows[row][64], "\(split) label \(i)")
                XCTAssertEqual(Array(x[(i * 64)..<((i + 1) * 64)]), rows[row][0..<64].map { Float($0) / 16 }, "\(split) sample \(i)")
            }
        }
    }

    func testExportAppliesTheScriptsOptions() throws {
        let root = try temporaryDirectory(self, "eqx-export")
        try write("eqx 1\ngroup flip = mirror(horizontal)\ndata small = builtin.digits {\n  limit 3\n  augment flip\n}\n",
                  to: root.appendingPathComponent("s.eqx"))
        let env = try isolated(root)
        let r = try run(["data", "export", "small", "--script", "s.eqx", "--to", "out"], in: root, environment: env)
        XCTAssertEqual(r.status, 0, r.stderr)
        let (header, payload) = try npy(root.appendingPathComponent("out/train_inputs.npy"))
        XCTAssertTrue(header.contains("'shape': (6, 1, 8, 8)"), header)
        let x = floats(payload), rows = try digitsRows()
        // Samples 3…5 are the mirror images of 0…2: column w of the mirror is column 7 − w.
        for s in 0..<3 {
            for h in 0..<8 {
                for w in 0..<8 { XCTAssertEqual(x[(3 + s) * 64 + h * 8 + w], Float(rows[s][h * 8 + 7 - w]) / 16) }
            }
        }
        let wrong = try run(["data", "export", "smal", "--script", "s.eqx", "--to", "out"], in: root, environment: env)
        XCTAssertEqual(wrong.status, 64)
        XCTAssertTrue(wrong.stderr.contains("did you mean 'small'?"), wrong.stderr)
        let unknown = try run(["data", "export", "mnits", "--to", "out"], in: root, environment: env)
        XCTAssertEqual(unknown.status, 64)
        XCTAssertTrue(unknown.stderr.contains("did you mean 'mnist'?"), unknown.stderr)
    }

    /// Predictions agree with eqx's own accuracy and with the data's labels and order.
    func testSavePredictionsWritesIndexLabelAndLogits() throws {
        let root = try temporaryDirectory(self, "eqx-predictions")
        let script = """
        eqx 1
        seed 3
        data digits = builtin.digits
        net small {
          conv 3x3 -> 4 pad 1
          relu
          global avgpool
          linear -> 10
        }
        train t = small on digits.train {
          optimizer sgd(lr: 0.1, momentum: 0.9)
          epochs 2
        }
        save predictions(t, digits.test[100..199]) to "part.csv"
        save predictions(t, digits.test) to "all.npy"
        report acc: accuracy(t, digits.test[100..199]), all: accuracy(t, digits.test)

        """
        try write(script, to: root.appendingPathComponent("p.eqx"))
        let out = root.appendingPathComponent("out")
        let r = try run(["run", "p.eqx", "--out", out.path, "--quiet"], in: root, environment: try isolated(root))
        XCTAssertEqual(r.status, 0, r.stderr)
        let results = try jsonObject(out.appendingPathComponent("results.json"))
        let table = try XCTUnwrap((results["tables"] as? [String: Any])?.values.first as? [String: Any])
        let row = try XCTUnwrap((table["rows"] as? [[Any]])?.first)
        let reported = try XCTUnwrap(row[0] as? Double), reportedAll = try XCTUnwrap(row[1] as? Double)

        let labels = try digitsRows().map { $0[64] }
        let lines = try String(contentsOf: out.appendingPathComponent("part.csv"), encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(String(lines[0]), "index,label,predicted," + (0..<10).map { "logit_\($0)" }.joined(separator: ","))
        XCTAssertEqual(lines.count, 101)
        var correct = 0
        for (i, line) in lines.dropFirst().enumerated() {
            let f = line.split(separator: ",").map(String.init)
            XCTAssertEqual(f.count, 13)
            XCTAssertEqual(Int(f[0]), 100 + i)
            XCTAssertEqual(Int(f[1]), labels[1397 + 100 + i])
            let z = f[3...].compactMap(Float.init)
            XCTAssertEqual(z.count, 10)
            XCTAssertEqual(Int(f[2]), z.firstIndex(of: z.max()!))
            if f[1] == f[2] { correct += 1 }
        }
        XCTAssertEqual(Double(correct) / 100, reported, accuracy: 1e-12)

        let (header, payload) = try npy(out.appendingPathComponent("all.npy"))
        XCTAssertTrue(header.hasPrefix("{'descr': [('index', '<i8'), ('label', '<i8'), ('predicted', '<i8'), ('logits', '<f4', (10,))], 'fortran_order': False, 'shape': (400,), }"), header)
        XCTAssertEqual(payload.count, 400 * (3 * 8 + 10 * 4))
        var correctAll = 0
        for s in 0..<400 {
            let record = Array(payload[(s * 64)..<((s + 1) * 64)])
            let ints = int64s(Array(record[0..<24]))
            XCTAssertEqual(ints[0], s); XCTAssertEqual(ints[1], labels[1397 + s])
            let z = floats(Array(record[24...]))
            XCTAssertEqual(ints[2], z.firstIndex(of: z.max()!))
            if ints[1] == ints[2] { correctAll += 1 }
            if (100..<200).contains(s) {
                // The same sample gives the same logits (same batch position modulo nothing: eval mode is per sample).
                let f = lines[s - 100 + 1].split(separator: ",").dropFirst(3).compactMap(Float.init)
                XCTAssertEqual(f, z, "sample \(s)")
            }
        }
        XCTAssertEqual(Double(correctAll) / 400, reportedAll, accuracy: 1e-12)
    }

    /// A network trained for one step on the digits, for scripts that only need a trained network.
    static let oneStep = """
        eqx 1
        data digits = builtin.digits
        net small {
          global avgpool
          linear -> 10
        }
        train t = small on digits.train {
          steps 1
        }

        """

    func testUnwritablePredictionsExit74WithThePath() throws {
        let root = try temporaryDirectory(self, "eqx-predictions")
        let blocker = root.appendingPathComponent("file")
        try write("not a directory", to: blocker)
        let target = blocker.appendingPathComponent("p.csv").path
        let script = Self.oneStep + "save predictions(t, digits.test) to \"\(target)\"\n"
        try write(script, to: root.appendingPathComponent("p.eqx"))
        let r = try run(["run", "p.eqx", "--out", root.appendingPathComponent("out").path, "--quiet"], in: root,
                        environment: try isolated(root))
        XCTAssertEqual(r.status, 74, r.stderr)
        XCTAssertTrue(r.stderr.contains(blocker.path), r.stderr)
    }

    func testPredictionsNeedACsvOrNpyPathAndATrainedNetwork() throws {
        let root = try temporaryDirectory(self, "eqx-predictions")
        let script = Self.oneStep + """
        save predictions(t, digits.test) to "p.txt"
        save predictions(small, digits.test) to "p.csv"
        save predictions(t) to "p.csv"

        """
        try write(script, to: root.appendingPathComponent("p.eqx"))
        let r = try run(["check", "p.eqx"], in: root, environment: try isolated(root))
        XCTAssertEqual(r.status, 65, r.stderr)
        XCTAssertTrue(r.stderr.contains("predictions are written as .csv or .npy"), r.stderr)
        XCTAssertTrue(r.stderr.contains("p.txt.csv"), "the fix-it: \(r.stderr)")
        XCTAssertTrue(r.stderr.contains("must be a trained network, not the declaration 'small'"), r.stderr)
        XCTAssertTrue(r.stderr.contains("'predictions' takes a network and data"), r.stderr)
    }
}
