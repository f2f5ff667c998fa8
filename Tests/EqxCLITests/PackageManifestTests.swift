import EqxTestSupport
import Foundation
import XCTest

/// Every module a target imports is one of its declared dependencies in Package.swift (not reached through
/// another target's), and syntax and IR never import the tensor runtime: the layering of the design card.
final class PackageManifestTests: XCTestCase {
    let root = EqxBinary.packageRoot

    /// Target name → declared dependencies (target names and products), read from Package.swift.
    func declaredDependencies() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var result: [String: Set<String>] = [:]
        let pattern = try NSRegularExpression(pattern: #"\.(?:target|testTarget|executableTarget|systemLibrary)\(name: "(\w+)""#)
        let ns = text as NSString
        for match in pattern.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
            let name = ns.substring(with: match.range(at: 1))
            // The call's text up to its closing parenthesis, by bracket depth.
            let start = match.range.location + match.range.length
            var depth = 1, end = start
            let chars = Array(ns.substring(from: start).utf16)
            while end - start < chars.count, depth > 0 {
                switch chars[end - start] { case 0x28, 0x5B: depth += 1; case 0x29, 0x5D: depth -= 1; default: break }
                end += 1
            }
            let call = ns.substring(with: NSRange(location: start, length: end - start))
            var deps = Set<String>()
            if let r = call.range(of: #"dependencies: \[[^\]]*\]"#, options: .regularExpression) {
                let list = String(call[r])
                for m in try NSRegularExpression(pattern: #""(\w+)""#)
                    .matches(in: list, range: NSRange(list.startIndex..., in: list)) {
                    deps.insert((list as NSString).substring(with: m.range(at: 1)))
                }
            }
            result[name] = deps
        }
        return result
    }

    func imports(of target: String) throws -> Set<String> {
        let fm = FileManager.default
        let dir = ["Sources", "Tests"].map { root.appendingPathComponent($0).appendingPathComponent(target) }
            .first { fm.fileExists(atPath: $0.path) }
        guard let dir, let walker = fm.enumerator(atPath: dir.path) else { return [] }
        var found = Set<String>()
        for case let file as String in walker where file.hasSuffix(".swift") {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            for line in text.split(separator: "\n") {
                let words = line.split(separator: " ").filter { !$0.hasPrefix("@") }
                if words.count == 2, words[0] == "import" { found.insert(String(words[1])) }
            }
        }
        return found
    }

    func testEveryImportedTargetIsDeclared() throws {
        let declared = try declaredDependencies()
        XCTAssertGreaterThan(declared.count, 20, "Package.swift was read")
        let ours = Set(declared.keys).union(["Crypto", "ArgumentParser"])
        for (target, deps) in declared.sorted(by: { $0.key < $1.key }) {
            let missing = try imports(of: target).intersection(ours).subtracting(deps).subtracting([target])
            XCTAssertEqual(missing, [], "\(target) imports \(missing.sorted()) without declaring it in Package.swift")
        }
    }

    func testSyntaxAndIRNeverImportTheTensorRuntime() throws {
        let runtime: Set<String> = ["EqxTensor", "EqxNN", "EqxTraining", "EqxMerge", "EqxRuntime", "CBLAS", "CEqxKernels"]
        for target in ["EqxSyntax", "EqxIR", "EqxGroups"] {
            XCTAssertEqual(try imports(of: target).intersection(runtime), [], target)
        }
    }
}
