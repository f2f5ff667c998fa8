#!/usr/bin/env bash
# Runs one fuzz target for SECONDS (default 600) from its seed corpus fuzz/corpus/TARGET/.
# New interesting inputs go to fuzz/.build/work/TARGET/ (not in git), crashes to fuzz/.build/work/artifacts/;
# the exit status is libFuzzer's: non-zero on any crash, leak, timeout or out-of-memory.
# Usage: fuzz/run.sh TARGET [SECONDS] [extra libFuzzer flags]   (build first: make fuzz-build)
set -euo pipefail
target=$1; seconds=${2:-600}; shift; [ $# -gt 0 ] && shift
here=$(cd "$(dirname "$0")" && pwd)
binary="$here/.build/release/$target"
[ -x "$binary" ] || { echo "$binary missing: run make fuzz-build" >&2; exit 2; }
work="$here/.build/work/$target"; artifacts="$here/.build/work/artifacts"
mkdir -p "$work" "$artifacts"
flags=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/$target-" -print_final_stats=1)
case $target in
    EqxParserFuzz) flags+=(-dict="$here/eqx.dict" -max_len=4096) ;;
    FuzzCIFAR) flags+=(-max_len=16384) ;;
    *) flags+=(-max_len=8192) ;;
esac
echo "== $target for ${seconds}s"
"$binary" "${flags[@]}" "$@" "$work" "$here/corpus/$target"
