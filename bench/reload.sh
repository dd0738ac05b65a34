#!/usr/bin/env bash
# Reload benchmark (not a test): wrk against versa proxying to an nginx upstream, in interleaved
# rounds of steady state (no reload) and of a reload storm (POST /reload every INTERVAL_MS,
# alternating two configurations whose route goes to two upstreams); prints requests/s and p99
# of each round, the medians, the ratios storm/steady and the reload latency.
# Knobs (environment): ROUNDS, DURATION, INTERVAL_MS, THREADS, CONNECTIONS, WORKERS, BUILD_DIR,
# VERSA_BIN. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

ROUNDS=${ROUNDS:-3}            # rounds of each kind, interleaved: steady, storm, steady, ...
DURATION=${DURATION:-5s}       # per round
INTERVAL_MS=${INTERVAL_MS:-100} # between reloads in a storm (10 reloads/s)
# what alternates: `upstream` (the route's upstream: every reload replaces the pools, so new
# upstream connections are opened) or `api` (another API comes and goes: the pools are kept)
SWAP=${SWAP:-upstream}
THREADS=${THREADS:-2}          # wrk threads
CONNECTIONS=${CONNECTIONS:-32} # wrk connections
WORKERS=${WORKERS:-2}          # versa `threads`, nginx `worker_processes`
BUILD_DIR=${BUILD_DIR:-build-bench}

bench_need wrk wrk
bench_need_nginx
[ -n "${VERSA_BIN:-}" ] || bench_build "$BUILD_DIR" cli/versa
bench_tmp versa-reload-bench
read -r UP_A UP_B VERSA_PORT ADMIN_PORT < <(bench_ports 4)

for side in a b; do
    port=$UP_A; [ "$side" = b ] && [ "$SWAP" = upstream ] && port=$UP_B
    extra=""; [ "$side" = b ] && [ "$SWAP" = api ] && extra="
  - name: more
    prefix: /more
    versions:
      v1: {upstream: \"http://127.0.0.1:$UP_B\"}"
    cat >"$TMP/versa-$side.yaml" <<EOF
listen:
  - address: 127.0.0.1:$VERSA_PORT
admin:
  address: 127.0.0.1:$ADMIN_PORT
threads: $WORKERS
access_log: off
apis:
  - name: pets
    prefix: /pets
    versions:
      v1: {upstream: "http://127.0.0.1:$port"}$extra
EOF
done
cp "$TMP/versa-a.yaml" "$TMP/versa.yaml"

bench_nginx_answers upstream "
    server {
        listen 127.0.0.1:$UP_A;
        location / { default_type application/json; return 200 '{\"server\":\"a\"}'; }
    }
    server {
        listen 127.0.0.1:$UP_B;
        location / { default_type application/json; return 200 '{\"server\":\"b\"}'; }
    }"
"$VERSA_BIN" serve -c "$TMP/versa.yaml" >"$TMP/versa.log" 2>&1 & pids+=($!)
bench_wait_http "http://127.0.0.1:$UP_A/" "the upstream nginx"
bench_wait_http "http://127.0.0.1:$ADMIN_PORT/readyz" "versa"
bench_wait_http "http://127.0.0.1:$VERSA_PORT/pets/1" "versa's route"

URL="http://127.0.0.1:$VERSA_PORT/pets/1"
wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "$URL" >/dev/null # warm-up
echo "wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency, $ROUNDS interleaved rounds each;" \
     "storm: a reload every ${INTERVAL_MS} ms, swapping the $SWAP; versa threads $WORKERS"
# The helper runs in both kinds of rounds, so that its own CPU (a Python process on a small
# machine) weighs on both alike: in a storm it swaps the file and asks for a reload, recording the
# answer's duration_ms and the round trip of POST /reload; in a steady round it writes the same
# file (unchanged) and asks GET /readyz instead.
helper() { # kind, round
    python3 - "$TMP" "$ADMIN_PORT" "$INTERVAL_MS" "$1" "$2" <<'EOF' &
import http.client, json, os, shutil, sys, time
tmp, port, interval, kind, i = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]) / 1000.0, \
    sys.argv[4], sys.argv[5]
stop = os.path.join(tmp, "stop")
out = open(os.path.join(tmp, "%s.%s.txt" % (kind, i)), "w")
side = "a"
while not os.path.exists(stop):
    if kind == "storm":
        side = "b" if side == "a" else "a"
    shutil.copy(os.path.join(tmp, "versa-%s.yaml" % side), os.path.join(tmp, "versa.yaml.new"))
    os.rename(os.path.join(tmp, "versa.yaml.new"), os.path.join(tmp, "versa.yaml"))
    t = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    c.request("POST" if kind == "storm" else "GET", "/reload" if kind == "storm" else "/readyz")
    r = c.getresponse()
    text = r.read()
    rtt = (time.monotonic() - t) * 1000
    took = json.loads(text).get("duration_ms", -1) if kind == "storm" else 0
    out.write("%d %.3f %.3f\n" % (r.status, took, rtt))
    out.flush()
    c.close()
    time.sleep(interval)
EOF
    helper_pid=$!
}
for i in $(seq "$ROUNDS"); do
    for kind in steady storm; do
        helper "$kind" "$i"
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$URL" >"$TMP/$kind.$i.wrk"
        touch "$TMP/stop"; wait "$helper_pid"; rm -f "$TMP/stop"
    done
done

python3 - "$TMP" "$ROUNDS" <<'EOF'
import re, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}

def parse(path):
    text = open(path).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    m = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return rps, float(m.group(1)) * UNIT[m.group(2)], errors + (int(non2xx.group(1)) if non2xx else 0)

runs = {k: [parse("%s/%s.%d.wrk" % (tmp, k, i)) for i in range(1, rounds + 1)]
        for k in ("steady", "storm")}
reloads = []
for i in range(1, rounds + 1):
    for line in open("%s/storm.%d.txt" % (tmp, i)):
        status, took, rtt = line.split()
        reloads.append((int(status), float(took), float(rtt)))
print("%-7s %5s %12s %9s %8s" % ("", "round", "requests/s", "p99 ms", "errors"))
for k, rs in runs.items():
    for i, (rps, p99, err) in enumerate(rs, 1):
        print("%-7s %5d %12.0f %9.3f %8d" % (k, i, rps, p99, err))
med = {k: (statistics.median(r[0] for r in rs), statistics.median(r[1] for r in rs),
           sum(r[2] for r in rs)) for k, rs in runs.items()}
ok = [r for r in reloads if r[0] == 200]
took = sorted(r[1] for r in ok)
rtt = sorted(r[2] for r in ok)
print()
print("medians: steady %.0f req/s p99 %.3f ms; storm %.0f req/s p99 %.3f ms" % (
    med["steady"][0], med["steady"][1], med["storm"][0], med["storm"][1]))
print("storm/steady: throughput %.2fx, p99 %.2fx" % (med["storm"][0] / med["steady"][0],
                                                     med["storm"][1] / med["steady"][1]))
print("reloads: %d (%d failed); reload took median %.2f ms, max %.2f ms; POST /reload round trip "
      "median %.2f ms, max %.2f ms" % (len(reloads), len(reloads) - len(ok),
                                       took[len(took) // 2], took[-1], rtt[len(rtt) // 2], rtt[-1]))
goals = [("p99 within 20%", med["storm"][1] <= 1.2 * med["steady"][1]),
         ("no errors", med["storm"][2] == 0 and med["steady"][2] == 0 and len(ok) == len(reloads))]
print("goals: " + ", ".join("%s %s" % (g, "met" if g_ok else "MISSED") for g, g_ok in goals))
EOF
