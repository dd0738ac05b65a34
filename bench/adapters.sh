#!/usr/bin/env bash
# Adapter benchmark (not a test): in one run, wrk against versa serving the same upstream body
# (a) as pass-through (v2, the upstream's own version) and (b) adapted (v1, downgraded through
# deploy/demo/shop/adapters.yaml), for a ~2 KB and a ~200 KB JSON list; prints requests/s,
# latency percentiles and the adapted/pass-through ratios, then the engine's own transform rate
# (adp_bench). Goal (issue 4): adapted >= 0.8x pass-through at 2 KB.
# Knobs: THREADS, CONNECTIONS, DURATION, ROUNDS, WORKERS, BUILD_DIR, VERSA_BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
# PIN=1: versa on the last CPU, wrk and the upstream on the others, so that the gateway's cost
# per request decides throughput instead of how the scheduler shares cores among five threads
PIN=${PIN:-0}
PIN_VERSA= PIN_LOAD=
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ]; then
    last=$(($(nproc) - 1))
    PIN_VERSA="taskset -c $last"
    PIN_LOAD="taskset -c 0-$((last - 1))"
fi
WORKERS=${WORKERS:-2}
BUILD_DIR=${BUILD_DIR:-build-bench}

bench_need wrk wrk
bench_need nginx nginx-light
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
bench_build "$BUILD_DIR" cli/versa adapters/adp_bench
ADP_BENCH=$ROOT/$BUILD_DIR/adapters/adp_bench

bench_tmp versa-adapters-bench

read -r UP_PORT VERSA_PORT < <(bench_ports 2)

# v2 bodies as the demo's pets upstream answers: {"items": [Pet...], "api_version": "v2"}
python3 - "$TMP" <<'EOF'
import json, sys
def pets(n):
    return {"items": [{"id": i, "name": "pet-%d" % i, "category": "dog", "owner": "ada",
                       "price": 1250 + i, "status": "available"} for i in range(n)],
            "api_version": "v2"}
for name, n in (("small", 20), ("large", 2000)):
    with open("%s/%s.json" % (sys.argv[1], name), "w") as f:
        json.dump(pets(n), f, separators=(",", ":"))
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
        location = /shop/big { alias $TMP/large.json; }
    }
}
EOF
$PIN_LOAD "$NGINX" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" & pids+=($!)

# the demo shop API's specs, with a second list path for the large body
for v in v1 v2; do
    sed 's|^  /shop/pets:|  /shop/big:\n    get:\n      operationId: listBig\n      responses:\n        "200": {$ref: "#/components/responses/List"}\n  /shop/pets:|' \
        deploy/demo/shop/$v.yaml >"$TMP/$v.yaml"
    python3 - "$TMP/$v.yaml" <<'EOF'
import sys
p = sys.argv[1]; s = open(p).read()
s = s.replace("components:\n  schemas:", """components:
  responses:
    List:
      description: the pets
      content:
        application/json:
          schema:
            type: object
            properties:
              items: {type: array, items: {$ref: "#/components/schemas/Pet"}}
              api_version: {type: string}
  schemas:""")
open(p, "w").write(s)
EOF
done
cat >"$TMP/versa.yaml" <<EOF
listen: [{address: "127.0.0.1:$VERSA_PORT"}]
threads: $WORKERS
access_log: off
versioning: {default: v2}
apis:
  - name: shop
    prefix: /shop
    adapters: $ROOT/deploy/demo/shop/adapters.yaml
    versions:
      v1: {spec: $TMP/v1.yaml}
      v2: {upstream: "http://127.0.0.1:$UP_PORT", spec: $TMP/v2.yaml}
EOF
$PIN_VERSA "$VERSA_BIN" serve -c "$TMP/versa.yaml" 2>"$TMP/versa.err" & pids+=($!)
VERSA_PID=$!
for _ in $(seq 100); do
    curl -sf -o /dev/null "http://127.0.0.1:$VERSA_PORT/v2/shop/pets" && break
    sleep 0.1
done
curl -sf -o /dev/null "http://127.0.0.1:$VERSA_PORT/v1/shop/big" || {
    echo "versa did not serve the adapted route"; cat "$TMP/versa.err"; exit 1; }

# versa's CPU time so far (user + system), in clock ticks
cpu_ticks() { awk '{print $14 + $15}' "/proc/$VERSA_PID/stat"; }
TICK=$(getconf CLK_TCK)

run() { # label, path -> "rps p50 p99 cpu-us-per-request"
    $PIN_LOAD wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "http://127.0.0.1:$VERSA_PORT$2" >/dev/null
    local t0 out t1
    t0=$(cpu_ticks)
    out=$($PIN_LOAD wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
        "http://127.0.0.1:$VERSA_PORT$2")
    t1=$(cpu_ticks)
    python3 -c '
import re, sys
t = sys.argv[1]
ticks, hz = float(sys.argv[2]), float(sys.argv[3])
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s|m|h)$", v)
    if m is None:
        sys.exit("cannot read the latency %r in wrk output:\n%s" % (v, t))
    return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000, "h": 3600000}[m.group(2)]
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
p50 = ms(re.search(r"^\s+50%\s+(\S+)", t, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", t, re.M).group(1))
n = int(re.search(r"(\d+) requests in", t).group(1))
print("%.0f %.3f %.3f %.1f" % (rps, p50, p99, ticks / hz / n * 1e6))' "$out" "$((t1 - t0))" "$TICK"
}

printf "wrk -t%s -c%s -d%s --latency, %s interleaved rounds (medians); versa threads %s;\n" \
    "$THREADS" "$CONNECTIONS" "$DURATION" "$ROUNDS" "$WORKERS"
printf "bodies: %s and %s bytes (v2)\n" "$(stat -c %s "$TMP/small.json")" \
    "$(stat -c %s "$TMP/large.json")"
ROUTES=("pass-through 2KB:/v2/shop/pets" "adapted 2KB:/v1/shop/pets"
        "pass-through 200KB:/v2/shop/big" "adapted 200KB:/v1/shop/big")
# Rounds alternate the routes, so that load from elsewhere on the machine falls on all of them
# alike; each figure is the median of its rounds.
declare -A R
for round in $(seq "$ROUNDS"); do
    for spec in "${ROUTES[@]}"; do
        label=${spec%%:*}
        R[$label]+="$(run "$label" "${spec#*:}");"
    done
    echo "round $round of $ROUNDS done" >&2
done
median() { # "rps p50 p99;..." -> the median of each column
    python3 -c '
import statistics, sys
rows = [list(map(float, r.split())) for r in sys.argv[1].split(";") if r.strip()]
print(" ".join("%g" % statistics.median(c) for c in zip(*rows)))' "$1"
}
printf "%-22s %11s %8s %8s %12s   %s\n" "route" "requests/s" "p50 ms" "p99 ms" \
    "versa us/req" "requests/s per round"
declare -A M
for spec in "${ROUTES[@]}"; do
    label=${spec%%:*}
    M[$label]=$(median "${R[$label]}")
    read -r rps p50 p99 cpu <<<"${M[$label]}"
    printf "%-22s %11.0f %8s %8s %12s   %s\n" "$label" "$rps" "$p50" "$p99" "$cpu" \
        "$(tr ';' '\n' <<<"${R[$label]}" | awk 'NF {printf "%s ", $1}')"
done
ratio() { python3 -c "print('%.2f' % (float('$1'.split()[0]) / float('$2'.split()[0])))"; }
small=$(ratio "${M[adapted 2KB]}" "${M[pass-through 2KB]}")
large=$(ratio "${M[adapted 200KB]}" "${M[pass-through 200KB]}")
echo "adapted/pass-through: 2KB ${small}x, 200KB ${large}x"
python3 -c "import sys; sys.exit(0 if $small >= 0.8 else 1)" &&
    echo "goal (adapted >= 0.8x pass-through at 2 KB): met" ||
    echo "goal (adapted >= 0.8x pass-through at 2 KB): NOT met"
if [ -x "$ADP_BENCH" ]; then
    echo "engine alone (adp_bench):"
    "$ADP_BENCH"
fi
