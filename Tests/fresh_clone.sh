#!/usr/bin/env bash
# The newcomer's check: clone this repository (its committed HEAD) into an empty directory and run the
# README's test command there, as on a fresh machine: no ../shared beside the clone, EQX_DATA and CI
# unset, HOME an empty directory (so no ~/.cache/eqx), and EQX_SYSTEM_DATA an empty directory standing for
# a machine without Debian's dataset packages. It must pass, and the examples that need a dataset must be
# listed as skipped by name. A full build from scratch: several minutes.
#   bash Tests/fresh_clone.sh [--keep]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/eqx-fresh-clone.XXXXXX")
[ "${1:-}" = --keep ] || trap 'rm -rf "$work"' EXIT
mkdir "$work/home" "$work/no-datasets"
git clone -q "$repo" "$work/eqx"
cd "$work/eqx"
start=$(date +%s)
set +e
env -u CI -u EQX_DATA -u XDG_CACHE_HOME HOME="$work/home" EQX_SYSTEM_DATA="$work/no-datasets" \
  make test > "$work/make-test.log" 2>&1
status=$?
set -e
elapsed=$(( $(date +%s) - start ))
grep -E '^(ok|FAIL|skip)  |^examples: |passed, .* failed|^skipped: |Executed .* tests' "$work/make-test.log" || true
# The examples that name a dataset this clean machine lacks must be reported as skipped, by name.
missing=0
for f in examples/*.eqx; do
  if grep -qE '^data [a-z_0-9]+ = (mnist|fashion_mnist|cifar10)\b' "$f" && ! grep -q "^skip  $f " "$work/make-test.log"; then
    echo "fresh clone: $f needs a dataset but was not reported as skipped"; missing=1
  fi
done
if [ "$status" -ne 0 ]; then
  echo "fresh clone: make test failed (exit $status) after ${elapsed} s; the last lines:"
  tail -40 "$work/make-test.log"
  exit 1
fi
[ "$missing" -eq 0 ] || exit 1
echo "fresh clone: make test passed in ${elapsed} s"
