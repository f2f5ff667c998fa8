#!/usr/bin/env bash
# Runs every script in examples/ and examples/papers/ with the given eqx binary. A script may carry one
# line `# ci: ARGS` (the papers' protocols: `--set runs=1 --set epochs=1 …`); ARGS are passed to `eqx run`,
# so a paper-scale script runs at CI scale.
# Prints one line per example (ok / FAIL / skip) and a closing "N passed, N failed, N skipped" line.
# An example whose named dataset is not on this machine (eqx reports E0803) is skipped, by name, with the
# dataset it needs; under CI=true a skip fails the run, because CI has every dataset.
# Exits non-zero on any failure (or, under CI=true, any skip).
set -u
eqx="${1:-.build/release/eqx}"
case "$eqx" in /*) ;; *) eqx="$PWD/$eqx" ;; esac
cd "$(dirname "$0")/.."
out=$(mktemp -d)
passed=0; failed=0; skipped=0; skips=""
for f in examples/*.eqx examples/papers/*.eqx; do
  name=$(basename "$f" .eqx)
  # shellcheck disable=SC2046 # the ci line is a list of words
  set -- $(sed -n 's/^# ci: //p' "$f")
  start=$(date +%s)
  if "$eqx" run "$f" "$@" --out "$out/$name" --quiet > "$out/$name.log" 2>&1; then
    passed=$((passed + 1)); echo "ok    $f ($(( $(date +%s) - start )) s)"
  elif grep -q 'error\[E0803\]' "$out/$name.log"; then
    datasets=$(sed -n "s/.*dataset '\([a-z0-9_]*\)' is not on this machine.*/\1/p" "$out/$name.log" | sort -u | paste -sd, -)
    skipped=$((skipped + 1)); skips="$skips $name($datasets)"
    echo "skip  $f (dataset $datasets not found; \`eqx data list\` says where eqx looked)"
  else
    failed=$((failed + 1)); echo "FAIL  $f"; tail -20 "$out/$name.log"
  fi
done
echo "examples: $passed passed, $failed failed, $skipped skipped${skips:+ (skipped:$skips)}"
rm -rf "$out"
if [ "${CI:-}" = "true" ] && [ "$skipped" -gt 0 ]; then
  echo "CI=true: every dataset must be present (EQX_DATA, ~/.cache/eqx or /usr/share/datasets), so a skip fails the run"
  exit 1
fi
[ "$failed" -eq 0 ]
