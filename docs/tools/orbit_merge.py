#!/usr/bin/env python3
"""Runs examples/orbit_merge.eqx and checks the table docs/science.md quotes from it (run from the repository
root after a release build):

    python3 docs/tools/orbit_merge.py [path/to/eqx] [--write]

The table sits between the lines `<!-- orbit_merge.py: begin -->` and `<!-- orbit_merge.py: end -->` of
docs/science.md. Without --write the script fails if the page differs from what the run gives, or if a claim
the page makes does not hold in the run: with `representation` every relation holds for every symbol in every
seed and the merged net is invariant to rounding (relative change < 1e-5). With --write it rewrites the table.
The run uses 2 threads, as every number in docs/science.md.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
PAGE = os.path.join(ROOT, "docs", "science.md")
BEGIN, END = "<!-- orbit_merge.py: begin -->", "<!-- orbit_merge.py: end -->"


def run(eqx):
    with tempfile.TemporaryDirectory() as d:
        p = subprocess.run([eqx, "run", os.path.join(ROOT, "examples", "orbit_merge.eqx"), "--out", d, "--quiet",
                            "--threads", "2", "--fresh"], capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"eqx run failed:\n{p.stderr[-3000:]}")
        found = [os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs if f == "results.json"]
        if len(found) != 1:
            sys.exit(f"expected one results.json under {d}, found {found}")
        with open(found[0]) as f:
            return json.load(f)


def repetitions(results):
    """(suffix, separate merge, learned merge) per repetition, in repetition order."""
    merges = results["merges"]
    suffixes = sorted((k[len("learned"):] for k in merges if k.startswith("learned")),
                      key=lambda s: [int(t) if t.isdigit() else t for t in s.replace("#", " ").split()])
    return [(s, merges["separate" + s], merges["learned" + s]) for s in suffixes]


def g3(x):
    return f"{x:.3g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.1e}"


def table(results):
    failures = []
    lines = ["| seed | net: accuracy / invariance | separate σ_g: channels breaking a relation | separate: accuracy / invariance | `representation`: accuracy / invariance | search gap (value / bound) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for i, (_, sep, rep) in enumerate(repetitions(results)):
        net = rep["orbit"]["net"]
        broken = sum(r["relations"]["homomorphism"] for r in sep["representations"])
        total = sum(r["channels"] for r in sep["representations"])
        for r in rep["representations"]:
            if not r["representation"] or any(v != 0 for v in r["relations"].values()):
                failures.append(f"seed {i}: symbol {r['symbol']} violates {r['relations']} with representation")
        rel = rep["orbit"]["merged"]["invariance"]["relative_change"]
        if rel >= 1e-5:
            failures.append(f"seed {i}: the merged net with representation changes by {rel} under rotation")
        value = sum(r["search"]["value"] for r in rep["representations"])
        bound = sum(r["search"]["upper_bound"] for r in rep["representations"])
        optimal = all(r["search"]["optimal"] for r in rep["representations"])

        def side(o):
            return f"{g3(o['accuracy'])} / {g3(o['invariance']['relative_change'])}"
        lines.append(f"| {i} | {side(net)} | {broken} of {total} | {side(sep['orbit']['merged'])} | "
                     f"{side(rep['orbit']['merged'])} | {g3(bound - value)} ({g3(value)} / {g3(bound)}){' optimal' if optimal else ''} |")
    return "\n".join(lines) + "\n", failures


def main():
    args = [a for a in sys.argv[1:] if a != "--write"]
    eqx = os.path.abspath(args[0] if args else os.path.join(ROOT, ".build", "release", "eqx"))
    text, failures = table(run(eqx))
    page = open(PAGE).read()
    if BEGIN not in page or END not in page:
        sys.exit(f"{PAGE} lacks the markers {BEGIN} … {END}")
    head, rest = page.split(BEGIN, 1)
    old, tail = rest.split(END, 1)
    if "--write" in sys.argv:
        with open(PAGE, "w") as f:
            f.write(head + BEGIN + "\n" + text + END + tail)
        print("wrote the orbit-merge table of docs/science.md")
    elif old.strip() != text.strip():
        failures.append("docs/science.md's orbit-merge table differs from the run; the run gives:\n" + text)
    for f in failures:
        print("FAIL", f)
    if not failures:
        print("orbit_merge.py: docs/science.md agrees with examples/orbit_merge.eqx")
    sys.exit(1 if failures else 0)


main()
