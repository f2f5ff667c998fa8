import XCTest
import EqxGroups
import EqxIR
import EqxNN
import EqxSyntax

/// The checker counts dim E by Burnside's lemma on index factors (`EquivariantDimensions`); the runtime's
/// `ReynoldsProjector` builds the orbit partition of every tensor from the generators' gathers. Two
/// independent computations of the same numbers: they must agree exactly, tensor by tensor.
final class EquivariantDimensionTests: XCTestCase {
    /// Compares every tensor; returns how many it compared.
    @discardableResult
    func assertSameDimensions(_ g: GroupSpec, _ spec: NetworkSpec, hidden: ChannelAction,
                              file: StaticString = #filePath, line: UInt = #line) throws -> Int {
        let group = try g.finiteGroup(forInput: spec.inputShape)
        let projector = try ReynoldsProjector(group: group, spec: spec, hidden: hidden)
        let counted = try EquivariantDimensions(group: group, spec: spec, hidden: hidden)
        let context = "\(g) with \(hidden) channels on \(spec.name)"
        XCTAssertEqual(Set(counted.tensors.keys), Set(projector.partitions.keys), context, file: file, line: line)
        for (key, partition) in projector.partitions {
            XCTAssertEqual(counted.tensors[key], .init(equivariant: partition.orbitCount, total: partition.count),
                           "\(key): \(context)", file: file, line: line)
        }
        XCTAssertEqual(counted.layers.map { [$0.layer, "\($0.count.equivariant)", "\($0.count.total)"] },
                       projector.dimensions().map { [$0.layer, "\($0.equivariant)", "\($0.total)"] },
                       context, file: file, line: line)
        return projector.partitions.count
    }

    /// Every layer kind under mirrors, C4, D4, a product, translations (on a torus, with regular channels
    /// too) and S_n on graphs and node vectors.
    func testBurnsideCountsEqualTheProjectorsOrbitsOnEverySymmetryCase() throws {
        let compared = try symmetryCases().reduce(0) { $0 + (try assertSameDimensions($1.group, $1.spec, hidden: $1.hidden)) }
        XCTAssertGreaterThan(compared, 300)
    }

    /// Networks as scripts declare them: conv with zero padding, batch norm, pooling, flatten and a
    /// linear head; dense layers on graphs under S₁₀, which is too large to enumerate.
    func testBurnsideCountsEqualTheProjectorsOrbitsOnCheckedScripts() throws {
        let text = """
            eqx 1
            data digits = builtin.digits
            data graphs = block_graphs(count: 20, block: 5)
            net cnn(width: 8, k: 3) {
              conv k -> width pad 1
              batchnorm
              relu
              maxpool 2
              conv 3x3 -> 2 * width pad 1
              flatten
              linear -> 10
            }
            net torus(width: 8) {
              conv 3x3 -> width pad 1 padding circular
              batchnorm
              layernorm over spatial
              flatten
              linear -> 10
            }
            net gnn(width: 4) {
              dense -> width
              batchnorm
              layernorm
              flatten
              linear -> 2
            }

            """
        let cases: [(String, GroupSpec, [ChannelAction])] = [
            ("cnn on digits.train", .mirror(.horizontal), [.trivial, .regular]),
            ("cnn(k: 1) on digits.train", .mirror(.vertical), [.trivial, .regular]),
            ("cnn on digits.train", .rotations(4), [.trivial, .regular]),
            ("cnn(k: 2) on digits.train", .rotations(4), [.trivial, .regular]),
            ("cnn on digits.train", .dihedral4, [.trivial, .regular]),
            ("torus on digits.train", .translations(.both), [.trivial]),
            ("torus(width: 64) on digits.train", .translations(.both), [.regular]),
            ("torus on digits.train", .translations(.width), [.trivial, .regular]),
            ("gnn on graphs.train", .symmetric(10), [.trivial]),
        ]
        var compared = 0
        for (train, group, channels) in cases {
            let network = try checkedNetwork(text + "train t = \(train) { steps 1 }\n")
            for hidden in channels { compared += try assertSameDimensions(group, network, hidden: hidden) }
        }
        XCTAssertGreaterThan(compared, 100)
    }

    func checkedNetwork(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> NetworkSpec {
        let source = SourceFile(name: "dimensions.eqx", bytes: Array(text.utf8))
        let (script, syntax) = parse(source)
        let (program, semantic) = Checker(file: source).check(script)
        XCTAssertEqual((syntax + semantic).filter { $0.severity == .error }.map(\.message), [], file: file, line: line)
        let train = try XCTUnwrap(program?.steps.compactMap { if case .train(let t) = $0 { return t } else { return nil } }.first,
                                  file: file, line: line)
        return train.network
    }
}
