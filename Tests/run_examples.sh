#!/usr/bin/env bash
# Runs every script in examples/ and examples/papers/ with the given eqx binary. A script may carry one
# line `# ci: ARGS` (the papers' protocols: `--set runs=1 --set epochs=1 …`); ARGS are passed to `eqx run`,
# so a paper-scale script runs at CI scale.
# Prints one line per example (ok / FAIL / skip) and a closing "N passed, N failed, N skipped" line.
# An example whose named dataset is not on this machine (eqx reports E0803) is skipped, by name, with the
# dataset it needs; under CI=true a skip fails the run, because CI has every dataset it can get. CIFAR-10
# cannot be downloaded on these machines: an example that needs only it runs again on generated files in
# CIFAR-10's binary format (random images, labels 0–9), which checks its definitions and pipeline, not
# accuracy, and says so ("ok (generated CIFAR-10)").
# Exits non-zero on any failure (or, under CI=true, any skip).
set -u
eqx="${1:-.build/release/eqx}"
case "$eqx" in /*) ;; *) eqx="$PWD/$eqx" ;; esac
cd "$(dirname "$0")/.."
out=$(mktemp -d)
passed=0; failed=0; skipped=0; skips=""
# CIFAR-10's binary layout (5 training batches and a test batch of label byte + 3×32×32 bytes), 1,000
# random records each, made once per run from a fixed seed.
generated_cifar10() {
  local dir="$out/generated/cifar10"
  if [ ! -f "$dir/test_batch.bin" ]; then
    mkdir -p "$dir" && python3 -c '
import random, sys
rng = random.Random(10)
for name in ["data_batch_%d.bin" % i for i in range(1, 6)] + ["test_batch.bin"]:
    with open(sys.argv[1] + "/" + name, "wb") as f:
        for k in range(1000):
            f.write(bytes([k % 10]) + rng.randbytes(3072))
' "$dir" || return 1
  fi
  echo "$out/generated"
}
for f in examples/*.eqx examples/papers/*.eqx; do
  name=$(basename "$f" .eqx)
  # shellcheck disable=SC2046 # the ci line is a list of words
  set -- $(sed -n 's/^# ci: //p' "$f")
  start=$(date +%s)
  if "$eqx" run "$f" "$@" --out "$out/$name" --quiet > "$out/$name.log" 2>&1; then
    passed=$((passed + 1)); echo "ok    $f ($(( $(date +%s) - start )) s)"
  elif grep -q "error\[E0803\]: dataset 'cifar10'" "$out/$name.log" \
       && [ "$(grep -c 'error\[E0803\]' "$out/$name.log")" = "$(grep -c "error\[E0803\]: dataset 'cifar10'" "$out/$name.log")" ] \
       && generated=$(generated_cifar10) \
       && EQX_DATA="$generated" "$eqx" run "$f" "$@" --out "$out/$name-generated" --quiet > "$out/$name.log" 2>&1; then
    passed=$((passed + 1)); echo "ok    $f ($(( $(date +%s) - start )) s, generated CIFAR-10: definitions, not accuracy)"
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
