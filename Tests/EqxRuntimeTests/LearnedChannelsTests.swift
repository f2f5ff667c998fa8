import EqxData
import EqxGroups
import EqxIR
import EqxNN
@testable import EqxRuntime
import EqxSyntax
import EqxTensor
import Foundation
import XCTest
import EqxTestSupport

/// `channels: m.representation`: a self-merge's (or orbit merge's) learned channel permutations used as the
/// channel action of measurements and of equivariant training.
final class LearnedChannelsTests: XCTestCase {
    static let header = """
        eqx 1
        seed 4
        data digits = builtin.digits
        group flip = mirror(horizontal)
        group rot = rotations(4)
        net cnn { conv 3x3 -> 6 pad 1; relu; conv 3x3 -> 4 pad 1; relu; global avgpool; linear -> 10 }

        """

    func row(_ e: Executor, _ table: String) throws -> [String: Double] {
        let t = try XCTUnwrap(e.tables[table], "tables: \(e.tables.keys.sorted())")
        var out: [String: Double] = [:]
        for (c, v) in zip(t.columns, t.rows[0]) { if case .double(let d) = v { out[c] = d } }
        return out
    }

    func run(_ text: String, in dir: URL, writesFiles: Bool = false) throws -> Executor {
        let checked = Pipeline.check(SourceFile(name: "rep.eqx", text: text), baseDirectory: dir)
        let program = try XCTUnwrap(checked.program, "\(checked.diagnostics.map(\.message))")
        let e = Executor(program: program, canonicalSource: checked.canonicalSource,
                         options: RunOptions(scriptName: "rep", scriptDirectory: dir, outputDirectory: dir.appendingPathComponent("out"),
                                             threads: 1, writesFiles: writesFiles))
        try e.run()
        return e
    }

    /// A planted representation: θ projected onto E for known involutions σ (per symbol) satisfies
    /// σ(flip·θ) = θ, so the self-merge must learn σ; the net is then layerwise equivariant under it — checked
    /// against a direct computation (mirror the input, permute the channels) — but not under trivial channels.
    func testPlantedRepresentationIsLearned() throws {
        let dir = try temporaryDirectory(self, "eqx-rep")
        let probe = Pipeline.check(SourceFile(name: "p.eqx", text: Self.header + "train a = cnn on digits.train[0..9] { steps 1 }\n"),
                                   baseDirectory: dir)
        guard case .train(let t)? = probe.program?.steps.first(where: { if case .train = $0 { return true } else { return false } })
        else { return XCTFail("\(probe.diagnostics.map(\.message))") }
        let spec = t.network
        let planted: [String: [Int]] = ["conv1": [1, 0, 3, 2, 5, 4], "conv2": [2, 3, 0, 1]]
        let group = try GroupSpec.mirror(.horizontal).finiteGroup(forInput: spec.inputShape)
        let learned = planted.mapValues { ChannelRepresentation.permutations([Array(0..<$0.count), $0]) }
        let projector = try ReynoldsProjector(group: group, spec: spec, hidden: .trivial, learned: learned)
        let net = Network(spec: spec, seed: 9, streamName: "planted")
        net.state = projector.project(net.state, includeBuffers: true)
        // A channel that never fires matches any partner; a positive bias (the same for every channel, so
        // still in E) keeps all of them alive on the digits.
        for k in ["conv1.bias", "conv2.bias"] {
            let b = try XCTUnwrap(net.state[k])
            net.state[k] = try Tensor(shape: b.shape, scalars: b.scalars.map { $0 + 0.5 })
        }
        XCTAssertLessThan(projector.distance(net.state).relative, 1e-6, "the planted net is in E")
        try Checkpoints.write(net.state, to: dir.appendingPathComponent("planted.safetensors"), metadata: ["format": "pt"])

        let script = Self.header + """
            let p = load("planted.safetensors", cnn, digits.train)
            merge m = p with flip(p) { match activations on digits.train[0..299]; involutions; alpha 0..1 step 0.5; evaluate digits.test }
            report planted_eq = learned: equivariance(p, flip, digits.test, channels: m.representation), trivial: equivariance(p, flip, digits.test)
            report planted_d = d: distance_to_E(p, flip, channels: m.representation), d0: distance_to_E(p, flip)

            """
        let e = try run(script, in: dir, writesFiles: true)
        let merger = try XCTUnwrap(e.merges["m"]).merger
        let rep = try LearnedRepresentation(merger, group: .mirror(.horizontal))
        let byLayer = try rep.layerPermutations(for: spec)
        XCTAssertEqual(byLayer["conv1"], learned["conv1"])
        XCTAssertEqual(byLayer["conv2"], learned["conv2"])

        let eq = try row(e, "planted_eq")
        for layer in ["conv1", "relu1", "conv2", "relu2", "pool1", "fc1"] where eq["learned.\(layer)"] != nil {
            XCTAssertLessThan(eq["learned.\(layer)"]!, 1e-5, layer)
        }
        XCTAssertGreaterThan(eq["trivial.conv1"]!, 0.05, "the planted net is not equivariant with trivial channels")
        let d = try row(e, "planted_d")
        XCTAssertLessThan(d["d"]!, 1e-6)
        XCTAssertGreaterThan(d["d0"]!, 0.05)

        // Independently: mirror the input by hand and compare with the hand-permuted activations of conv2.
        let x = try e.dataset(DataRef(data: "digits", split: .test)).subset(0..<8)
        let inputs = try Tensor(shape: [x.count] + x.sampleShape, scalars: x.inputs)
        let (h, w) = (spec.inputShape[1], spec.inputShape[2])
        var mirrored = inputs.scalars
        for n in 0..<x.count { for r in 0..<h { for c in 0..<w { mirrored[(n * h + r) * w + c] = inputs.scalars[(n * h + r) * w + (w - 1 - c)] } } }
        let capture = ForwardOptions(training: false, gradients: false, capture: ["conv2"])
        let phi = try XCTUnwrap(net.forward(inputs, options: capture).activations["conv2"])
        let phiG = try XCTUnwrap(net.forward(Tensor(shape: inputs.shape, scalars: mirrored), options: capture).activations["conv2"])
        let (ch, oh, ow) = (phi.shape[1], phi.shape[2], phi.shape[3])
        var diff = 0.0, norm = 0.0
        for n in 0..<x.count {
            for k in 0..<ch {
                for r in 0..<oh {
                    for c in 0..<ow {
                        let expected = phi.scalars[((n * ch + planted["conv2"]![k]) * oh + r) * ow + (ow - 1 - c)]
                        let got = phiG.scalars[((n * ch + k) * oh + r) * ow + c]
                        diff += Double((got - expected) * (got - expected)); norm += Double(expected * expected)
                    }
                }
            }
        }
        XCTAssertLessThan((diff / norm).squareRoot(), 1e-5)

        // results.json: per symbol and element, the permutation as a list.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("out/results.json"))) as! [String: Any]
        let merges = try XCTUnwrap(json["merges"] as? [String: Any])
        let m = try XCTUnwrap(merges["m"] as? [String: Any])
        let representation = try XCTUnwrap(m["learned_representation"] as? [String: Any])
        XCTAssertNotNil(representation["group"] as? String)
        let symbols = try XCTUnwrap(representation["symbols"] as? [[String: Any]])
        XCTAssertEqual(symbols.count, 2)
        for s in symbols {
            let layers = try XCTUnwrap(s["layers"] as? [String])
            let perms = try XCTUnwrap(s["permutations"] as? [String: [Int]])
            let sigma = try XCTUnwrap(planted[layers[0]])
            XCTAssertEqual(perms["e"], Array(0..<sigma.count))
            XCTAssertEqual(perms["m"], sigma)
        }
    }

    /// The theorem of docs/science.md: with involutions, m.at(0.5) is Π_E θ for the learned representation,
    /// so its distance to that E is at float rounding; the trained net itself is not in it. Training in E
    /// for the learned representation (continuing from the trained net, which is projected first) stays
    /// there and is layerwise equivariant; Π_E for the learned representation is a projection.
    func testSelfMergeMidpointAndEquivariantTraining() throws {
        let dir = try temporaryDirectory(self, "eqx-rep")
        let script = Self.header + """
            train a = cnn on digits.train[0..299] { mode augmented(flip); optimizer sgd(lr: 0.1, momentum: 0.9); batch 50; epochs 2 }
            merge m = a with flip(a) { match activations on digits.train[0..299]; involutions; alpha 0..1 step 0.5 }
            train e = a on digits.train[0..299] { mode equivariant(flip, channels: m.representation); track distance_to_E every 3; optimizer sgd(lr: 0.05); batch 50; epochs 1 }
            report midpoint = mid: distance_to_E(m.at(0.5), flip, channels: m.representation), net: distance_to_E(a, flip, channels: m.representation)
            report trained = e: distance_to_E(e, flip, channels: m.representation), eq: equivariance(e, flip, digits.test, channels: m.representation)
            report identity = g: gradient_identity(e, flip, digits.train[0..99], channels: m.representation)

            """
        let e = try run(script, in: dir)
        let r = try row(e, "midpoint")
        XCTAssertLessThan(r["mid"]!, 1e-6, "m.at(0.5) is Π_E θ")
        XCTAssertGreaterThan(r["net"]!, 1e-3, "the trained net is not in E for the learned representation")
        let t = try row(e, "trained")
        XCTAssertLessThan(t["e"]!, 1e-6)
        for (k, v) in t where k.hasPrefix("eq.") { XCTAssertLessThan(v, 1e-5, k) }
        let g = try row(e, "identity")
        XCTAssertLessThan(g["g"]!, 1e-5, "∇R_aug = Π_E∇R at a point of E for the learned representation")
        // The training's tracked distance is to its own E.
        let trained = try XCTUnwrap(e.trained["e"])
        XCTAssertLessThan(try XCTUnwrap(trained.outcome.distance.last).relative, 1e-6)

        // Π_E for the learned representation: P² = P and ⟨Pa, b⟩ = ⟨a, Pb⟩ on random parameter vectors.
        let spec = trained.network.spec
        let rep = try e.learnedRepresentation(LearnedChannels(merge: "m", group: .mirror(.horizontal)))
        XCTAssertFalse(rep.perms.allSatisfy { $0[1] == Array(0..<$0[1].count) }, "a non-trivial representation was learned")
        let p = try ReynoldsProjector(group: rep.group, spec: spec, hidden: .trivial, learned: rep.layerPermutations(for: spec))
        let a = Network(spec: spec, seed: 1, streamName: "a").state, b = Network(spec: spec, seed: 2, streamName: "b").state
        for k in a.trainable {
            let pa = p.project(a[k]!, key: k), pb = p.project(b[k]!, key: k)
            XCTAssertEqual(p.project(pa, key: k).scalars, pa.scalars, "P² = P on \(k)")
            let lhs = zip(pa.scalars, b[k]!.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let rhs = zip(a[k]!.scalars, pb.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            XCTAssertEqual(lhs, rhs, accuracy: 1e-5 * max(1, abs(lhs)), "self-adjoint on \(k)")
        }
    }

    /// An orbit merge with `representation` over C4: m.at(1) is Π_E θ for the learned representation.
    func testOrbitMergeRepresentation() throws {
        let dir = try temporaryDirectory(self, "eqx-rep")
        let script = Self.header + """
            train a = cnn on digits.train[0..299] { optimizer sgd(lr: 0.1, momentum: 0.9); batch 50; epochs 2 }
            merge m = a with orbit(rot) { match activations on digits.train[0..299]; representation; alpha 0..1 step 1 }
            report average = avg: distance_to_E(m.at(1), rot, channels: m.representation), net: distance_to_E(a, rot, channels: m.representation)

            """
        let e = try run(script, in: dir)
        let r = try row(e, "average")
        XCTAssertLessThan(r["avg"]!, 1e-6)
        XCTAssertGreaterThan(r["net"]!, 1e-3)
    }

    /// A training's cache key follows the representation's permutations, not only its name.
    func testCacheKeyFollowsPermutations() throws {
        let dir = try temporaryDirectory(self, "eqx-rep")
        let e = try run(Self.header + "train a = cnn on digits.train[0..9] { steps 1 }\n", in: dir)
        let t = try XCTUnwrap(e.trained["a"])
        let data = try e.dataset(t.spec.data)
        let l = LearnedChannels(merge: "m", group: .mirror(.horizontal))
        let one: [String: ChannelRepresentation] = ["conv1": .permutations([[0, 1, 2, 3, 4, 5], [1, 0, 2, 3, 4, 5]])]
        let other: [String: ChannelRepresentation] = ["conv1": .permutations([[0, 1, 2, 3, 4, 5], [0, 1, 3, 2, 4, 5]])]
        let k1 = e.cacheKey(t.spec, data: data, initial: t.network.state, learned: [l: one])
        XCTAssertNotEqual(k1, e.cacheKey(t.spec, data: data, initial: t.network.state, learned: [l: other]))
        XCTAssertEqual(k1, e.cacheKey(t.spec, data: data, initial: t.network.state, learned: [l: one]))
    }
}
