import XCTest
import EqxData
import EqxGroups
@testable import EqxIR
@testable import EqxMerge
import EqxNN
import EqxTensor
import EqxTraining
import EqxEvaluation

/// The orbit merge with `representation`: one σ_g per element with σ_g σ_h = σ_{g∘h}, so the orbit average
/// is Π_E θ for the learned representation and exactly invariant. Tolerances: states to 1e-6 · max(1, |θ|);
/// invariance relativeChange < 1e-5 (float rounding through three conv layers is ~1e-7).
final class OrbitRepresentationTests: XCTestCase {
    static let body = TrainedFixtures.cnnBody

    private func merger(_ a: Network, group: FiniteGroup, name: String, matching: String, representation: Bool = true,
                        alphas: String = "0..1 step 0.5") throws -> Merger {
        var clauses = matching == "weights" ? "  match weights" : "  match activations on digits.train[0..299]"
        if representation { clauses += "\n  representation" }
        clauses += "\n  alpha \(alphas)"
        let spec = try mergeSpec(net: Self.body, target: "orbit(\(name))", clauses: clauses)
        XCTAssertEqual(spec.representation, representation)
        return try Merger(spec: spec, inputs: mergeInputs(base: a, partner: nil, group: group,
                                                          matching: digitBatches(.train, count: 300, batch: 150)))
    }

    /// σ_g for every g (identity first) and symbol, from the merger's matched permutations.
    private func learned(_ m: Merger, _ group: FiniteGroup, _ symbols: PermutationSymbols) -> [[[Int]]] {
        symbols.symbols.map { s in [Array(0..<s.channels)] + m.permutations.map { $0.perms[s.id] } }
    }

    /// Planted: a G-CNN with regular channels, its channels shuffled at random (the function is unchanged).
    /// The merge with `representation` finds the shuffled regular representation, s⁻¹∘ρ_reg(g)∘s, and the
    /// orbit average is the network itself: barrier 0, invariance at rounding level, every relation holds.
    func testPlantedRegularGCNNIsReturnedForC4AndD4() throws {
        let spec = try networkSpec(Self.body)
        let symbols = PermutationSymbols(spec)
        for (group, name) in [(FiniteGroup.rotations, "rot"), (.dihedral, "d4")] {
            let projector = try ReynoldsProjector(group: group, spec: spec, hidden: .regular)
            let regular = try aliveProjectedState(spec, seed: 47, projector: projector)
            let shuffle = randomPermutation(symbols, seed: 19, name: "test/shuffle/\(name)")
            let theta = try shuffle.apply(to: regular, spec: spec, symbols: symbols)
            let a = try Network(spec: spec, state: theta)
            for matching in ["activations", "weights"] {
                let m = try merger(a, group: group, name: name, matching: matching)
                let found = learned(m, group, symbols)
                for s in symbols.symbols {
                    let inverse = inversePermutation(shuffle.perms[s.id])
                    for g in group.elements {
                        let reg = try group.channelPermutation(element: g, channels: s.channels, representation: .regular)
                        let expected = (0..<s.channels).map { inverse[reg[shuffle.perms[s.id][$0]]] }
                        XCTAssertEqual(found[s.id][g], expected, "\(name) \(matching) \(s.name)@\(group.name(of: g))")
                    }
                }
                XCTAssertTrue(m.representationReports.allSatisfy { r in r.isRepresentation && r.relations.allSatisfy { $0.channels == 0 } })
                assertStatesEqual(try m.network(at: 1).state, theta, "\(name) \(matching): the average is the net")
                let outcome = try m.run()
                XCTAssertEqual(outcome.lossBarrier, 0, accuracy: 1e-5)
                let change = try XCTUnwrap(outcome.orbitChange)
                XCTAssertEqual(change.lossChange, 0, accuracy: 1e-5)
                XCTAssertEqual(change.accuracyChange, 0)
                XCTAssertLessThan(change.invariance.merged.relativeChange, 1e-5)
                XCTAssertLessThan(change.invariance.net.relativeChange, 1e-5, "a G-CNN is invariant")
            }
        }
    }

    /// Trained nominal and rotation-augmented nets, two seeds each: with `representation` the α = 1 net is
    /// invariant to rounding and every relation holds for every symbol; without it the report states the
    /// violations, and agrees with an independent check of the homomorphism property.
    func testTrainedNetsWithAndWithoutTheOption() throws {
        let group = FiniteGroup.rotations
        let spec = try networkSpec(Self.body)
        let symbols = PermutationSymbols(spec)
        let test = try digitSubset(.test, count: 200)
        for mode in ["nominal", "augmented(rot)"] {
            for seed: UInt64 in [5, 6] {
                let a = try TrainedFixtures.cnn(mode: mode, epochs: 4, seed: seed)
                let with = try merger(a, group: group, name: "rot", matching: "activations", alphas: "[0, 1]")
                XCTAssertTrue(with.representationReports.allSatisfy { r in r.isRepresentation && r.relations.allSatisfy { $0.channels == 0 } },
                              "\(mode) seed \(seed): \(with.representationReports.map(\.relations))")
                for perms in learned(with, group, symbols) {
                    XCTAssertNoThrow(try group.validate(.permutations(perms), channels: perms[0].count))
                }
                let merged = try with.network(at: 1)
                XCTAssertLessThan(try invarianceError(merged, group: group, on: test).relativeChange, 1e-5, "\(mode) seed \(seed)")
                for r in with.representationReports {
                    let search = try XCTUnwrap(r.search)
                    XCTAssertLessThanOrEqual(search.value, search.upperBound + 1e-9)
                }

                let without = try merger(a, group: group, name: "rot", matching: "activations", representation: false, alphas: "[0, 1]")
                for (s, perms) in zip(symbols.symbols, learned(without, group, symbols)) {
                    let report = try XCTUnwrap(without.representationReports.first { $0.symbol == s.name })
                    let isRepresentation = (try? group.validate(.permutations(perms), channels: s.channels)) != nil
                    XCTAssertEqual(report.isRepresentation, isRepresentation, "\(mode) seed \(seed) \(s.name)")
                    // Channels i where σ_s(σ_g(i)) ≠ σ_{g∘s}(i) for some g and the generator r.
                    let bad = (0..<s.channels).filter { i in
                        group.elements.contains { g in perms[1][perms[g][i]] != perms[group.compose(g, 1)][i] }
                    }.count
                    XCTAssertEqual(report.relations.last?.relation, "homomorphism")
                    XCTAssertEqual(report.relations.last?.channels, bad, "\(mode) seed \(seed) \(s.name)")
                    XCTAssertNil(report.search)
                }
            }
        }
    }

    /// A self-merge reports the power relation of its element; `representation` there is `involutions`.
    func testSelfMergeReportsItsPowerRelation() throws {
        let a = try TrainedFixtures.cnn(mode: "nominal", epochs: 4)
        let spec = try mergeSpec(net: Self.body, target: "flip(a)", clauses: "  match weights\n  representation")
        XCTAssertTrue(spec.involutive)
        let m = try Merger(spec: spec, inputs: mergeInputs(base: a, partner: nil, group: .horizontalMirror, matching: []))
        XCTAssertEqual(m.representationReports.map { $0.relations.map(\.relation) }, [["m^2=e"], ["m^2=e"], ["m^2=e"]])
        XCTAssertTrue(m.representationReports.allSatisfy(\.isRepresentation))
    }
}
