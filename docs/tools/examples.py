#!/usr/bin/env python3
"""Checks every eqx example in the docs with the real binary (run from the repository root after
`swift build --product eqx`):

    python3 docs/tools/examples.py [path/to/eqx]

A fenced block tagged `eqx` that starts with `eqx 1` is a complete script and must pass `eqx check` on its
own. Any other `eqx` block continues the page: it is checked appended to the page's first complete script (or
the latest one preceded by the line `<!-- eqx-prelude -->`) and every shorter block since, so it may use the names they declare. Blocks tagged `text` are not
checked. docs/diagnostics.md is verified by docs/tools/diagnostics.py instead.
"""
import os
import re
import subprocess
import sys
import tempfile

EQX = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/debug/eqx")
DOCS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
PAGES = ["reference.md", "tutorial.md", "science.md", "cli.md"]


def check(text, label):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "example.eqx")
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run([EQX, "check", path], capture_output=True, text=True, env=dict(os.environ, NO_COLOR="1"))
        if p.returncode != 0:
            print(f"FAIL {label}\n{p.stderr[:3000]}")
            return False
        return True


def main():
    failures = 0
    count = 0
    for page in PAGES:
        path = os.path.join(DOCS, page)
        if not os.path.exists(path):
            continue
        found = re.findall(r"^(<!-- eqx-prelude -->\n)?```eqx\n(.*?)^```", open(path).read(), flags=re.S | re.M)
        prelude = None
        for i, (marker, block) in enumerate(found):
            marked = bool(marker)
            count += 1
            if block.startswith("eqx 1"):
                if prelude is None or marked:
                    prelude = block
                ok = check(block, f"{page} block {i + 1}")
            elif prelude is None:
                print(f"FAIL {page} block {i + 1}: a partial example before any complete script")
                ok = False
            else:
                prelude += "\n" + block
                ok = check(prelude, f"{page} block {i + 1}")
            failures += not ok
    print(f"{count} examples, {failures} failed")
    sys.exit(1 if failures else 0)


main()
