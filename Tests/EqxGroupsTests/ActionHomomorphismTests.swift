import EqxTestSupport
import XCTest
import EqxGroups

/// Every action is a homomorphism: perm[g∘h][i] = perm[h][perm[g][i]] and perm[e] = identity.
final class ActionHomomorphismTests: XCTestCase {
    private func checkHomomorphism(_ group: FiniteGroup, perms: [[Int]], what: String) {
        XCTAssertEqual(perms[group.identity], Array(perms[0].indices), "\(group) on \(what): identity")
        for g in group.elements {
            XCTAssertTrue(isPermutation(perms[g]), "\(group) on \(what): \(group.name(of: g))")
            for h in group.elements {
                let expected = composedPermutation(perms[g], perms[h])
                if perms[group.compose(g, h)] != expected {
                    XCTFail("\(group) on \(what): ρ(\(group.name(of: g)))ρ(\(group.name(of: h))) ≠ ρ(g∘h)")
                    return
                }
            }
        }
    }

    func testSpatialActionsOfEveryGroupOnEveryDomainTheyActOn() throws {
        var actingPairs = 0
        for group in try catalogue() {
            for domain in sampleDomains {
                guard (try? group.validateAction(on: domain)) != nil else { continue }
                actingPairs += 1
                let perms = try group.elements.map { try group.spatialPermutation(element: $0, on: domain) }
                XCTAssertEqual(perms[0].count, domain.size)
                checkHomomorphism(group, perms: perms, what: "\(domain)")
            }
        }
        // Guard against a vacuous test: most pairs act.
        XCTAssertGreaterThan(actingPairs, 100)
    }

    func testExpectedDomainsAreAccepted() throws {
        let grid = SpatialDomain.grid(height: 12, width: 12)
        XCTAssertEqual(try gridCatalogue().count, 13)
        for group in try gridCatalogue() {
            XCTAssertNoThrow(try group.validateAction(on: grid), "\(group)")
            XCTAssertNoThrow(try group.validateAction(on: .none), "\(group)")
        }
        XCTAssertNoThrow(try FiniteGroup.symmetric(4).validateAction(on: .grid(height: 4, width: 4)))
        XCTAssertNoThrow(try FiniteGroup.symmetric(4).validateAction(on: .vector(length: 4)))
    }

    func testFaithfulOnGridsWhereExpected() throws {
        // Distinct elements give distinct pixel permutations (the action is faithful) on a 12×12 grid.
        for group in try gridCatalogue() {
            let perms = try group.elements.map { try group.pixelPermutation(element: $0, height: 12, width: 12) }
            XCTAssertEqual(Set(perms).count, group.order, "\(group)")
        }
    }

    func testChannelAndFeatureRepresentationsAreHomomorphisms() throws {
        for group in try catalogue() where group.order <= 36 {
            for representation in [ChannelRepresentation.trivial, .regular] {
                let channels = 2 * group.order
                let perms = try group.elements.map {
                    try group.channelPermutation(element: $0, channels: channels, representation: representation)
                }
                checkHomomorphism(group, perms: perms, what: "\(representation) channels")
                for domain in sampleDomains where (try? group.validateAction(on: domain)) != nil {
                    let space = FeatureSpace(channels: channels, representation: representation, spatial: domain)
                    let features = try group.elements.map { try group.featurePermutation(element: $0, on: space) }
                    checkHomomorphism(group, perms: features, what: "\(space)")
                }
            }
        }
    }

    func testLargeGroupsOnRandomPairs() throws {
        var rng = SplitMix64(seed: 11)
        let cases: [(FiniteGroup, SpatialDomain)] = [
            (try .symmetric(10), .grid(height: 10, width: 10)),
            (try .symmetric(10), .vector(length: 10)),
            (try .semidirectProduct(translations: .translations(rows: 14, columns: 14), point: .rotations),
             .grid(height: 14, width: 14)),
            (try .semidirectProduct(translations: .translations(rows: 7, columns: 7), point: .dihedral),
             .grid(height: 28, width: 28)),
        ]
        for (group, domain) in cases {
            for _ in 0..<50 {
                let (g, h) = (group.randomElement(using: &rng), group.randomElement(using: &rng))
                let pg = try group.spatialPermutation(element: g, on: domain)
                let ph = try group.spatialPermutation(element: h, on: domain)
                let pgh = try group.spatialPermutation(element: group.compose(g, h), on: domain)
                XCTAssertEqual(pgh, composedPermutation(pg, ph), "\(group)")
            }
        }
    }
}

final class ParameterHomomorphismTests: XCTestCase {
    /// Parameter gathers compose like the group: perm[g∘h] = perm[h] ∘ perm[g] (as gathers).
    func testConvolutionAndLinearWeightGathers() throws {
        let groups = [FiniteGroup.dihedral, .horizontalMirror,
                      try .semidirectProduct(translations: .translations(rows: 2, columns: 2), point: .rotations)]
        for group in groups {
            let conv = try group.elements.map {
                try group.convolutionWeightPermutation(element: $0, outputChannels: group.order,
                                                       outputRepresentation: .regular, inputChannels: 2,
                                                       inputRepresentation: .trivial, kernelHeight: 3, kernelWidth: 3)
            }
            let linear = try group.elements.map {
                try group.linearWeightPermutation(
                    element: $0, output: FeatureSpace(channels: group.order, representation: .regular),
                    input: FeatureSpace(channels: group.order, representation: .regular,
                                        spatial: .grid(height: 4, width: 4)))
            }
            for g in group.elements {
                for h in group.elements {
                    XCTAssertEqual(conv[group.compose(g, h)], composedPermutation(conv[g], conv[h]), "\(group)")
                    XCTAssertEqual(linear[group.compose(g, h)], composedPermutation(linear[g], linear[h]), "\(group)")
                }
            }
        }
    }
}
