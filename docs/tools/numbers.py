#!/usr/bin/env python3
"""Keeps the numbers quoted in README.md and docs/ equal to what eqx prints. Run from the repository root:

    python3 docs/tools/numbers.py [path/to/eqx]            # check: exit 1 when a quoted number is stale
    python3 docs/tools/numbers.py [path/to/eqx] --write    # regenerate: rewrite the quoted numbers

Each source below is a script that the tool runs (release binary, `--threads 2`, the thread count the docs
state; results are bit-identical for a given thread count). Two kinds of quotation are checked:

- Output blocks: a ```text block directly after the line `<!-- output: SOURCE -->` shows what the run of
  SOURCE printed. Every line of the block that is not elided (`…`) must be a line of the run's output, with
  throughput and ETA masked (`N img/s`, `ETA Ns`: they depend on the machine); `--write` replaces each
  line whose masked form starts like an output line (same leading words) by that output line.
- Prose: CLAIMS lists sentences that quote a number, as (page, template, source, table, column, format);
  `{}` in the template stands for the value of `column` in table `table` of the run's results.json,
  formatted with `format`. The page must contain the filled-in template, at one place only; `--write`
  rewrites the number. A loop's table has a row per repetition and a `NAME_summary` table rows `median`,
  `min`, `max`: `COLUMN@ROW` takes the row whose first cell is ROW, `COLUMN@min–max` quotes two rows as a
  range and `COLUMN@rep 0/rep 1/rep 2` per-seed values joined by `/`.
- Statements: HOLDS lists what a page says holds beyond its numbers ("in every seed", "only where the
  match is an involution") as (page, phrase, source, test of the run's results.json). The phrase must be on
  the page and the test must pass, with and without `--write`: a claim that stops holding is rewritten by
  hand, never by tuning the example.

A script with a line `# ci: ARGS` (the papers' protocols in examples/papers/) runs with those arguments, at
the scale CI runs it. Sources whose data is not on this machine (E0803) are skipped and said so; under
CI=true that fails.
Timings are never quoted: they depend on the machine.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
EQX = os.path.abspath(ARGS[0] if ARGS else os.path.join(ROOT, ".build/release/eqx"))
WRITE = "--write" in sys.argv
THREADS = "2"


def readme_script():
    """The script shown in README.md (its first fenced block that starts with `eqx 1`)."""
    text = open(os.path.join(ROOT, "README.md")).read()
    for block in re.findall(r"^```\n(.*?)^```", text, flags=re.S | re.M):
        if block.startswith("eqx 1"):
            return block
    sys.exit("README.md: no script block")


# name -> (script path relative to the root, or a function returning the script text)
SOURCES = {
    "readme": readme_script,
    "quickstart": "examples/quickstart.eqx",
    "flip": "docs/tutorial/flip.eqx",
    "rotation_dynamics": "examples/rotation_dynamics.eqx",
    "float64_dynamics": "examples/float64_dynamics.eqx",
    "rotation_mnist": "examples/rotation_mnist.eqx",
    "graph_permutations": "examples/graph_permutations.eqx",
    "flip_merge": "examples/flip_merge.eqx",
    "flip_merge_involutions": "examples/flip_merge_involutions.eqx",
    "flip_merge_fashion": "examples/flip_merge_fashion.eqx",
    "sn_graphs": "examples/papers/nordenfors_sn_graphs.eqx",
    "vgg11_fashion": "examples/papers/bokman_kahl_vgg11_fashion.eqx",
    "learned_representation": "examples/learned_representation.eqx",
}

# (page, template with {}, source, table, column, format)
CLAIMS = [
    ("docs/science.md", "C4 in float64: {} relative distance to E", "float64_dynamics", "dynamics", "augmented", "{:.1e}"),
    ("docs/science.md", "(nominal SGD: {})", "float64_dynamics", "dynamics", "nominal", "{:.3f}"),
    ("docs/science.md", "a gradient identity of {} at that point", "float64_dynamics", "dynamics", "identity_at_E", "{:.1e}"),
    ("README.md", "test accuracies of about {} (plain)", "readme", "results", "plain", "{:.2f}"),
    ("README.md", "and {} (G-CNN)", "readme", "results", "gcnn", "{:.2f}"),
    ("README.md", "a self-merge loss barrier of {}", "readme", "results", "barrier", "{:.2f}"),
    ("README.md", "relative distance to E, {} (", "readme", "results", "distance", "{:.2f}"),
    # docs/science.md, "Results of the examples"
    ("docs/science.md", "learns the built-in digits | test accuracy {} (", "quickstart", "results", "accuracy", "{:.2f}"),
    ("docs/science.md", " ({} parameters) | yes |", "quickstart", "results", "parameters", "{}"),
    ("docs/science.md", "(relative distance < 1e-6) | {} exactly (every layer)", "rotation_dynamics", "distance", "equivariant",
     "{:.2g}"),
    ("docs/science.md", "(every layer); accuracy {} under all four rotations", "rotation_dynamics", "under_rotations",
     "equivariant_under_rotations.e", "{:.4f}"),
    ("docs/science.md", "stays within rounding noise of E | {} relative", "rotation_dynamics", "distance", "augmented", "{:.1e}"),
    ("docs/science.md", "by orders of magnitude more | {} relative", "rotation_dynamics", "distance", "nominal", "{:.3f}"),
    ("docs/science.md", "accuracy under e {}, under r", "rotation_dynamics", "under_rotations", "nominal_under_rotations.e", "{:.3f}"),
    ("docs/science.md", ", under r {}, under r2", "rotation_dynamics", "under_rotations", "nominal_under_rotations.r", "{:.3f}"),
    ("docs/science.md", ", under r2 {}, under r3", "rotation_dynamics", "under_rotations", "nominal_under_rotations.r2", "{:.3f}"),
    ("docs/science.md", ", under r3 {} | yes", "rotation_dynamics", "under_rotations", "nominal_under_rotations.r3", "{:.3f}"),
    ("docs/science.md", "test images) | equivariant {}, augmented", "rotation_mnist", "distance", "equivariant", "{:.2g}"),
    ("docs/science.md", ", augmented {}, nominal", "rotation_mnist", "distance", "augmented", "{:.1e}"),
    ("docs/science.md", ", nominal {} (relative) |", "rotation_mnist", "distance", "nominal", "{:.3f}"),
    ("docs/science.md", "nominal far | equivariant {}, augmented(random)", "graph_permutations", "distance", "equivariant", "{:.2g}"),
    ("docs/science.md", "augmented(random) {}, nominal", "graph_permutations", "distance", "augmented", "{:.2g}"),
    ("docs/science.md", ", nominal {} | partly", "graph_permutations", "distance", "nominal", "{:.2g}"),
    ("docs/science.md", "self vs pair: nominal {} vs", "flip_merge", "barriers_summary", "plain_self@median", "{:.3f}"),
    ("docs/science.md", " vs {}, augmented", "flip_merge", "barriers_summary", "plain_pair@median", "{:.3f}"),
    ("docs/science.md", ", augmented {} vs", "flip_merge", "barriers_summary", "aug_self@median", "{:.3f}"),
    ("docs/science.md", " vs {}, invariance loss", "flip_merge", "barriers_summary", "aug_pair@median", "{:.3f}"),
    ("docs/science.md", ", invariance loss {} vs", "flip_merge", "barriers_summary", "inv_self@median", "{:.3f}"),
    ("docs/science.md", " vs {}, G-CNN", "flip_merge", "barriers_summary", "inv_pair@median", "{:.3f}"),
    ("docs/science.md", ", G-CNN {} vs", "flip_merge", "barriers_summary", "gcnn_self@median", "{:.2g}"),
    ("docs/science.md", " vs {} | yes for every type", "flip_merge", "barriers_summary", "gcnn_pair@median", "{:.3f}"),
    ("docs/science.md", "barrier is ≈ 0 | {} in every seed", "flip_merge", "barriers_summary", "gcnn_self@max", "{:.2g}"),
    ("docs/science.md", "with and without reset: nominal {} /", "flip_merge", "barriers_summary", "plain_self@median", "{:.3f}"),
    ("docs/science.md", " / {}, augmented", "flip_merge", "barriers_summary", "plain_self_raw@median", "{:.3f}"),
    ("docs/science.md", ", augmented {} / ", "flip_merge", "barriers_summary", "aug_self@median", "{:.3f}"),
    ("docs/science.md", " / {}, invariance loss", "flip_merge", "barriers_summary", "aug_self_raw@median", "{:.3f}"),
    ("docs/science.md", ", invariance loss {} / ", "flip_merge", "barriers_summary", "inv_self@median", "{:.3f}"),
    ("docs/science.md", " / {} | in the medians", "flip_merge", "barriers_summary", "inv_self_raw@median", "{:.3f}"),
    ("docs/science.md", "(augmented seed 2: self {}, pair", "flip_merge", "barriers", "aug_self@rep 2", "{:.3f}"),
    ("docs/science.md", ", pair {}) |", "flip_merge", "barriers", "aug_pair@rep 2", "{:.3f}"),
    ("docs/science.md", "augmented nets: {} in seed 1,", "flip_merge", "midpoints", "aug_mid_invariance.relative_change@rep 1", "{:.1e}"),
    ("docs/science.md", "every layer; {} in seeds 0/2,", "flip_merge", "midpoints", "aug_mid_invariance.relative_change@rep 0/rep 2",
     "{:.2g}"),
    ("docs/science.md", "nominal nets: {} in seeds 1/2", "flip_merge", "midpoints", "plain_mid_invariance.relative_change@rep 1/rep 2",
     "{:.1e}"),
    ("docs/science.md", "(involutions), {} in seed 0", "flip_merge", "midpoints", "plain_mid_invariance.relative_change@rep 0", "{:.2f}"),
    ("docs/science.md", "activation matching: {} in all 3 seeds", "flip_merge_involutions", "midpoint_invariance_summary",
     "activations_inv.relative_change@min–max", "{:.1e}"),
    ("docs/science.md", "(without the option {} in seed 0", "flip_merge_involutions", "midpoint_invariance",
     "activations.relative_change@rep 0", "{:.2f}"),
    ("docs/science.md", "weight matching: {} with and without", "flip_merge_involutions", "midpoint_invariance_summary",
     "weights.relative_change@min–max", "{:.1e}"),
    ("docs/science.md", "seeds 0/1/2: activations {} without", "flip_merge_involutions", "barriers", "activations@rep 0/rep 1/rep 2",
     "{:.3f}"),
    ("docs/science.md", " without, {} with;", "flip_merge_involutions", "barriers", "activations_inv@rep 0/rep 1/rep 2", "{:.3f}"),
    ("docs/science.md", "; weights {} with and without", "flip_merge_involutions", "barriers", "weights@rep 0/rep 1/rep 2", "{:.3f}"),
    ("docs/science.md", "medians of 3 seeds: nominal self {} vs", "flip_merge_fashion", "barriers_summary", "plain_self@median",
     "{:.3f}"),
    ("docs/science.md", "vs pair {}, augmented self", "flip_merge_fashion", "barriers_summary", "plain_pair@median", "{:.3f}"),
    ("docs/science.md", "augmented self {}, G-CNN", "flip_merge_fashion", "barriers_summary", "aug_self@median", "{:.3f}"),
    ("docs/science.md", "G-CNN self {} in every seed", "flip_merge_fashion", "barriers_summary", "gcnn_self@max", "{:.2g}"),
    ("docs/science.md", "keeps most channels fixed ({} of 16 in conv1", "flip_merge_involutions", "permutations_summary",
     "plain_weights.permutations.conv1.fixed@min–max", "{:.0f}"),
    ("docs/science.md", "three seeds (weights {}, activations", "flip_merge_involutions", "barriers_summary", "weights@min–max", "{:.3f}"),
    ("docs/science.md", ", activations {}). Without", "flip_merge_involutions", "barriers_summary", "activations@min–max", "{:.3f}"),
    ("docs/tutorial.md", "changes its answer for {}% of mirrored digits", "flip", "invariance", "plain.disagreement", "pct"),
    ("docs/tutorial.md", "almost always gives the same class ({}% disagree)", "flip", "invariance", "aug.disagreement", "pct1"),
    ("docs/tutorial.md", "invariant to float rounding\n({})", "flip", "invariance", "equi.relative_change", "{:.1e}"),
    ("docs/tutorial.md", "test accuracy of the nominal network is {}, of the augmented", "flip", "accuracy", "plain", "{:.3f}"),
    ("docs/tutorial.md", "of the augmented one {} and of the equivariant", "flip", "accuracy", "aug", "{:.3f}"),
    ("docs/tutorial.md", "and of the equivariant one {}:", "flip", "accuracy", "equi", "{:.3f}"),
    ("docs/tutorial.md", "**as far from E as the nominal one**\n({} against", "flip", "distance", "aug", "{:.2f}"),
    ("docs/tutorial.md", "against {}).", "flip", "distance", "plain", "{:.2f}"),
    ("docs/tutorial.md", "merges with its mirror image with a barrier of {}", "flip", "barriers", "aug_self", "{:.2f}"),
    ("docs/tutorial.md", "augmented network trained the same way ({})", "flip", "barriers", "aug_pair", "{:.2f}"),
    ("docs/tutorial.md", "aug_self loss   {}", "flip", "merges/aug_self/curves/0/loss", None, "{:.3f}"),
    ("docs/tutorial.md", "aug_pair loss   {}", "flip", "merges/aug_pair/curves/0/loss", None, "{:.3f}"),
    ("docs/tutorial.md", "bad on mirrored digits, loss {} at both ends", "flip", "merges/plain_self/curves/0/loss/0", None, "{:.2f}"),
    ("docs/tutorial.md", "in its first layer {} channels\nare symmetric", "flip", "permutations", "aug.conv1.fixed", "{}"),
    ("docs/tutorial.md", "are symmetric and {} pairs are mirror images", "flip", "permutations", "aug.conv1.two_cycles", "{}"),
    ("docs/tutorial.md", "is invariant to rounding\n({})", "flip", "midpoint", "mid.relative_change", "{:.1e}"),
    ("docs/tutorial.md", "while keeping {}% test accuracy", "flip", "midpoint", "mid_accuracy", "pct1"),
    ("docs/tutorial.md", "trained in E with trivial channels\n({}%)", "flip", "accuracy", "equi", "pct1"),
    ("docs/science.md", "S_10 graphs: median {} (relative) |", "sn_graphs", "distance_summary", "equi", "{:.2g}"),
    ("docs/science.md", "C4: {} relative (float rounding)", "rotation_dynamics", "distance", "augmented", "{:.1e}"),
    ("docs/science.md", "farther than full orbits | S_10 graphs: median {} relative", "sn_graphs", "distance_summary", "aug", "{:.1e}"),
    ("docs/science.md", "| Nom | leaves E | S_10 graphs: median {} relative", "sn_graphs", "distance_summary", "nom", "{:.1e}"),
    ("docs/science.md", "C4 conv layers: {} absolute", "rotation_dynamics", "gradients", "nominal_convs.absolute", "{:.3f}"),
    ("docs/science.md", "the key identity) | C4: {},", "rotation_dynamics", "gradients", "identity_at_E", "{:.1e}"),
    ("docs/science.md", "‖(I − Π_E)∇R‖ = {} |", "rotation_dynamics", "gradients", "identity_at_E.off_E", "{:.3f}"),
    ("docs/science.md", "| no identity | C4: {} |", "rotation_dynamics", "gradients", "identity_off_E", "{:.3f}"),
    ("docs/science.md", "0 by construction | {} |", "vgg11_fashion", "models_summary", "gcnn_self", "{:.2g}"),
    ("docs/science.md", "than between two nets) | {} |", "vgg11_fashion", "models_summary", "cnn_self", "{:.3f}"),
    ("docs/science.md", "larger than the self-merge | {} |", "vgg11_fashion", "pairs_summary", "reset", "{:.3f}"),
    ("docs/science.md", "lowers the two-net barrier | {} |", "vgg11_fashion", "pairs_summary", "repair", "{:.3f}"),
    ("docs/science.md", "the error at the first conv layer is {} under", "learned_representation", "layerwise",
     "learned.conv1", "{:.3f}"),
    ("docs/science.md", "representation against {} with trivial", "learned_representation", "layerwise", "trivial.conv1", "{:.3f}"),
    ("docs/science.md", "relative distance to the learned E is {}, the", "learned_representation", "distance", "net", "{:.3f}"),
    ("docs/science.md", "the midpoint's {} (θ_½", "learned_representation", "distance", "mid", "{:.2g}"),
    ("docs/science.md", "float rounding (error {} at the", "learned_representation", "in_E", "in_E.linear1", "{:.1e}"),
    ("docs/science.md", "logits) at test accuracy {}.", "learned_representation", "in_E", "in_E_accuracy", "{:.3f}"),
]


def involution(results, merge):
    """Whether every matched permutation of a merge (an instance such as `plain_self#1`) is an involution."""
    return all(s["involution"] for s in results["merges"][merge]["symbols"])


def conv1_cycles(results, merge):
    return results["merges"][merge]["symbols"][0]["longer_cycles"]


def seeds(results, table, test):
    """Whether `test` holds for every repetition's row of a loop's table."""
    return all(test(row) for row in rows(results, table))


def median(results, table, column):
    return value(results, table + "_summary", column + "@median")


def self_below_pair(types):
    return lambda r: seeds(r, "barriers", lambda row: all(row[t + "_self"] < row[t + "_pair"] for t in types))


def self_not_below_pair(r, types):
    """The (type, seed) pairs where the self-merge barrier is not below the two-network barrier."""
    return [(t, i) for i, row in enumerate(rows(r, "barriers")) for t in types if not row[t + "_self"] < row[t + "_pair"]]


def self_below_pair_but(types, exceptions):
    """Self below pair in the medians for every type, and in every seed except `exceptions`."""
    return lambda r: all(median(r, "barriers", t + "_self") < median(r, "barriers", t + "_pair") for t in types) \
        and self_not_below_pair(r, types) == exceptions


def reset_lowers_medians(r):
    return all(median(r, "barriers", t + "_self") < median(r, "barriers", t + "_self_raw") for t in ["plain", "aug", "inv"])


# What a page says holds, beyond its numbers: (page, phrase, source, test of the run's results). The phrase
# must be on the page and the test must pass; when a change of numerics makes it false, rewrite the claim.
HOLDS = [
    ("docs/tutorial.md", "well under half the barrier to another augmented network", "flip",
     lambda r: value(r, "barriers", "aug_self") < 0.5 * value(r, "barriers", "aug_pair")),
    ("docs/science.md", "under all four rotations |", "rotation_dynamics",
     lambda r: len({v for k, v in rows(r, "under_rotations")[0].items() if k.startswith("equivariant_")}) == 1),
    ("docs/science.md", "nominal training moves away from E by orders of magnitude more", "rotation_dynamics",
     lambda r: value(r, "distance", "nominal") > 100 * value(r, "distance", "augmented")),
    ("docs/science.md", "the same three claims with the paper's CNN on MNIST", "rotation_mnist",
     lambda r: value(r, "distance", "augmented") < 1e-6 and value(r, "distance", "nominal") > 100 * value(r, "distance", "augmented")),
    ("docs/science.md", "augmented(random) near E, nominal far", "graph_permutations",
     lambda r: value(r, "distance", "equivariant") < 1e-6 < value(r, "distance", "augmented") < value(r, "distance", "nominal")),
    ("docs/science.md", "median loss barriers of 3 seeds", "flip_merge", lambda r: len(rows(r, "barriers")) == 3),
    ("docs/science.md", "in all 3 seeds", "flip_merge_involutions", lambda r: len(rows(r, "barriers")) == 3),
    ("docs/science.md", "line, medians of 3 seeds", "flip_merge_fashion", lambda r: len(rows(r, "barriers")) == 3),
    ("docs/science.md", "yes for every type in the medians, and in every seed except one (augmented seed 2:", "flip_merge",
     self_below_pair_but(["plain", "aug", "inv", "gcnn"], [("aug", 2)])),
    ("docs/science.md", "every matched σ pairs all channels, as the regular representation does", "flip_merge",
     lambda r: all(s["fixed_points"] == 0 and 2 * s["two_cycles"] == s["channels"]
                   for k, m in r["merges"].items() if k.startswith("gcnn_self#") for s in m["symbols"])),
    ("docs/science.md", "invariance loss 0.006 / 0.047 | in the medians and in every seed |", "flip_merge",
     lambda r: reset_lowers_medians(r) and seeds(r, "barriers", lambda row: all(row[t + "_self"] < row[t + "_self_raw"]
                                                                                 for t in ["plain", "aug", "inv"]))),
    ("docs/science.md", "in seed 1, whose match is an involution in every layer", "flip_merge",
     lambda r: involution(r, "aug_self#1")),
    ("docs/science.md", "whose matches are not (a longer cycle in a later layer in seed 0, a 3-cycle in conv1 in seed 2)", "flip_merge",
     lambda r: not involution(r, "aug_self#0") and conv1_cycles(r, "aug_self#0") == [] and conv1_cycles(r, "aug_self#2") == [3]),
    ("docs/science.md", "in seeds 1/2 (involutions),", "flip_merge",
     lambda r: involution(r, "plain_self#1") and involution(r, "plain_self#2")),
    ("docs/science.md", "in seed 0 (a 3-cycle in conv1) | yes where", "flip_merge", lambda r: conv1_cycles(r, "plain_self#0") == [3]),
    ("docs/science.md", "yes where the match is an involution, which here is 3 nets of 6", "flip_merge",
     lambda r: sum(involution(r, f"{t}_self#{i}") for t in ["plain", "aug"] for i in range(3)) == 3
     and all(row[f"{t}_mid_invariance.relative_change"] < 1e-5 for i, row in enumerate(rows(r, "midpoints"))
             for t in ["plain", "aug"] if involution(r, f"{t}_self#{i}"))),
    ("docs/science.md", "whose unconstrained match had a 3-cycle in conv1; in seeds 1 and 2 it was an involution",
     "flip_merge_involutions",
     lambda r: conv1_cycles(r, "plain_act#0") == [3] and involution(r, "plain_act#1") and involution(r, "plain_act#2")),
    ("docs/science.md", "with and without (it found involutions anyway)", "flip_merge_involutions",
     lambda r: all(involution(r, f"plain_weights#{i}") for i in range(3))
     and seeds(r, "midpoint_invariance", lambda row: row["weights.relative_change"] == row["weights_inv.relative_change"])),
    ("docs/science.md", "partly: in seed 0 the best involution has a higher barrier than the best permutation; in seeds 1 and 2",
     "flip_merge_involutions",
     lambda r: seeds(r, "barriers", lambda row: row["weights"] == row["weights_inv"])
     and [(row["activations_inv"] > row["activations"], row["activations_inv"] == row["activations"]) for row in rows(r, "barriers")]
     == [(True, False), (False, True), (False, True)]),
    ("docs/science.md", "in every seed | yes, in every seed |", "flip_merge_fashion", self_below_pair(["plain"])),
    ("docs/science.md", "every seed but one (an augmented net whose self-merge barrier is slightly above its pair's)", "flip_merge",
     self_below_pair_but(["plain", "aug", "inv", "gcnn"], [("aug", 2)])),
    ("docs/science.md", "relative to the two-network barrier the self-merge barrier is smallest for\nthe models trained towards "
     "invariance (invariance loss, G-CNN)", "flip_merge",
     lambda r: max(median(r, "barriers", t + "_self") / median(r, "barriers", t + "_pair") for t in ["inv", "gcnn"])
     < min(median(r, "barriers", t + "_self") / median(r, "barriers", t + "_pair") for t in ["plain", "aug"])),
    ("docs/science.md", "On Fashion-MNIST at CI scale it holds in\nevery seed too", "flip_merge_fashion", self_below_pair(["plain"])),
    ("docs/science.md", "the unconstrained match of one seed had a 3-cycle in conv1, and there the best involution has a higher\n"
     "barrier than the best permutation", "flip_merge_involutions",
     lambda r: [conv1_cycles(r, f"plain_act#{i}") for i in range(3)] == [[3], [], []]
     and rows(r, "barriers")[0]["activations_inv"] > rows(r, "barriers")[0]["activations"]),
    ("docs/science.md", "of 16 in conv1, all in conv2 and conv3)", "flip_merge_involutions",
     lambda r: seeds(r, "permutations", lambda row: row["plain_weights.permutations.conv2.fixed"] == 16
                     and row["plain_weights.permutations.conv3.fixed"] == 32)),
    ("docs/science.md", "has higher barriers than\nactivation matching in two of the three seeds", "flip_merge_involutions",
     lambda r: sum(row["weights"] > row["activations"] for row in rows(r, "barriers")) == 2),
    ("docs/science.md", "Without the\nbatch-norm reset the self-merge barriers are larger", "flip_merge", reset_lowers_medians),
]


def fmt(value, f):
    if isinstance(value, Joined):
        return value.separator.join(fmt(v, f) for v in value)
    if isinstance(value, list):
        return "  ".join(fmt(v, f) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if f == "pct":
        return f"{100 * value:.0f}"
    if f == "pct1":
        text = f"{100 * value:.1f}"
        return text[:-2] if text.endswith(".0") else text
    if f.endswith("e}"):
        mantissa, exponent = f.format(value).split("e")
        return f"{mantissa}e{int(exponent)}"
    return f.format(value)


def run(name):
    """(stdout, results) of a source's run, or None when its data is not on this machine."""
    source = SOURCES[name]
    with tempfile.TemporaryDirectory() as d:
        if callable(source):
            script = os.path.join(d, f"{name}.eqx")
            with open(script, "w") as f:
                f.write(source())
        else:
            script = os.path.join(ROOT, source)
        with open(script) as f:
            ci = [l[len("# ci: "):].split() for l in f if l.startswith("# ci: ")]
        # Run where the run directory lands in d (runs/<script>/<id>, as the docs show it).
        p = subprocess.run([EQX, "run", script, "--threads", THREADS] + (ci[0] if ci else []), cwd=d, capture_output=True,
                           text=True, env=dict(os.environ, NO_COLOR="1"))
        if p.returncode != 0:
            if "error[E0803]" in p.stderr:
                return None
            sys.exit(f"{name}: eqx run failed (exit {p.returncode}):\n{p.stderr[-3000:]}")
        stem = os.path.splitext(os.path.basename(script))[0]
        runs = os.path.join(d, "runs", stem)
        run_id = [e for e in os.listdir(runs) if e != "cache"][0]
        with open(os.path.join(runs, run_id, "results.json")) as f:
            return p.stdout.replace(os.path.realpath(d) + "/", "").replace(d + "/", ""), json.load(f)


class Joined(tuple):
    """Values of several rows quoted together: `0.06–0.24` (min–max) or `0.093/0.060/0.241` (per seed)."""
    def __new__(cls, values, separator):
        joined = super().__new__(cls, values)
        joined.separator = separator
        return joined


def value(results, table, column):
    if "/" in table:
        # A path into results.json (merges/NAME/curves/0/loss); a list is quoted whole.
        node = results
        for key in table.split("/"):
            node = node[int(key)] if isinstance(node, list) else node[key]
        return node
    t = results["tables"][table]
    columns = t["columns"]
    # `COLUMN@ROW` takes the row whose first cell is ROW (`median`, `min`, `max` of a NAME_summary table,
    # `rep 1` of a loop's table); `COLUMN@min–max` or `COLUMN@rep 0/rep 1/rep 2` several rows, joined so.
    column, _, rows = column.partition("@")
    if column not in columns:
        sys.exit(f"table {table} has no column {column}: {columns}")
    if not rows:
        return t["rows"][0][columns.index(column)]
    separator = "–" if "–" in rows else "/"
    cells = []
    for name in rows.split(separator):
        found = [r for r in t["rows"] if r[0] == name]
        if len(found) != 1:
            sys.exit(f"table {table} has {len(found)} rows named {name!r}")
        cells.append(found[0][columns.index(column)])
    return cells[0] if len(cells) == 1 else Joined(cells, separator)


def rows(results, table):
    """A table's rows as dicts from column to value (for HOLDS)."""
    t = results["tables"][table]
    return [dict(zip(t["columns"], r)) for r in t["rows"]]


def mask(line):
    line = re.sub(r"\d+ img/s", "N img/s", line.rstrip())
    return re.sub(r"ETA \d+s", "ETA Ns", line)


def output_blocks(text):
    """(source, start, end) of every marked output block (offsets of the block's body)."""
    for m in re.finditer(r"^<!-- output: (\w+) -->\n```text\n(.*?)^```", text, flags=re.S | re.M):
        yield m.group(1), m.start(2), m.end(2)


def lead(line):
    """The part of a line that names what it shows: everything before its first decimal number (so a
    progress line keeps its epoch and step), or before its first number when it has no decimal."""
    line = line.strip()
    parts = re.split(r"\s-?\d+\.\d", line, maxsplit=1)
    return parts[0] if len(parts) > 1 else re.split(r"\s-?\d", line, maxsplit=1)[0]


def main():
    pages = ["README.md"] + [os.path.join("docs", p) for p in sorted(os.listdir(os.path.join(ROOT, "docs"))) if p.endswith(".md")]
    texts = {p: open(os.path.join(ROOT, p)).read() for p in pages}
    needed = {c[2] for c in CLAIMS} | {h[2] for h in HOLDS}
    for text in texts.values():
        needed |= {s for s, _, _ in output_blocks(text)}
    runs, skipped = {}, []
    for name in sorted(needed):
        if name not in SOURCES:
            sys.exit(f"unknown source '{name}' (sources: {', '.join(SOURCES)})")
        runs[name] = run(name)
        if runs[name] is None:
            skipped.append(name)
    stale = checked = false = 0
    for page in pages:
        text = texts[page]
        for name, start, end in reversed(list(output_blocks(text))):
            if runs[name] is None:
                continue
            raw = runs[name][0].splitlines()
            printed = [mask(l) for l in raw]
            lines = text[start:end].splitlines()
            for i, line in enumerate(lines):
                if "…" in line or not line.strip() or line.startswith("$ "):
                    continue
                checked += 1
                if mask(line) in printed:
                    continue
                candidates = [raw[k] for k, p in enumerate(printed) if lead(p) == lead(line) and lead(line)]
                if WRITE and len(candidates) == 1:
                    lines[i] = candidates[0].rstrip()
                    continue
                stale += 1
                print(f"STALE {page} ({name} output): {line.strip()!r}" +
                      (f" — the run prints {candidates[0].strip()!r}" if len(candidates) == 1 else ""))
            text = text[:start] + "\n".join(lines) + "\n" + text[end:]
        for claim_page, template, name, table, column, f in CLAIMS:
            if claim_page != page or runs[name] is None:
                continue
            checked += 1
            expected = template.replace("{}", fmt(value(runs[name][1], table, column), f))
            before, after = (re.escape(part) for part in template.split("{}"))
            number = r"-?[0-9][0-9.e+-]*(?:[–/]-?[0-9][0-9.e+-]*)*"
            pattern = before + f"({number}(?:  +{number})*|true|false)" + after
            if len(re.findall(pattern, text)) > 1:
                sys.exit(f"{page}: the template {template!r} matches more than one place")
            if expected in text:
                continue
            if WRITE and re.search(pattern, text):
                text = re.sub(pattern, lambda _: expected, text, count=1)
                continue
            stale += 1
            found = re.search(pattern, text)
            print(f"STALE {page}: expected {expected!r}" + (f", the page says {found.group(0)!r}" if found else " (not found)"))
        for claim_page, phrase, name, holds in HOLDS:
            if claim_page != page or runs[name] is None:
                continue
            checked += 1
            if phrase not in text:
                stale += 1
                print(f"STALE {page}: {phrase!r} not found")
            elif not holds(runs[name][1]):
                false += 1
                print(f"FALSE {page}: {phrase!r} does not hold in the run of {name}: rewrite the claim")
        if WRITE and text != texts[page]:
            with open(os.path.join(ROOT, page), "w") as out:
                out.write(text)
            print(f"rewrote {page}")
    for name in skipped:
        print(f"skipped: {name} (its dataset is not on this machine)")
    print(f"numbers: {checked - stale - false} passed, {stale + false} failed, {len(skipped)} skipped")
    if stale and not WRITE:
        print("regenerate with: python3 docs/tools/numbers.py .build/release/eqx --write")
    sys.exit(1 if (stale and not WRITE) or false or (skipped and os.environ.get("CI") == "true") else 0)


main()
