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
  formatted with `format`. The page must contain the filled-in template; `--write` rewrites the number.

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
    ("docs/science.md", "in under a minute on 2 cores | test accuracy {},", "quickstart", "results", "accuracy", "{:.2f}"),
    ("docs/science.md", "(every layer); accuracy {} under all four rotations", "rotation_dynamics", "under_rotations",
     "equivariant_under_rotations.e", "{:.4f}"),
    ("docs/science.md", "stays within rounding noise of E | {} relative", "rotation_dynamics", "distance", "augmented", "{:.1e}"),
    ("docs/science.md", "by orders of magnitude more | {} relative", "rotation_dynamics", "distance", "nominal", "{:.3f}"),
    ("docs/science.md", "× augmented); accuracy {} /", "rotation_dynamics", "under_rotations", "nominal_under_rotations.e", "{:.3f}"),
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


def fmt(value, f):
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


def value(results, table, column):
    if "/" in table:
        # A path into results.json (merges/NAME/curves/0/loss); a list is quoted whole.
        node = results
        for key in table.split("/"):
            node = node[int(key)] if isinstance(node, list) else node[key]
        return node
    t = results["tables"][table]
    columns = t["columns"]
    if column not in columns:
        sys.exit(f"table {table} has no column {column}: {columns}")
    return t["rows"][0][columns.index(column)]


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
    needed = {c[2] for c in CLAIMS}
    for text in texts.values():
        needed |= {s for s, _, _ in output_blocks(text)}
    runs, skipped = {}, []
    for name in sorted(needed):
        if name not in SOURCES:
            sys.exit(f"unknown source '{name}' (sources: {', '.join(SOURCES)})")
        runs[name] = run(name)
        if runs[name] is None:
            skipped.append(name)
    stale = checked = 0
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
            if expected in text:
                continue
            before, after = (re.escape(part) for part in template.split("{}"))
            number = r"-?[0-9][0-9.e+-]*"
            pattern = before + f"({number}(?:  +{number})*|true|false)" + after
            if WRITE and re.search(pattern, text):
                text = re.sub(pattern, lambda _: expected, text, count=1)
                continue
            stale += 1
            found = re.search(pattern, text)
            print(f"STALE {page}: expected {expected!r}" + (f", the page says {found.group(0)!r}" if found else " (not found)"))
        if WRITE and text != texts[page]:
            with open(os.path.join(ROOT, page), "w") as out:
                out.write(text)
            print(f"rewrote {page}")
    for name in skipped:
        print(f"skipped: {name} (its dataset is not on this machine)")
    print(f"numbers: {checked - stale} passed, {stale} failed, {len(skipped)} skipped")
    if stale and not WRITE:
        print("regenerate with: python3 docs/tools/numbers.py .build/release/eqx --write")
    sys.exit(1 if (stale and not WRITE) or (skipped and os.environ.get("CI") == "true") else 0)


main()
