#!/usr/bin/env bash
# Contract validation benchmark (not a test), issue 13: wrk against two gateways in front of the
# same upstream answer (the demo shop's v2 pet list, ~2 KB of JSON), one with validation off and
# one with `validate: {request: enforce, response: enforce}` (path/query parameters and the 2 KB
# response body checked against deploy/demo/shop/v2.yaml), interleaved rounds, medians and the
# on/off throughput ratio. Goal: >= 0.9x.
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
bench_need nginx nginx-light
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
bench_build "$BUILD_DIR" cli/versa
bench_tmp versa-validate-bench
read -r UP_PORT OFF_PORT ON_PORT < <(bench_ports 3)

python3 - "$TMP" <<'EOF'
import json, sys
body = {"items": [{"id": i, "name": "pet-%d" % i, "category": "dog", "owner": "ada",
                   "price": 1250 + i, "status": "available"} for i in range(20)],
        "api_version": "v2"}
with open("%s/small.json" % sys.argv[1], "w") as f:
    json.dump(body, f, separators=(",", ":"))
EOF
mkdir -p "$TMP/nginx/logs"
cat >"$TMP/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
error_log $TMP/nginx/logs/error.log;
pid $TMP/nginx/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    client_body_temp_path $TMP/nginx; proxy_temp_path $TMP/nginx; fastcgi_temp_path $TMP/nginx;
    uwsgi_temp_path $TMP/nginx; scgi_temp_path $TMP/nginx;
    server {
        listen 127.0.0.1:$UP_PORT;
        location = /shop/pets { alias $TMP/small.json; }
    }
}
EOF
"$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" & pids+=($!)

gateway() { # name port validate-yaml
    cat >"$TMP/$1.yaml" <<EOF
listen: [{address: "127.0.0.1:$2"}]
threads: $WORKERS
access_log: off
apis:
  - name: shop
    prefix: /shop
    versions:
      v2: {upstream: "http://127.0.0.1:$UP_PORT", spec: $ROOT/deploy/demo/shop/v2.yaml}
$3
EOF
    "$VERSA_BIN" serve -c "$TMP/$1.yaml" 2>"$TMP/$1.err" & pids+=($!)
}
gateway off "$OFF_PORT" ""
gateway on "$ON_PORT" "    validate: {request: enforce, response: enforce}"
for port in "$OFF_PORT" "$ON_PORT"; do
    for _ in $(seq 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/shop/pets?limit=20" && break
        sleep 0.1
    done
done
curl -sf -o /dev/null "http://127.0.0.1:$ON_PORT/shop/pets?limit=20" || {
    echo "the validating gateway did not serve"; cat "$TMP/on.err"; exit 1; }

run() { # port -> requests/s
    wrk -t"$THREADS" -c"$CONNECTIONS" -d1s "http://127.0.0.1:$1/shop/pets?limit=20" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" "http://127.0.0.1:$1/shop/pets?limit=20" |
        awk '/Requests\/sec/ {print $2}'
}
printf "wrk -t%s -c%s -d%s, %s interleaved rounds (medians); versa threads %s; body %s bytes\n" \
    "$THREADS" "$CONNECTIONS" "$DURATION" "$ROUNDS" "$WORKERS" "$(stat -c %s "$TMP/small.json")"
OFF="" ON=""
for round in $(seq "$ROUNDS"); do
    OFF+="$(run "$OFF_PORT") "
    ON+="$(run "$ON_PORT") "
    echo "round $round of $ROUNDS done" >&2
done
python3 - "$OFF" "$ON" <<'EOF'
import statistics, sys
off = [float(x) for x in sys.argv[1].split()]
on = [float(x) for x in sys.argv[2].split()]
mo, mn = statistics.median(off), statistics.median(on)
print("validation off: %8.0f requests/s   rounds: %s" % (mo, " ".join("%.0f" % x for x in off)))
print("validation on:  %8.0f requests/s   rounds: %s" % (mn, " ".join("%.0f" % x for x in on)))
ratio = mn / mo
print("on/off: %.2fx; goal (>= 0.9x): %s" % (ratio, "met" if ratio >= 0.9 else "NOT met"))
EOF
