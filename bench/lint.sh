#!/usr/bin/env bash
# Lint benchmark (not a test): lints with `versa lint`, Spectral (`spectral:oas`) and Redocly CLI,
# one run each after versa's warm-up, and prints wall time, peak RSS and the ratios to versa, then
# whether versa met its goal, for two specs: one large real OpenAPI description (goal < 0.25 s,
# < 60 MB) and a generated 3,000-file spec (tests/support/gen_multifile.py; goal < 0.5 s,
# < 100 MB).
# Knobs (environment): SPEC, RUNS, BUILD_DIR, VERSA_BIN, SPECTRAL_VERSION, REDOCLY_VERSION,
# MULTIFILE=0 to skip the generated spec.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

SPEC=${SPEC:-$ROOT/../shared/specs/large/github-2022-06-11.yaml}
RUNS=${RUNS:-5}                                # versa runs; the median is reported
BUILD_DIR=${BUILD_DIR:-build-bench}
SPECTRAL_VERSION=${SPECTRAL_VERSION:-6.16.3}   # @stoplight/spectral-cli
REDOCLY_VERSION=${REDOCLY_VERSION:-2.77.0}     # @redocly/cli
GOAL_SECONDS=0.25
GOAL_MB=60

[ -f "$SPEC" ] || { echo "spec not found: $SPEC (set SPEC)" >&2; exit 2; }

bench_need_time
command -v npm >/dev/null || { echo "npm is needed for Spectral and Redocly" >&2; exit 2; }

bench_tmp versa-lint-bench
[ -n "${VERSA_BIN:-}" ] || bench_build_logged "$BUILD_DIR"
# Spectral and Redocly live in bench/npm/lint/node_modules (gitignored), installed once.
bench_npm_tools lint "spectral redocly" \
    "@stoplight/spectral-cli@$SPECTRAL_VERSION" "@redocly/cli@$REDOCLY_VERSION"

printf 'extends: ["spectral:oas"]\n' >"$TMP/.spectral.yaml"


# compare SPEC GOAL_SECONDS GOAL_MB: the three tools on one spec, side by side.
compare() {
local spec=$1 goal_s=$2 goal_mb=$3
echo "spec: $spec ($(du -h "$spec" | cut -f1), $(wc -l <"$spec") lines)"
echo "versa: $VERSA_BIN ($("$VERSA_BIN" --version 2>/dev/null || echo unknown version))"

"$VERSA_BIN" lint "$spec" >/dev/null 2>&1 || true # warm the page cache
versa_runs=()
for _ in $(seq "$RUNS"); do
    versa_runs+=("$(bench_measure exit versa "$VERSA_BIN" lint "$spec")")
done
read -r VERSA_S VERSA_KB < <(printf '%s\n' "${versa_runs[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
VERSA_FINDINGS=$(grep -cE '^ +[0-9]+:[0-9]+ ' "$TMP/versa.out" || true)

echo "running Spectral (about half a minute)..." >&2
read -r SPECTRAL_S SPECTRAL_KB < <(bench_measure exit spectral "$NODE_BIN/spectral" lint \
    --ruleset "$TMP/.spectral.yaml" --format text "$spec")
SPECTRAL_FINDINGS=$(grep -cE ':[0-9]+:[0-9]+ ' "$TMP/spectral.out" || true)

read -r REDOCLY_S REDOCLY_KB < <(bench_measure exit redocly "$NODE_BIN/redocly" lint \
    --format stylish "$spec")
REDOCLY_FINDINGS=$(grep -cE '^ *[0-9]+:[0-9]+ ' "$TMP/redocly.out" || true)

python3 - "$VERSA_S" "$VERSA_KB" "$VERSA_FINDINGS" "$SPECTRAL_S" "$SPECTRAL_KB" \
    "$SPECTRAL_FINDINGS" "$REDOCLY_S" "$REDOCLY_KB" "$REDOCLY_FINDINGS" "$RUNS" \
    "$goal_s" "$goal_mb" "$SPECTRAL_VERSION" "$REDOCLY_VERSION" <<'EOF'
import sys
a = sys.argv[1:]
# /usr/bin/time counts in 10 ms steps: a run under one step counts as half a step, not zero
vs, vkb = max(float(a[0]), 0.005), int(a[1])
rows = [("versa (median of %s)" % a[9], vs, vkb, a[2]),
        ("spectral %s" % a[12], float(a[3]), int(a[4]), a[5]),
        ("redocly %s" % a[13], float(a[6]), int(a[7]), a[8])]
print()
print("%-24s %10s %12s %10s %10s %9s" % ("tool", "wall s", "peak RSS MB", "x time", "x RSS",
                                          "findings"))
for name, s, kb, n in rows:
    print("%-24s %10.3f %12.1f %10.1f %10.1f %9s" % (name, s, kb / 1024, s / vs, kb / vkb, n))
goal_s, goal_mb = float(a[10]), float(a[11])
ok = vs < goal_s and vkb / 1024 < goal_mb
print()
print("goal: versa under %.2f s and %.0f MB: %s (%.3f s, %.1f MB)" % (
    goal_s, goal_mb, "met" if ok else "MISSED", vs, vkb / 1024))
print("versa is %.0fx faster than Spectral and %.0fx faster than Redocly" % (
    rows[1][1] / vs, rows[2][1] / vs))
EOF
}

compare "$SPEC" "$GOAL_SECONDS" "$GOAL_MB"
if [ "${MULTIFILE:-1}" != 0 ]; then
    python3 "$ROOT/tests/support/gen_multifile.py" "$TMP/multifile" >/dev/null
    echo
    echo "multi-file: $(find "$TMP/multifile" -type f | wc -l) files, $(du -sh "$TMP/multifile" | cut -f1)"
    compare "$TMP/multifile/openapi.yaml" 0.5 100
fi
