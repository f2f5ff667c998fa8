#!/usr/bin/env bash
# Runs every script in examples/ with the given eqx binary (CI: every example must run).
# Prints one line per example and a closing "N passed, N failed" line; exits non-zero on any failure.
set -u
eqx="${1:-.build/release/eqx}"
cd "$(dirname "$0")/.."
out=$(mktemp -d)
passed=0; failed=0
for f in examples/*.eqx; do
  name=$(basename "$f" .eqx)
  start=$(date +%s)
  if "$eqx" run "$f" --out "$out/$name" --quiet > "$out/$name.log" 2>&1; then
    passed=$((passed + 1)); echo "ok    $f ($(( $(date +%s) - start )) s)"
  else
    failed=$((failed + 1)); echo "FAIL  $f"; tail -20 "$out/$name.log"
  fi
done
echo "examples: $passed passed, $failed failed"
rm -rf "$out"
[ "$failed" -eq 0 ]
