#!/usr/bin/env bash
# Proxy benchmark (not a test): wrk against (a) a fast upstream directly (nginx returning a fixed
# ~1 KB JSON body), (b) versa proxying to it, (c) nginx as an equivalent keep-alive reverse proxy
# to the same upstream; prints requests/s, latency percentiles, the ratios, and versa's peak RSS.
# Knobs (environment): THREADS, CONNECTIONS, DURATION, WARMUP, WORKERS, BUILD_DIR, VERSA_BIN.
# See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

THREADS=${THREADS:-2}          # wrk threads
CONNECTIONS=${CONNECTIONS:-64} # wrk connections
DURATION=${DURATION:-10s}      # measured run, per target
WARMUP=${WARMUP:-2s}           # unmeasured run before each measured one
WORKERS=${WORKERS:-2}          # versa `threads` = nginx `worker_processes` (proxy and upstream)
BUILD_DIR=${BUILD_DIR:-build-bench}

bench_need wrk wrk
bench_need nginx nginx-light
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

[ -n "${VERSA_BIN:-}" ] || bench_build "$BUILD_DIR" cli/versa

bench_tmp versa-bench

read -r UP_PORT VERSA_PORT ADMIN_PORT NGX_PORT < <(bench_ports 4)

# ~1 KB of JSON without characters nginx would interpret inside a quoted string ($, \, ').
BODY=$(python3 -c '
import json
items, i = [], 1
while len(json.dumps({"items": items}, separators=(",", ":"))) < 1024:
    items.append({"id": i, "name": "pet-%d" % i, "category": "dog", "price": 1250 + i,
                  "status": "available"})
    i += 1
print(json.dumps({"items": items}, separators=(",", ":")))')

nginx_common() { # name
    cat <<EOF
worker_processes $WORKERS;
daemon off;
pid $TMP/$1.pid;
error_log $TMP/$1.error.log warn;
events { worker_connections 8192; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $TMP/$1.body;
    proxy_temp_path $TMP/$1.proxy;
    fastcgi_temp_path $TMP/$1.fastcgi;
    uwsgi_temp_path $TMP/$1.uwsgi;
    scgi_temp_path $TMP/$1.scgi;
EOF
}

{ nginx_common upstream; cat <<EOF
    server {
        listen 127.0.0.1:$UP_PORT;
        location / {
            default_type application/json;
            return 200 '$BODY';
        }
    }
}
EOF
} >"$TMP/upstream.conf"

# What versa does per request, nginx does too: forwarding headers, a request id, the
# negotiated-version response headers, keep-alive both ways.
{ nginx_common proxy; cat <<EOF
    upstream backend {
        server 127.0.0.1:$UP_PORT;
        keepalive 256;
        keepalive_requests 1000000;
    }
    server {
        listen 127.0.0.1:$NGX_PORT;
        location / {
            proxy_pass http://backend;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
            proxy_set_header X-Forwarded-Host \$http_host;
            proxy_set_header X-Request-Id \$request_id;
            add_header Api-Version v2;
            add_header Vary "Accept, Api-Version";
        }
    }
}
EOF
} >"$TMP/proxy.conf"

cat >"$TMP/versa.yaml" <<EOF
listen:
  - address: 127.0.0.1:$VERSA_PORT
admin:
  address: 127.0.0.1:$ADMIN_PORT
threads: $WORKERS
access_log: off
versioning:
  default: v2
  media_type: application/vnd.acme+json
  header: Api-Version
apis:
  - name: pets
    prefix: /pets
    versions:
      v2: {upstream: "http://127.0.0.1:$UP_PORT"}
EOF

wait_http() { # url, what
    for _ in $(seq 300); do
        curl -fsS --noproxy '*' -o /dev/null "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "bench: $2 did not come up ($1)" >&2
    cat "$TMP"/*.log 2>/dev/null | tail -20 >&2
    exit 1
}

"$NGINX" -e "$TMP/upstream.early.log" -p "$TMP" -c "$TMP/upstream.conf" & pids+=($!)
"$NGINX" -e "$TMP/proxy.early.log" -p "$TMP" -c "$TMP/proxy.conf" & pids+=($!)
ngx_proxy_master=$!
"$VERSA_BIN" serve -c "$TMP/versa.yaml" >"$TMP/versa.log" 2>&1 & pids+=($!)
versa_pid=$!
wait_http "http://127.0.0.1:$UP_PORT/pets/1" "the upstream nginx"
wait_http "http://127.0.0.1:$NGX_PORT/pets/1" "the proxy nginx"
wait_http "http://127.0.0.1:$ADMIN_PORT/readyz" "versa"
wait_http "http://127.0.0.1:$VERSA_PORT/pets/1" "versa's route to the upstream"

run_wrk() { # name, url
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$2" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2" >"$TMP/$1.wrk"
}
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (after a $WARMUP warm-up); versa" \
     "threads = nginx worker_processes = $WORKERS; upstream body ${#BODY} bytes of JSON"
run_wrk direct "http://127.0.0.1:$UP_PORT/pets/1"
run_wrk versa "http://127.0.0.1:$VERSA_PORT/pets/1"
run_wrk nginx "http://127.0.0.1:$NGX_PORT/pets/1"

hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
VERSA_HWM=$(hwm_kb "$versa_pid")
NGX_HWM=0
for pid in $ngx_proxy_master $(pgrep -P "$ngx_proxy_master" || true); do
    NGX_HWM=$((NGX_HWM + $(hwm_kb "$pid")))
done

python3 - "$TMP" "$VERSA_HWM" "$NGX_HWM" <<'EOF'
import re, sys
tmp, versa_hwm, ngx_hwm = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}

def parse(name):
    text = open("%s/%s.wrk" % (tmp, name)).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    pct = {}
    for p, v, u in re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M):
        pct[p] = float(v) * UNIT[u]
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return rps, pct, errors + (int(non2xx.group(1)) if non2xx else 0)

res = {n: parse(n) for n in ("direct", "versa", "nginx")}
print("%-8s %12s %9s %9s %9s %8s" % ("", "requests/s", "p50 ms", "p90 ms", "p99 ms", "errors"))
for n, (rps, pct, err) in res.items():
    print("%-8s %12.0f %9.3f %9.3f %9.3f %8d" % (n, rps, pct["50"], pct["90"], pct["99"], err))
v, x, d = res["versa"], res["nginx"], res["direct"]
print()
print("versa/nginx:  throughput %.2fx, p50 %.2fx, p99 %.2fx" % (
    v[0] / x[0], v[1]["50"] / x[1]["50"], v[1]["99"] / x[1]["99"]))
print("versa/direct: throughput %.2fx, p50 %.2fx, p99 %.2fx" % (
    v[0] / d[0], v[1]["50"] / d[1]["50"], v[1]["99"] / d[1]["99"]))
print("peak RSS (VmHWM): versa %.1f MB; nginx proxy (master + workers) %.1f MB" % (
    versa_hwm / 1024, ngx_hwm / 1024))
print()
goals = [("throughput >= nginx", v[0] >= x[0]), ("p99 <= nginx", v[1]["99"] <= x[1]["99"]),
         ("RSS < 20 MB", versa_hwm < 20 * 1024), ("no errors", v[2] == 0)]
print("goals: " + ", ".join("%s %s" % (g, "met" if ok else "MISSED") for g, ok in goals))
EOF
