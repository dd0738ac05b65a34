#!/usr/bin/env bash
# Shadow traffic benchmark (not a test): the primary's throughput and latency through versa with
# shadowing off, at 100% to a fast candidate, and at 100% to a slow candidate (every answer takes
# 200 ms), in one run against one versa; then the diff engine's rate on a large JSON pair.
# Goal (issue 5): with the slow candidate, primary p99 within 10% and throughput >= 0.9x of
# shadowing off. Knobs (environment): THREADS, CONNECTIONS, DURATION, WARMUP, WORKERS,
# ROUNDS, SLOW_MS, BUILD_DIR, VERSA_BIN, DIFF_MB. See docs/shadow.md ("Benchmark").
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

THREADS=${THREADS:-2}          # wrk threads
ROUNDS=${ROUNDS:-3}            # interleaved rounds of the three runs
CONNECTIONS=${CONNECTIONS:-64} # wrk connections
DURATION=${DURATION:-10s}      # measured run, per target
WARMUP=${WARMUP:-2s}           # unmeasured run before each measured one
WORKERS=${WORKERS:-2}          # versa `threads`, nginx `worker_processes`
SLOW_MS=${SLOW_MS:-200}        # the slow candidate's answer time
DIFF_MB=${DIFF_MB:-10}         # size of each body of the diff engine's pair
BUILD_DIR=${BUILD_DIR:-build-shadow-bench}

bench_need wrk wrk
bench_need_nginx

[ -n "${VERSA_BIN:-}" ] || bench_build "$BUILD_DIR" cli/versa contract-tests/ct_diff_bench
DIFF_BENCH=${DIFF_BENCH:-$(dirname "$(dirname "$VERSA_BIN")")/contract-tests/ct_diff_bench}

bench_tmp versa-shadow-bench

read -r UP_PORT FAST_PORT SLOW_PORT VERSA_PORT ADMIN_PORT < <(bench_ports 5)

# ~1 KB of JSON without characters nginx would interpret inside a quoted string ($, \, ').
BODY=$(python3 -c '
import json
items, i = [], 1
while len(json.dumps({"items": items}, separators=(",", ":"))) < 1024:
    items.append({"id": i, "name": "pet-%d" % i, "category": "dog", "price": 1250 + i,
                  "status": "available"})
    i += 1
print(json.dumps({"items": items}, separators=(",", ":")))')

# The slow candidate: every answer really takes SLOW_MS (asyncio, keep-alive, any number of
# concurrent connections), with the same body.
cat >"$TMP/slow.py" <<'EOF'
import asyncio, sys
port, delay, body = int(sys.argv[1]), int(sys.argv[2]) / 1000.0, sys.argv[3].encode()
head = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: %d\r\n\r\n" % len(body)

async def serve(reader, writer):
    try:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            for line in request.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    await reader.readexactly(int(line.split(b":")[1]))
            await asyncio.sleep(delay)
            writer.write(head + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()

async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=1024)
    async with server:
        await server.serve_forever()

asyncio.run(main())
EOF

cat >"$TMP/versa.yaml" <<EOF
listen:
  - address: 127.0.0.1:$VERSA_PORT
admin:
  address: 127.0.0.1:$ADMIN_PORT
threads: $WORKERS
access_log: off
apis:
  - name: off
    prefix: /off
    versions: {v1: {upstream: "http://127.0.0.1:$UP_PORT"}}
  - name: fast
    prefix: /fast
    versions: {v1: {upstream: "http://127.0.0.1:$UP_PORT"}}
    shadow:
      - {version: v1, candidate: "http://127.0.0.1:$FAST_PORT", sample: 1}
  - name: slow
    prefix: /slow
    versions: {v1: {upstream: "http://127.0.0.1:$UP_PORT"}}
    shadow:
      - {version: v1, candidate: "http://127.0.0.1:$SLOW_PORT", sample: 1, timeout_ms: 2000}
EOF

# The primary and the fast candidate: nginx answering at once with the same body.
bench_nginx_answers nginx "
    server {
        listen 127.0.0.1:$UP_PORT;
        listen 127.0.0.1:$FAST_PORT;
        location / {
            default_type application/json;
            return 200 '$BODY';
        }
    }"
python3 "$TMP/slow.py" "$SLOW_PORT" "$SLOW_MS" "$BODY" & pids+=($!)
"$VERSA_BIN" serve -c "$TMP/versa.yaml" >"$TMP/versa.log" 2>&1 & pids+=($!)
bench_wait_http "http://127.0.0.1:$UP_PORT/x" "the nginx upstream"
bench_wait_http "http://127.0.0.1:$SLOW_PORT/x" "the slow candidate"
bench_wait_http "http://127.0.0.1:$ADMIN_PORT/readyz" "versa"
for api in off fast slow; do
    bench_wait_http "http://127.0.0.1:$VERSA_PORT/$api/pets" "versa /$api"
done

run_wrk() { # run name: the API and the round
    local api=${1%%[0-9]*}
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "http://127.0.0.1:$VERSA_PORT/$api/pets" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency \
        "http://127.0.0.1:$VERSA_PORT/$api/pets" >"$TMP/$1.wrk"
}
echo "$ROUNDS rounds of wrk -t$THREADS -c$CONNECTIONS -d$DURATION --latency (each after a" \
     "$WARMUP warm-up); versa" \
     "threads = nginx worker_processes = $WORKERS; body ${#BODY} bytes of JSON;" \
     "slow candidate ${SLOW_MS} ms"
# Rounds of (off, fast, slow), interleaved so that a machine that drifts (other load, thermal)
# weighs on every target alike; each target's figure is its median over the rounds.
for round in $(seq "$ROUNDS"); do
    for api in off fast slow; do run_wrk "$api$round"; done
done
curl -fsS --noproxy '*' "http://127.0.0.1:$ADMIN_PORT/shadow/report" >"$TMP/report.json"

python3 - "$TMP" "$ROUNDS" <<'EOF'
import json, re, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}

def parse(name):
    text = open("%s/%s.wrk" % (tmp, name)).read()
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    pct = {p: float(v) * UNIT[u] for p, v, u in
           re.findall(r"^\s+(50|75|90|99)%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)}
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return rps, pct, errors + (int(non2xx.group(1)) if non2xx else 0)

runs = {n: [parse("%s%d" % (n, r)) for r in range(1, rounds + 1)] for n in ("off", "fast", "slow")}
med = lambda xs: statistics.median(xs)
res = {n: (med([r[0] for r in rs]), {p: med([r[1][p] for r in rs]) for p in ("50", "90", "99")},
           sum(r[2] for r in rs)) for n, rs in runs.items()}
report = {e["api"]: e for e in json.load(open(tmp + "/report.json"))["shadows"]}
labels = {"off": "off", "fast": "100%, fast candidate", "slow": "100%, slow candidate"}
print("medians over %d rounds" % rounds)
print("%-22s %11s %8s %8s %8s %7s" % ("primary, shadowing", "requests/s", "p50 ms", "p90 ms",
                                      "p99 ms", "errors"))
for n, (rps, pct, err) in res.items():
    print("%-22s %11.0f %8.3f %8.3f %8.3f %7d" % (labels[n], rps, pct["50"], pct["90"], pct["99"],
                                                 err))
print()
print("per round (requests/s, p99 ms): " + "; ".join(
    "%s %s" % (n, ", ".join("%.0f/%.2f" % (r[0], r[1]["99"]) for r in rs))
    for n, rs in runs.items()))
for n in ("fast", "slow"):
    e = report[n]
    dropped = {k: v for k, v in e["dropped"].items() if v}
    errors = {k: v for k, v in e["candidate_errors"].items() if v}
    print("%s: mirrored %d, compared %d, dropped %s, candidate errors %s" % (
        n, e["mirrored"], e["compared"], dropped or "none", errors or "none"))
off, slow, fast = res["off"], res["slow"], res["fast"]
print()
for name, r in (("fast", fast), ("slow", slow)):
    print("%s/off: throughput %.2fx, p99 %.2fx" % (name, r[0] / off[0], r[1]["99"] / off[1]["99"]))
goals = [("slow throughput >= 0.9x off", slow[0] >= 0.9 * off[0]),
         ("slow p99 within 10% of off", slow[1]["99"] <= 1.1 * off[1]["99"]),
         ("no errors", all(r[2] == 0 for r in res.values()))]
print("goals: " + ", ".join("%s %s" % (g, "met" if ok else "MISSED") for g, ok in goals))
EOF

echo
echo "diff engine (contract-tests/ct_diff_bench $DIFF_MB):"
if [ -x "$DIFF_BENCH" ]; then
    "$DIFF_BENCH" "$DIFF_MB"
else
    echo "  $DIFF_BENCH not built (ninja -C <build dir> contract-tests/ct_diff_bench)"
fi
