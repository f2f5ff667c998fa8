#!/usr/bin/env bash
# The numbers of docs/cluster.md: wall time of a 12-unit sweep (12 seeds of a small CNN on the built-in
# digits) run by plain `eqx run --threads 1`, by `--jobs 2`, and on SLURM (`--slurm --wait`; start a local
# cluster first with `.ci/slurm.sh start`), and the overhead per unit: the units' summed wall time minus the
# plain run's, divided by 12 (process start, data loading, writing the unit's results).
#   bash docs/tools/sweep_timing.sh [path/to/eqx]
set -euo pipefail
eqx=$(realpath "${1:-.build/release/eqx}")
dir=$(mktemp -d /tmp/eqx-sweep-timing.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
cat > sweep.eqx <<'EQX'
eqx 1
seed 3
data digits = builtin.digits
net cnn(width: 8) {
  conv 3x3 -> width pad 1
  relu
  maxpool 2
  conv 3x3 -> width pad 1
  relu
  global avgpool
  linear -> 10
}
repeat 12 as r {
  train t = cnn on digits.train {
    optimizer sgd(lr: 0.05, momentum: 0.9)
    batch 32
    epochs 20
  }
  report acc: accuracy(t, digits.test)
}
EQX
now() { date +%s.%N; }
t0=$(now); "$eqx" run sweep.eqx --threads 1 --out plain -q >/dev/null; t1=$(now)
plain=$(echo "$t1 - $t0" | bc)
t0=$(now); "$eqx" run sweep.eqx --threads 1 --jobs 2 --out pool -q >/dev/null; t1=$(now)
pool=$(echo "$t1 - $t0" | bc)
unit_sum() {  # summed wall time of the units of run directory $1, from their state files
  python3 - "$1" <<'PY'
import json, sys, glob
print(sum(json.load(open(f))["finished"] - json.load(open(f))["started"] for f in glob.glob(sys.argv[1] + "/cluster/units/*.state.json")))
PY
}
printf 'eqx run --threads 1          %6.1f s\n' "$plain"
printf 'eqx run --jobs 2             %6.1f s   (units summed %.1f s, overhead per unit %.2f s)\n' "$pool" \
  "$(unit_sum pool)" "$(echo "($(unit_sum pool) - $plain) / 12" | bc -l)"
cmp -s plain/results.json pool/results.json && echo "  results.json byte-identical to the plain run"
if command -v sbatch >/dev/null; then
  t0=$(now); "$eqx" run sweep.eqx --slurm --wait --out slurm -q >/dev/null; t1=$(now)
  slurm=$(echo "$t1 - $t0" | bc)
  printf 'eqx run --slurm --wait       %6.1f s   (units summed %.1f s, overhead per unit %.2f s)\n' "$slurm" \
    "$(unit_sum slurm)" "$(echo "($(unit_sum slurm) - $plain) / 12" | bc -l)"
  cmp -s plain/results.json slurm/results.json && echo "  results.json byte-identical to the plain run"
else
  echo "eqx run --slurm: skipped (no sbatch on the PATH)"
fi
