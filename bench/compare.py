#!/usr/bin/env python3
"""Side-by-side speed table: eqx vs the PyTorch reference, alternating runs to average out noise.

    python3 bench/compare.py --eqx ".build/release/eqx bench --json" [--threads 2] [--rounds 3]

Both commands must print the JSON lines of `eqx bench --json`; `--threads N` is appended to each.
For every benchmark the best (lowest) median ms over the rounds is kept on each side, since on a
shared machine interference only ever makes a run slower.
"""
import argparse
import json
import shlex
import subprocess
import sys


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--eqx", required=True, help="command printing eqx's JSON lines")
    p.add_argument("--torch", default=f"{sys.executable} bench/pytorch_reference.py --json")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    best = {"eqx": {}, "torch": {}}
    for _ in range(args.rounds):
        for side, cmd in (("eqx", args.eqx), ("torch", args.torch)):
            for r in run(shlex.split(cmd) + ["--threads", str(args.threads)]):
                old = best[side].get(r["bench"])
                if old is None or r["ms_per_step"] < old["ms_per_step"]:
                    best[side][r["bench"]] = r
    print(f"| bench | eqx ms/step | torch ms/step | eqx img/s | torch img/s | eqx/torch | eqx GFLOP/s | eqx % sgemm | eqx RSS MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, e in best["eqx"].items():
        t = best["torch"].get(name)
        if t is None:
            continue
        ratio = (t["ms_per_step"] / e["ms_per_step"]) if e["ms_per_step"] else float("nan")
        print(f"| {name} | {e['ms_per_step']:.1f} | {t['ms_per_step']:.1f} | {e['images_per_s']:.0f} | {t['images_per_s']:.0f} "
              f"| {ratio:.2f} | {e['gflops']:.0f} | {e['pct_sgemm_peak']:.0f} | {e['peak_rss_mb']:.0f} |")


if __name__ == "__main__":
    main()
