#!/usr/bin/env bash
# Installs dependencies, builds Versa twice (plain, and with ASan+UBSan), runs every test in both
# builds and prints one closing line: "N passed, N failed".
#
# Every test speaks TAP; cases are counted from the TAP lines meson recorded, and a test that
# crashed or timed out before printing its plan counts as one failure.
set -uo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

deploy/install-deps.sh --test || { echo "dependency installation failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0; failed=0
# Ports the tests hand out are claimed here for the whole run (tests/support/harness.py), so no
# two are alike across the builds and the test scripts meson runs side by side.
VERSA_PORT_DIR=$(mktemp -d /tmp/versa-ports.XXXXXX)
export VERSA_PORT_DIR
trap 'rm -rf "$VERSA_PORT_DIR"' EXIT
run_build() { # name, meson options... (TEST_ARGS: extra `meson test` arguments)
    local dir=$1; shift
    if ! { [ -f "$dir/build.ninja" ] || meson setup "$dir" "$@" >"$dir.setup.log" 2>&1; } ||
       ! ninja -C "$dir" >"$dir.ninja.log" 2>&1; then
        cat "$dir.setup.log" "$dir.ninja.log" 2>/dev/null | tail -40
        echo "build $dir FAILED"; failed=$((failed + 1)); return
    fi
    meson test -C "$dir" --print-errorlogs --num-processes 2 ${TEST_ARGS:-} | tail -n 30
    local counts
    counts=$(python3 "$ROOT/tests/support/count_tap.py" "$dir/meson-logs/testlog.json")
    passed=$((passed + ${counts% *})); failed=$((failed + ${counts#* }))
}

run_build build
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
LSAN_OPTIONS=suppressions=$ROOT/tests/lsan.supp:print_suppressions=0 \
    run_build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug

# The fuzz targets (tests/fuzz/README.md), built with clang and libFuzzer: a short, fixed run of
# each from its committed corpus, so a known crashing input fails CI.
CC=clang-14 TEST_ARGS="--suite fuzz" ASAN_OPTIONS=detect_leaks=1 \
    run_build build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false -Dwerror=false

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
