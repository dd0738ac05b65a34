#!/usr/bin/env bash
# Long fuzzing runs (not CI): each target for SECONDS (default 1800, the issue's bar) from its seed
# corpus plus what earlier runs found (kept in build-fuzz/fuzz-corpus/, outside the repository),
# then one line per target: executions, coverage (cov = edges, ft = features) and the outcome.
# A crash leaves its input as build-fuzz/fuzz-crash-<target>-*; add it to corpus/fuzz_<target>/
# with the fix, so CI replays it. Usage: tests/fuzz/run.sh [SECONDS] [TARGET...]
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
SECONDS_EACH=${1:-1800}; shift || true
BUILD=${BUILD_DIR:-build-fuzz}
if [ ! -f "$BUILD/build.ninja" ]; then
    CC=clang-14 meson setup "$BUILD" -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
        -Dwerror=false >/dev/null || exit 2
fi
ninja -C "$BUILD" >/dev/null || exit 2
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=($(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||'))
status=0
for t in "${targets[@]}"; do
    keep="$BUILD/fuzz-corpus/$t"
    mkdir -p "$keep"
    dict=()
    [ -f "tests/fuzz/dict/$t.dict" ] && dict=("-dict=tests/fuzz/dict/$t.dict")
    log="$BUILD/fuzz-$t.log"
    "$BUILD/tests/fuzz/fuzz_$t" "${dict[@]}" -max_total_time="$SECONDS_EACH" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$BUILD/fuzz-crash-$t-" \
        "$keep" "tests/fuzz/corpus/fuzz_$t" >"$log" 2>&1
    rc=$?
    execs=$(grep -oE "stat::number_of_executed_units: [0-9]+" "$log" | grep -oE "[0-9]+$")
    cov=$(grep -E "^#[0-9]+" "$log" | tail -1 | grep -oE "cov: [0-9]+ ft: [0-9]+")
    outcome=$([ $rc -eq 0 ] && echo ok || echo "FAILED (exit $rc, see $log)")
    printf '%-12s %12s execs  %-22s %s\n' "$t" "${execs:-?}" "${cov:-?}" "$outcome"
    [ $rc -eq 0 ] || status=1
done
exit $status
