#!/usr/bin/env python3
"""Interleaved speed comparison: eqx vs the PyTorch reference, alternating whole runs for several rounds.

    python3 bench/compare.py --eqx ".build/release/eqx bench --json" [--threads 2] [--rounds 5]
                             [--write docs/performance.md]

Both commands print the JSON lines of `eqx bench --json`; `--threads N` is appended to each. Each round
runs eqx, then PyTorch (the order alternates between rounds), so both see the same machine load. Per bench
it prints the median images/s of each side over the rounds, the range of the per-round ratios
eqx ÷ PyTorch, the medians' ratio, % of each side's own sgemm peak and peak RSS. `--write FILE` replaces
the text between the generated-section markers of FILE with the table.
"""
import argparse
import datetime
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys

BEGIN, END = "<!-- bench-compare: begin -->", "<!-- bench-compare: end -->"


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return {r["bench"]: r for r in (json.loads(line) for line in out.splitlines() if line.startswith("{"))}


def rate(r):
    """Images/s, or GFLOP/s for sgemm (no images)."""
    return r["images_per_s"] if r["images_per_s"] else r["gflops"]


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def table(rounds, args):
    names = list(rounds[0]["eqx"].keys())
    lines = [f"{args.rounds} interleaved rounds, {args.threads} threads, {cpu_name()}, {os.cpu_count()} logical CPUs, "
             f"load average {os.getloadavg()[0]:.1f} at the end, {datetime.date.today().isoformat()}. "
             "Rates are images/s (sgemm: GFLOP/s); ratio = eqx ÷ PyTorch.", "",
             "| bench | eqx | PyTorch | ratio of medians | per-round ratios | eqx % sgemm | PyTorch % sgemm | eqx RSS MB | PyTorch RSS MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for name in names:
        e = [r["eqx"][name] for r in rounds]
        t = [r["torch"].get(name) for r in rounds]
        em = statistics.median(rate(x) for x in e)
        pct_e = statistics.median(x["pct_sgemm_peak"] for x in e)
        rss_e = max(x["peak_rss_mb"] for x in e)
        if any(x is None for x in t):
            lines.append(f"| {name} | {em:,.0f} | — | — | — | {pct_e:.0f} | — | {rss_e:.0f} | — |")
            continue
        tm = statistics.median(rate(x) for x in t)
        ratios = [rate(a) / rate(b) for a, b in zip(e, t)]
        pct_t = statistics.median(x["pct_sgemm_peak"] for x in t)
        rss_t = max(x["peak_rss_mb"] for x in t)
        lines.append(f"| {name} | {em:,.0f} | {tm:,.0f} | {em / tm:.2f}× | {min(ratios):.2f}–{max(ratios):.2f} | "
                     f"{pct_e:.0f} | {pct_t:.0f} | {rss_e:.0f} | {rss_t:.0f} |")
    for fast, slow in (("c4_equivariant_train", "c4_nominal_train"), ("c4_conv_tied", "c4_conv_expanded")):
        if all(fast in r["eqx"] and slow in r["eqx"] for r in rounds):
            per = [rate(r["eqx"][fast]) / rate(r["eqx"][slow]) for r in rounds]
            lines += ["", f"eqx `{fast}` ÷ `{slow}`: {statistics.median(per):.2f}× "
                          f"(per round {min(per):.2f}–{max(per):.2f})."]
    return "\n".join(lines)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--eqx", required=True, help="command printing eqx's JSON lines")
    p.add_argument("--torch", default=f"{sys.executable} bench/pytorch_reference.py --json")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--write", help="file whose generated section receives the table")
    args = p.parse_args()
    if args.rounds < 1:
        sys.exit("--rounds must be at least 1")
    rounds = []
    for i in range(args.rounds):
        sides = [("eqx", args.eqx), ("torch", args.torch)]
        result = {}
        for side, cmd in (sides if i % 2 == 0 else sides[::-1]):
            result[side] = run(shlex.split(cmd) + ["--threads", str(args.threads)])
            print(f"round {i + 1}/{args.rounds}: {side} done", file=sys.stderr, flush=True)
        rounds.append(result)
    text = table(rounds, args)
    print(text)
    if args.write:
        with open(args.write) as f:
            page = f.read()
        if BEGIN not in page or END not in page:
            sys.exit(f"{args.write} has no {BEGIN} … {END} section")
        head, rest = page.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        with open(args.write, "w") as f:
            f.write(f"{head}{BEGIN}\n{text}\n{END}{tail}")


if __name__ == "__main__":
    main()
