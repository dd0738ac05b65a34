#!/usr/bin/env bash
# Tracing benchmark (not a test), issue 19: wrk against four gateways in front of the same
# upstream answer (nginx, ~1.5 KB of JSON): tracing off (no `tracing` key), and tracing on with
# sample 0 (context propagated and logged, nothing exported), 0.1 and 1, all exporting to the
# test collector in --sink mode (answers 200 without decoding, so the collector keeps up).
# Interleaved rounds, medians: each gateway's requests/s (and as a ratio of the untraced one) and
# its CPU time per request (user + system from /proc/<pid>/stat over the measured run, divided by
# the requests wrk completed: the exporter thread's work included); then the spans the sample-1
# gateway exported per second of load, and what it dropped.
# Knobs: THREADS, CONNECTIONS, DURATION, ROUNDS, WORKERS, BUILD_DIR, VERSA_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
WORKERS=${WORKERS:-1}
BUILD_DIR=${BUILD_DIR:-build-bench}

bench_need wrk wrk
bench_need_nginx
[ -d tests/otlp/node_modules/protobufjs ] || deploy/install-deps.sh --test
bench_build "$BUILD_DIR" cli/versa
bench_tmp versa-tracing-bench
read -r UP_PORT COL_PORT OFF_PORT S0_PORT S01_PORT S1_PORT ADMIN_PORT < <(bench_ports 7)

python3 -c 'import json; print(json.dumps({"items": [{"id": i, "name": "pet-%d" % i,
    "status": "available"} for i in range(40)]}))' >"$TMP/small.json"
bench_nginx_files "$UP_PORT" "location = /pets { alias $TMP/small.json; }"
node tests/otlp/collector.js --port "$COL_PORT" --proto "$ROOT/../shared/otlp-proto" \
    --out "$TMP/spans.jsonl" --sink >"$TMP/collector.out" & pids+=($!)
for _ in $(seq 100); do grep -q ready "$TMP/collector.out" && break; sleep 0.1; done
grep -q ready "$TMP/collector.out" || { echo "the collector did not start"; exit 1; }

gateway() { # name port tracing-yaml [admin-yaml]
    cat >"$TMP/$1.yaml" <<CONFIG
listen: [{address: "127.0.0.1:$2"}]
threads: $WORKERS
access_log: off
$3
${4:-}
apis:
  - name: pets
    prefix: /pets
    versions: {v1: {upstream: "http://127.0.0.1:$UP_PORT"}}
CONFIG
    "$VERSA_BIN" serve -c "$TMP/$1.yaml" 2>"$TMP/$1.err" & pids+=($!)
    gw_pid[$2]=$!
}
declare -A gw_pid
TRACING="tracing: {otlp_endpoint: \"http://127.0.0.1:$COL_PORT/v1/traces\", flush_interval_ms: 1000"
gateway off "$OFF_PORT" ""
gateway s0 "$S0_PORT" "$TRACING, sample: 0}"
gateway s01 "$S01_PORT" "$TRACING, sample: 0.1}"
gateway s1 "$S1_PORT" "$TRACING, sample: 1}" "admin: {address: \"127.0.0.1:$ADMIN_PORT\"}"
for port in "$OFF_PORT" "$S0_PORT" "$S01_PORT" "$S1_PORT"; do
    for _ in $(seq 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/pets" && break
        sleep 0.1
    done
    curl -sf -o /dev/null "http://127.0.0.1:$port/pets" || {
        echo "the gateway on port $port did not serve"; cat "$TMP"/*.err; exit 1; }
done

run() { # port -> "requests/s,CPU microseconds per request"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d1s "http://127.0.0.1:$1/pets" >/dev/null
    local before after out
    before=$(bench_cpu_ticks "${gw_pid[$1]}")
    out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$1/pets")
    after=$(bench_cpu_ticks "${gw_pid[$1]}")
    echo "$out" | awk -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" '
        / requests in / {n = $1} /Requests\/sec/ {rps = $2}
        END {printf "%s,%.2f", rps, t / hz * 1e6 / n}'
}
metrics() { curl -sf "http://127.0.0.1:$ADMIN_PORT/metrics"; }
printf "wrk -t%s -c%s -d%s, %s interleaved rounds (medians); versa threads %s; body %s bytes\n" \
    "$THREADS" "$CONNECTIONS" "$DURATION" "$ROUNDS" "$WORKERS" "$(stat -c %s "$TMP/small.json")"
OFF="" S0="" S01="" S1="" S1_NS=0
for round in $(seq "$ROUNDS"); do
    OFF+="$(run "$OFF_PORT") "
    S0+="$(run "$S0_PORT") "
    S01+="$(run "$S01_PORT") "
    start=$(date +%s%N)
    S1+="$(run "$S1_PORT") "
    S1_NS=$((S1_NS + $(date +%s%N) - start))
    echo "round $round of $ROUNDS done" >&2
done
# the last batch (flush_interval_ms 1000) reaches the collector
for _ in $(seq 50); do
    metrics | grep -q '^versa_trace_queue_spans 0$' && break
    sleep 0.1
done
metrics >"$TMP/metrics.txt"
python3 - "$OFF" "$S0" "$S01" "$S1" "$S1_NS" "$TMP/metrics.txt" <<'REPORT'
import statistics, sys
names = ["tracing off", "sample 0", "sample 0.1", "sample 1"]
runs = [[tuple(float(v) for v in x.split(",")) for x in a.split()] for a in sys.argv[1:5]]
base = statistics.median(r for r, _ in runs[0])
base_cpu = statistics.median(c for _, c in runs[0])
for name, r in zip(names, runs):
    rps, cpu = statistics.median(x for x, _ in r), statistics.median(c for _, c in r)
    print("%-12s %8.0f requests/s  %.2fx   %6.1f us CPU/request (%+.1f us)   rounds: %s"
          % (name, rps, rps / base, cpu, cpu - base_cpu, " ".join("%.0f" % x for x, _ in r)))
m = {}
for line in open(sys.argv[6]):
    if line.startswith("versa_trace_"):
        key, value = line.rsplit(" ", 1)
        m[key] = float(value)
seconds = int(sys.argv[5]) / 1e9
exported = m.get("versa_trace_spans_exported_total", 0)
dropped = sum(v for k, v in m.items() if k.startswith("versa_trace_spans_dropped_total"))
print("sample 1: %d spans exported over %.1f s of load (warm-ups included): %.0f spans/s; "
      "dropped %d, failed %d" % (exported, seconds, exported / seconds, dropped,
                                 m.get("versa_trace_spans_failed_total", 0)))
REPORT
