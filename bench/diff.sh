#!/usr/bin/env bash
# Diff benchmark (not a test): compares two versions of GitHub's REST API description with
# `versa diff`, Redocly CLI's `diff` and openapi-diff (npm), one run each after versa's warm-up,
# and prints wall time, peak RSS, the ratios to versa and each tool's finding count, then whether
# versa met the goal (10x faster than Redocly with a tenth of its memory). Then versa diffs every
# spec of ../shared/specs against itself and against the next one, and fails on any crash.
# Knobs (environment): BASE, REVISION, RUNS, BUILD_DIR, VERSA_BIN, REDOCLY_VERSION,
# OPENAPI_DIFF_VERSION.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

SHARED=$ROOT/../shared/specs
BASE=${BASE:-$SHARED/large/github-2021-06-14.yaml}
REVISION=${REVISION:-$SHARED/large/github-2022-06-11.yaml}
RUNS=${RUNS:-5}                                  # versa runs; the median is reported
BUILD_DIR=${BUILD_DIR:-build-bench}
REDOCLY_VERSION=${REDOCLY_VERSION:-2.77.0}       # @redocly/cli
OPENAPI_DIFF_VERSION=${OPENAPI_DIFF_VERSION:-0.24.1}

for f in "$BASE" "$REVISION"; do [ -f "$f" ] || { echo "spec not found: $f" >&2; exit 2; }; done

bench_need_time
command -v npm >/dev/null || { echo "npm is needed for Redocly and openapi-diff" >&2; exit 2; }

bench_tmp versa-diff-bench
[ -n "${VERSA_BIN:-}" ] || bench_build_logged "$BUILD_DIR"
# Redocly and openapi-diff live in bench/npm/diff/node_modules (gitignored), installed once.
bench_npm_tools diff "redocly openapi-diff" \
    "@redocly/cli@$REDOCLY_VERSION" "openapi-diff@$OPENAPI_DIFF_VERSION"


echo "base:     $BASE ($(du -h "$BASE" | cut -f1))"
echo "revision: $REVISION ($(du -h "$REVISION" | cut -f1))"
echo "versa: $VERSA_BIN ($("$VERSA_BIN" --version 2>/dev/null || echo unknown version))"

"$VERSA_BIN" diff "$BASE" "$REVISION" >/dev/null 2>&1 || true # warm the page cache
versa_runs=()
for _ in $(seq "$RUNS"); do
    versa_runs+=("$(bench_measure exit versa "$VERSA_BIN" diff --format json "$BASE" \
        "$REVISION")")
done
read -r VERSA_S VERSA_KB < <(printf '%s\n' "${versa_runs[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
VERSA_FINDINGS=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
print("%d (%d error, %d warning, %d info)" % (len(d["findings"]), s["error"], s["warning"], s["info"]))
' "$TMP/versa.out")

echo "running Redocly diff..." >&2
# --fail-on none: a report with major changes is not a failure here; a competitor that fails
# is shown as failed
read -r REDOCLY_S REDOCLY_KB < <(bench_measure nan redocly "$NODE_BIN/redocly" diff \
    --format json --fail-on none --lint-config off "$BASE" "$REVISION")
REDOCLY_FINDINGS=$(python3 -c '
import json, sys
text = open(sys.argv[1]).read()
d = json.loads(text[text.index("{"):])
s = d.get("summary", {})
print("%d (%d major, %d minor, %d patch)" % (len(d.get("changes", [])), s.get("major", 0),
                                           s.get("minor", 0), s.get("patch", 0)))
' "$TMP/redocly.out" 2>/dev/null || echo "?")

echo "running openapi-diff..." >&2
read -r OAD_S OAD_KB < <(bench_measure nan openapi_diff "$NODE_BIN/openapi-diff" "$BASE" \
    "$REVISION")
OAD_FINDINGS=$(python3 -c '
import json, sys
text = open(sys.argv[1]).read()
d = json.loads(text[text.index("{"):])
n = [len(d.get(k, [])) for k in ("breakingDifferences", "nonBreakingDifferences", "unclassifiedDifferences")]
print("%d (%d breaking, %d non-breaking, %d unclassified)" % (sum(n), n[0], n[1], n[2]))
' "$TMP/openapi_diff.out" 2>/dev/null ||
    echo "no report: $(head -c 160 "$TMP/openapi_diff.out" | tr '\n' ' ')")

python3 - "$VERSA_S" "$VERSA_KB" "$VERSA_FINDINGS" "$REDOCLY_S" "$REDOCLY_KB" \
    "$REDOCLY_FINDINGS" "$OAD_S" "$OAD_KB" "$OAD_FINDINGS" "$RUNS" "$REDOCLY_VERSION" \
    "$OPENAPI_DIFF_VERSION" <<'PY'
import sys
a = sys.argv[1:]
# /usr/bin/time counts in 10 ms steps: a run under one step counts as half a step, not zero
vs, vkb = max(float(a[0]), 0.005), int(a[1])
rows = [("versa (median of %s)" % a[9], vs, vkb, a[2]),
        ("redocly diff %s" % a[10], float(a[3]), int(a[4]), a[5]),
        ("openapi-diff %s" % a[11], float(a[6]), int(a[7]), a[8])]
print()
print("%-24s %8s %12s %8s %8s  %s" % ("tool", "wall s", "peak RSS MB", "x time", "x RSS", "findings"))
for name, s, kb, n in rows:
    if s != s:  # nan: the tool failed
        print("%-24s %8s %12.1f %8s %8s  %s" % (name, "FAILED", kb / 1024, "-", "-", "-"))
        continue
    print("%-24s %8.3f %12.1f %8.1f %8.1f  %s" % (name, s, kb / 1024, s / vs, kb / vkb, n))
rs, rkb = rows[1][1], rows[1][2]
ok = rs / vs >= 10 and rkb / vkb >= 10
print()
print("goal: 10x faster than Redocly with a tenth of its memory: %s (%.0fx faster, %.0fx less memory)"
      % ("met" if ok else "MISSED", rs / vs, rkb / vkb))
PY

# No crash on any spec: each one against itself (no findings expected) and against the next.
echo
specs=()
while IFS= read -r f; do specs+=("$f"); done < <(find "$SHARED" -name '*.yaml' -o -name '*.json' | sort)
crashes=0 self_findings=0 compared=0
for i in "${!specs[@]}"; do
    a=${specs[$i]} b=${specs[$(((i + 1) % ${#specs[@]}))]}
    for pair in "$a $a" "$a $b"; do
        status=0
        # shellcheck disable=SC2086
        "$VERSA_BIN" diff $pair >"$TMP/out" 2>&1 || status=$?
        if [ "$status" -gt 2 ]; then
            echo "CRASH (exit $status): versa diff $pair" >&2
            crashes=$((crashes + 1))
        fi
        if [ "$pair" = "$a $a" ] && [ "$status" -ne 2 ]; then
            compared=$((compared + 1))
            grep -q '^0 errors, 0 warnings, 0 infos' "$TMP/out" || self_findings=$((self_findings + 1))
        fi
    done
done
echo "every spec of ../shared/specs (${#specs[@]}): $crashes crashes; $compared loadable specs diffed" \
     "against themselves, $self_findings with findings"
[ "$crashes" -eq 0 ] && [ "$self_findings" -eq 0 ]
