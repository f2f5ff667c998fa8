import EqxTestSupport
import XCTest
@testable import EqxSyntax

final class SuggestionTests: XCTestCase {
    let layers = ["conv", "linear", "relu", "batchnorm", "layernorm", "maxpool", "avgpool", "global", "flatten",
                  "dropout", "residual", "leaky_relu", "tanh", "dense"]

    func testTypos() {
        XCTAssertEqual(suggestion(for: "rleu", among: layers), "relu")          // transposition
        XCTAssertEqual(suggestion(for: "lienar", among: layers), "linear")      // transposition
        XCTAssertEqual(suggestion(for: "convv", among: layers), "conv")         // insertion
        XCTAssertEqual(suggestion(for: "batchnrm", among: layers), "batchnorm") // deletion
        XCTAssertEqual(suggestion(for: "maxpoll", among: layers), "maxpool")    // substitution
        XCTAssertEqual(suggestion(for: "ReLU", among: layers), "relu")          // case only
        XCTAssertEqual(suggestion(for: "trian", among: ["train", "data", "net"]), "train")
    }

    func testNothingCloseMeansNoSuggestion() {
        XCTAssertNil(suggestion(for: "transformer", among: layers))
        XCTAssertNil(suggestion(for: "x", among: ["y", "z"]))
        XCTAssertNil(suggestion(for: "", among: layers))
        XCTAssertNil(suggestion(for: "relu", among: []))
        XCTAssertNil(suggestion(for: "relu", among: ["relu"]), "an exact match is not a suggestion")
    }

    func testThresholdGrowsWithLength() {
        XCTAssertEqual(suggestion(for: "abc", among: ["abd"]), "abd")
        XCTAssertNil(suggestion(for: "abc", among: ["axy"]))
        XCTAssertEqual(suggestion(for: "optimzr", among: ["optimizer"]), "optimizer")       // 2 edits, 7 letters
        XCTAssertNil(suggestion(for: "optmzr", among: ["optimizer"]))                      // 3 edits, 6 letters
        XCTAssertEqual(suggestion(for: "distnce_to_e", among: ["distance_to_E"]), "distance_to_E")
    }

    func testTiesAreDeterministic() {
        // "cat" is one edit from both; the case-sensitive distance, then the alphabet decide.
        XCTAssertEqual(suggestion(for: "cat", among: ["bat", "cot"]), "bat")
        XCTAssertEqual(suggestion(for: "cat", among: ["cot", "bat"]), "bat")
        XCTAssertEqual(suggestion(for: "cat", among: ["Cat", "cat2"]), "Cat")
        XCTAssertEqual(suggestion(for: "Relu", among: ["relu", "ReLu", "relU"]), "ReLu")
        XCTAssertEqual(suggestion(for: "Relu", among: ["relU", "relu", "ReLu", "relu"]), "ReLu")
    }

    func testDistanceAgainstAnIndependentReference() {
        // Reference: the textbook recursion over all edit scripts with adjacent transpositions, memoised.
        func reference(_ a: [Character], _ b: [Character]) -> Int {
            var memo: [String: Int] = [:]
            func d(_ i: Int, _ j: Int) -> Int {
                if i == 0 { return j }
                if j == 0 { return i }
                let key = "\(i),\(j)"
                if let v = memo[key] { return v }
                var best = min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] == b[j - 1] ? 0 : 1))
                // Unrestricted transposition: the last b[j-1] matched a[k-1] earlier, and a[i-1] matched b[l-1].
                for k in stride(from: i - 1, through: 1, by: -1) where a[k - 1] == b[j - 1] {
                    for l in stride(from: j - 1, through: 1, by: -1) where b[l - 1] == a[i - 1] {
                        best = min(best, d(k - 1, l - 1) + (i - k - 1) + 1 + (j - l - 1))
                        break
                    }
                    break
                }
                memo[key] = best
                return best
            }
            return d(a.count, b.count)
        }
        var rng = SplitMix64(seed: 7)
        for _ in 0..<400 {
            let a = (0..<Int(rng.next() % 7)).map { _ in Character(UnicodeScalar(UInt8(97 + rng.next() % 3))) }
            let b = (0..<Int(rng.next() % 7)).map { _ in Character(UnicodeScalar(UInt8(97 + rng.next() % 3))) }
            XCTAssertEqual(damerauLevenshteinDistance(a, b), reference(a, b), "\(String(a)) \(String(b))")
        }
        XCTAssertEqual(damerauLevenshteinDistance(Array("ca"), Array("abc")), 2, "unrestricted: ca → ac → abc")
    }
}

