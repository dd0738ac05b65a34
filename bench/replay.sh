#!/usr/bin/env bash
# Replay benchmark (not a test): records N exchanges through the capture writer (ct_recorder, the
# code behind `record:` in versa serve) and replays them with `versa replay` against a fast
# loopback upstream (nginx answering a fixed JSON body, one port for the primary and one for the
# candidate), printing the recording and replay rates. Goal (issue 6): >= 20000 exchanges/s.
# Knobs (environment): N, CONCURRENCY, WORKERS (nginx worker_processes), BUILD_DIR, VERSA_BIN,
# RECORD_BIN. See docs/replay.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

N=${N:-100000}
CONCURRENCY=${CONCURRENCY:-64}
WORKERS=${WORKERS:-1}
BUILD_DIR=${BUILD_DIR:-build-bench}

bench_need_nginx

if [ -z "${VERSA_BIN:-}" ] || [ -z "${RECORD_BIN:-}" ]; then
    bench_build "$BUILD_DIR" cli/versa contract-tests/ct_record_bench
    RECORD_BIN=${RECORD_BIN:-$ROOT/$BUILD_DIR/contract-tests/ct_record_bench}
fi

bench_tmp versa-replay-bench

read -r P1 P2 < <(bench_ports 2)

mkdir -p "$TMP/nginx/logs"
cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes $WORKERS;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
    client_body_temp_path $TMP/nginx/body;
    server {
        listen 127.0.0.1:$P1;
        listen 127.0.0.1:$P2;
        default_type application/json;
        location / { return 200 '{"id":1,"name":"pet-1","status":"available","tags":["a","b"]}'; }
    }
}
EOF
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" & pids+=($!)
for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$P1/" >/dev/null 2>&1 && curl -fsS "http://127.0.0.1:$P2/" >/dev/null 2>&1 && break
    sleep 0.05
done

echo "== recording $N exchanges (ct_recorder; the gateway hook is wired by versa serve)"
"$RECORD_BIN" "$TMP/capture.jsonl" "$N" "127.0.0.1:$P1"

echo "== replaying against nginx (primary :$P1, candidate :$P2), concurrency $CONCURRENCY"
set +e
"$VERSA_BIN" replay "$TMP/capture.jsonl" --primary "http://127.0.0.1:$P1" \
    --candidate "http://127.0.0.1:$P2" --concurrency "$CONCURRENCY" --no-progress \
    --format json --output "$TMP/report.json"
status=$?
set -e
if [ "$status" -ne 0 ]; then
    echo "versa replay exited with $status (expected 0: both sides answer the same)" >&2
    exit 1
fi
python3 - "$TMP/report.json" "$N" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
x = r["replay"]
errors = sum(x["errors"][k] for k in ("primary", "candidate", "secondary"))
print("replayed %d exchanges (%d HTTP requests) in %.2f s: %.0f exchanges/s; "
      "compared %d, differing %d, errors %d"
      % (x["exchanges"]["completed"], 2 * x["exchanges"]["completed"], x["elapsed_seconds"],
         x["rate"], r["compared"], r["differing"], errors))
ok = x["rate"] >= 20000 and errors == 0 and r["compared"] == int(sys.argv[2])
print("goal (>= 20000 exchanges/s, no errors, all compared): %s" % ("met" if ok else "NOT met"))
EOF
