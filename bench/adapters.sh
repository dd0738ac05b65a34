#!/usr/bin/env bash
# Adapter benchmark (not a test): in one run, wrk against versa serving the same upstream bodies
# as pass-through and adapted, in three modes (MODES, default all):
#   one    the demo shop API: v2 pass-through vs v1 downgraded through one change
#          (deploy/demo/shop/adapters.yaml), ~2 KB and ~200 KB list bodies;
#   chain  a 3-version chain: v3 pass-through vs v1 downgraded through two changes (v3's list
#          envelope unwrapped, then the shop change);
#   gzip   an upstream that compresses (nginx gzip_static always): v2 pass-through of the gzip
#          bytes vs v1 decoded, adapted and sent as identity, and as gzip to a client that asks;
#   move   moves across objects: v2 pass-through vs v1 downgraded through one change that nests
#          each Pet's owner into `meta` and unnests its store's city (spec-less versions).
# Prints requests/s, latency percentiles, versa's CPU µs per request, the ratios as goal lines
# (issue 16: 200 KB adapted >= 0.8x pass-through, 2 KB >= 0.95x), then adp_bench (the engine
# alone, in-process). Knobs: MODES, THREADS, CONNECTIONS, DURATION, ROUNDS, WORKERS, PIN,
# BUILD_DIR, VERSA_BIN, BASELINE_BIN (another build's versa, e.g. an older commit's, run in the
# same rounds on every adapted route: its figures and the ratio of CPU per request are printed
# beside ours).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-32}
DURATION=${DURATION:-5s}
ROUNDS=${ROUNDS:-3}
MODES=${MODES:-one chain gzip move}
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
bench_need_nginx
bench_build "$BUILD_DIR" cli/versa adapters/adp_bench
ADP_BENCH=$ROOT/$BUILD_DIR/adapters/adp_bench

bench_tmp versa-adapters-bench

BASELINE_BIN=${BASELINE_BIN:-}
read -r UP_PORT VERSA_PORT BASE_PORT < <(bench_ports 3)

# v2 bodies as the demo's pets upstream answers: {"items": [Pet...], "api_version": "v2"}; v3
# bodies put them in an envelope {"data": <v2 body>, "next": "..."}; .gz twins for gzip_static
python3 - "$TMP" <<'EOF2'
import gzip, json, sys
def pets(n):
    return {"items": [{"id": i, "name": "pet-%d" % i, "category": "dog", "owner": "ada",
                       "price": 1250 + i, "status": "available"} for i in range(n)],
            "api_version": "v2"}
for name, n in (("small", 20), ("large", 2000)):
    moved = pets(n)  # with a store to unnest the city from (the move mode)
    for p in moved["items"]:
        p["store"] = {"name": "north", "city": "Oslo"}
    for suffix, body in (("", pets(n)), ("3", {"data": pets(n), "next": "cursor-2"}),
                         ("m", moved)):
        text = json.dumps(body, separators=(",", ":")).encode()
        with open("%s/%s%s.json" % (sys.argv[1], name, suffix), "wb") as f:
            f.write(text)
        with open("%s/%s%s.json.gz" % (sys.argv[1], name, suffix), "wb") as f:
            f.write(gzip.compress(text, 6))
EOF2
# shellcheck disable=SC2086 # PIN_LOAD is a command and its arguments, or nothing
bench_nginx_files "$UP_PORT" "location = /shop/pets { alias $TMP/small.json; }
        location = /shop/big { alias $TMP/large.json; }
        location = /shop/zpets { gzip_static always; alias $TMP/small.json; }
        location = /shop/zbig { gzip_static always; alias $TMP/large.json; }
        location = /chain/pets { alias $TMP/small3.json; }
        location = /chain/big { alias $TMP/large3.json; }
        location = /move/pets { alias $TMP/smallm.json; }
        location = /move/big { alias $TMP/largem.json; }" $PIN_LOAD

# the demo shop API's specs with more list paths (the large body, the gzip twins), and a v3 for
# the chain API (prefix /chain): v2's list in an envelope; the chain's adapter file adds v3's
# change to the demo's
python3 - "$TMP" deploy/demo/shop <<'EOF2'
import re, sys
tmp, demo = sys.argv[1:]
LIST = """      responses:
        "200": {$ref: "#/components/responses/List"}
"""
def with_lists(text, prefix, paths):
    extra = "".join("  %s/%s:\n    get:\n      operationId: %s\n%s" % (prefix, p, op, LIST)
                    for p, op in paths)
    text = text.replace("  /shop/pets:", extra + "  /shop/pets:")
    return text.replace("/shop/", prefix + "/")
def responses(envelope):
    v2 = """type: object
            properties:
              items: {type: array, items: {$ref: "#/components/schemas/Pet"}}
              api_version: {type: string}"""
    body = v2 if not envelope else """type: object
            properties:
              next: {type: string}
              data:
                """ + v2.replace("\n", "\n    ")
    return """components:
  responses:
    List:
      description: the pets
      content:
        application/json:
          schema:
            """ + body + "\n  schemas:"
for v in ("v1", "v2"):
    text = open("%s/%s.yaml" % (demo, v)).read()
    shop = with_lists(text, "/shop", [("big", "listBig"), ("zpets", "listZ"), ("zbig", "listZBig")])
    open("%s/%s.yaml" % (tmp, v), "w").write(shop.replace("components:\n  schemas:", responses(False)))
    chain = with_lists(text, "/chain", [("big", "listBig")])
    open("%s/chain-%s.yaml" % (tmp, v), "w").write(chain.replace("components:\n  schemas:", responses(False)))
    if v == "v2":
        v3 = chain.replace("components:\n  schemas:", responses(True))
        at = v3.index("      operationId: listPets\n") + len("      operationId: listPets\n")
        v3 = v3[:at] + LIST + v3[v3.index("    post:", at):]
        open("%s/chain-v3.yaml" % tmp, "w").write(v3.replace('version: "2"', 'version: "3"'))
demo_adapters = open("%s/adapters.yaml" % demo).read()
v2_change = demo_adapters[demo_adapters.index("  - to: v2"):]
open("%s/chain-adapters.yaml" % tmp, "w").write("""api: chain
changes:
  - to: v3
    description: list responses in an envelope
    operations:
      listPets:
        response: [{unwrap: data}]
      listBig:
        response: [{unwrap: data}]
""" + v2_change)
EOF2
# the move API: no specs, so its operations are named by method and path (prefix included)
for op in "GET /move/pets" "GET /move/big"; do
    printf '      %s:\n        response:\n%s\n' "$op" \
        "          - move: {old: 'items[*].meta.owner', new: 'items[*].owner'}
          - move: {old: 'items[*].city', new: 'items[*].store.city'}"
done >"$TMP/move-ops.yaml"
{ printf 'api: move\nchanges:\n  - to: v2\n    description: owner out of meta, city into store\n'
  printf '    operations:\n'; cat "$TMP/move-ops.yaml"; } >"$TMP/move-adapters.yaml"
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
  - name: chain
    prefix: /chain
    adapters: $TMP/chain-adapters.yaml
    versions:
      v1: {spec: $TMP/chain-v1.yaml}
      v2: {spec: $TMP/chain-v2.yaml}
      v3: {upstream: "http://127.0.0.1:$UP_PORT", spec: $TMP/chain-v3.yaml}
  - name: move
    prefix: /move
    adapters: $TMP/move-adapters.yaml
    versions:
      v1: {}
      v2: {upstream: "http://127.0.0.1:$UP_PORT"}
EOF
checks=
for mode in $MODES; do
    case $mode in one) checks+=" /v1/shop/big" ;; chain) checks+=" /v1/chain/big" ;;
    gzip) checks+=" /v1/shop/zbig" ;; move) checks+=" /v1/move/big" ;; esac
done
start_versa() { # binary, port, name -> sets STARTED_PID
    sed "s/127.0.0.1:$VERSA_PORT/127.0.0.1:$2/" "$TMP/versa.yaml" >"$TMP/$3-serve.yaml"
    $PIN_VERSA "$1" serve -c "$TMP/$3-serve.yaml" 2>"$TMP/$3.err" & pids+=($!)
    STARTED_PID=$!
    for _ in $(seq 100); do
        curl -sf -o /dev/null "http://127.0.0.1:$2/v2/shop/pets" && break
        sleep 0.1
    done
    for path in $checks; do
        curl -sf -o /dev/null "http://127.0.0.1:$2$path" || {
            echo "$1 did not serve the adapted route $path"; cat "$TMP/$3.err"; exit 1; }
    done
    if [[ " $MODES " == *" move "* ]] &&
        ! curl -sf "http://127.0.0.1:$2/v1/move/pets" | grep -q '"meta":{"owner":"ada"}'; then
        echo "$1 did not move the members on /v1/move/pets"; exit 1
    fi
}
start_versa "$VERSA_BIN" "$VERSA_PORT" versa
VERSA_PID=$STARTED_PID
BASE_PID=
if [ -n "$BASELINE_BIN" ]; then
    start_versa "$BASELINE_BIN" "$BASE_PORT" baseline
    BASE_PID=$STARTED_PID
fi

TICK=$(getconf CLK_TCK)

run() { # label, path[ HEADER][, port, pid] -> "rps p50 p99 cpu-us-per-request machine-us"
    local path=${2%% *} hdr=() port=${3:-$VERSA_PORT} pid=${4:-$VERSA_PID}
    [ "$path" != "$2" ] && hdr=(-H "${2#* }")
    $PIN_LOAD wrk -t"$THREADS" -c"$CONNECTIONS" -d2s "${hdr[@]}" "http://127.0.0.1:$port$path" >/dev/null
    local t0 out t1 m0 m1
    t0=$(bench_cpu_ticks "$pid")
    m0=$(bench_machine_ticks)
    out=$($PIN_LOAD wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "${hdr[@]}" \
        "http://127.0.0.1:$port$path")
    t1=$(bench_cpu_ticks "$pid")
    m1=$(bench_machine_ticks)
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
machine = float(sys.argv[4])
print("%.0f %.3f %.3f %.1f %.1f" % (rps, p50, p99, ticks / hz / n * 1e6, machine / hz / n * 1e6))' \
        "$out" "$((t1 - t0))" "$TICK" "$((m1 - m0))"
}

printf "wrk -t%s -c%s -d%s --latency, %s interleaved rounds (medians); versa threads %s;\n" \
    "$THREADS" "$CONNECTIONS" "$DURATION" "$ROUNDS" "$WORKERS"
[ -n "$BASELINE_BIN" ] && echo "baseline: $BASELINE_BIN (rows marked '(baseline)')"
printf "bodies: %s and %s bytes (v2), %s and %s gzipped, %s and %s (v3), %s and %s (move)\n" \
    "$(stat -c %s "$TMP/small.json")" "$(stat -c %s "$TMP/large.json")" \
    "$(stat -c %s "$TMP/small.json.gz")" "$(stat -c %s "$TMP/large.json.gz")" \
    "$(stat -c %s "$TMP/small3.json")" "$(stat -c %s "$TMP/large3.json")" \
    "$(stat -c %s "$TMP/smallm.json")" "$(stat -c %s "$TMP/largem.json")"
ROUTES=()
for mode in $MODES; do
    case $mode in
    one) ROUTES+=("pass-through 2KB:/v2/shop/pets" "adapted 2KB:/v1/shop/pets"
                  "pass-through 200KB:/v2/shop/big" "adapted 200KB:/v1/shop/big") ;;
    chain) ROUTES+=("pass-through v3 2KB:/v3/chain/pets" "chain v1<-v3 2KB:/v1/chain/pets"
                    "pass-through v3 200KB:/v3/chain/big" "chain v1<-v3 200KB:/v1/chain/big") ;;
    gzip) ROUTES+=("pass-through gzip 2KB:/v2/shop/zpets" "gzip adapted 2KB:/v1/shop/zpets"
                   "pass-through gzip 200KB:/v2/shop/zbig" "gzip adapted 200KB:/v1/shop/zbig"
                   "gzip adapted to gzip 200KB:/v1/shop/zbig Accept-Encoding: gzip") ;;
    move) ROUTES+=("pass-through move 2KB:/v2/move/pets" "move v1<-v2 2KB:/v1/move/pets"
                   "pass-through move 200KB:/v2/move/big" "move v1<-v2 200KB:/v1/move/big") ;;
    *) echo "unknown mode $mode (one, chain, gzip, move)"; exit 2 ;;
    esac
done
# Rounds alternate the routes, so that load from elsewhere on the machine falls on all of them
# alike; each figure is the median of its rounds.
declare -A R
for round in $(seq "$ROUNDS"); do
    for spec in "${ROUTES[@]}"; do
        label=${spec%%:*}
        R[$label]+="$(run "$label" "${spec#*:}");"
        if [ -n "$BASE_PID" ] && [[ $label != pass-through* ]]; then
            R[$label (baseline)]+="$(run "$label" "${spec#*:}" "$BASE_PORT" "$BASE_PID");"
        fi
    done
    echo "round $round of $ROUNDS done" >&2
done
median() { # "rps p50 p99;..." -> the median of each column
    python3 -c '
import statistics, sys
rows = [list(map(float, r.split())) for r in sys.argv[1].split(";") if r.strip()]
print(" ".join("%g" % statistics.median(c) for c in zip(*rows)))' "$1"
}
printf "%-28s %11s %8s %8s %12s %14s   %s\n" "route" "requests/s" "p50 ms" "p99 ms" \
    "versa us/req" "machine us/req" "requests/s per round"
declare -A M
LABELS=()
for spec in "${ROUTES[@]}"; do
    LABELS+=("${spec%%:*}")
    [ -n "${R[${spec%%:*} (baseline)]:-}" ] && LABELS+=("${spec%%:*} (baseline)")
done
for label in "${LABELS[@]}"; do
    M[$label]=$(median "${R[$label]}")
    read -r rps p50 p99 cpu machine <<<"${M[$label]}"
    printf "%-28s %11.0f %8s %8s %12s %14s   %s\n" "$label" "$rps" "$p50" "$p99" "$cpu" "$machine" \
        "$(tr ';' '\n' <<<"${R[$label]}" | awk 'NF {printf "%s ", $1}')"
done
ratio() { python3 -c "print('%.2f' % (float('$1'.split()[0]) / float('$2'.split()[0])))"; }
goal() { # label, adapted route, pass-through route, goal ('' for none)
    [ -n "${M[$2]:-}" ] && [ -n "${M[$3]:-}" ] || return 0
    local r
    r=$(ratio "${M[$2]}" "${M[$3]}")
    if [ -n "$4" ]; then
        printf "%s: %sx pass-through (goal >= %sx): %s\n" "$1" "$r" "$4" \
            "$(python3 -c "print('met' if $r >= $4 else 'NOT met')")"
    else
        printf "%s: %sx pass-through\n" "$1" "$r"
    fi
}
goal "2KB adapted" "adapted 2KB" "pass-through 2KB" 0.95
goal "200KB adapted" "adapted 200KB" "pass-through 200KB" 0.8
goal "2KB adapted, 3-version chain" "chain v1<-v3 2KB" "pass-through v3 2KB" 0.95
goal "200KB adapted, 3-version chain" "chain v1<-v3 200KB" "pass-through v3 200KB" 0.8
goal "2KB adapted, moves across objects" "move v1<-v2 2KB" "pass-through move 2KB" 0.95
goal "200KB adapted, moves across objects" "move v1<-v2 200KB" "pass-through move 200KB" 0.8
goal "2KB adapted from gzip, sent identity" "gzip adapted 2KB" "pass-through gzip 2KB" ""
goal "200KB adapted from gzip, sent identity" "gzip adapted 200KB" "pass-through gzip 200KB" ""
goal "200KB adapted from gzip, sent gzip" "gzip adapted to gzip 200KB" "pass-through gzip 200KB" ""
for label in "${LABELS[@]}"; do # CPU per request against the baseline's, median to median
    [[ $label == *" (baseline)" ]] || continue
    python3 -c "print('%s: CPU per request %.2fx the baseline\'s' % ('${label% (baseline)}', \
        float('${M[${label% (baseline)}]}'.split()[3]) / float('${M[$label]}'.split()[3])))"
done
if [ -x "$ADP_BENCH" ]; then
    echo "engine alone (adp_bench):"
    "$ADP_BENCH" | tee "$TMP/adp_bench.out"
    # The ceiling: a pass-through request costs the machine (wrk, nginx and versa) M us; an
    # adapted one costs at least M plus the adapting: the engine's E us, or the change coded by
    # hand's H us (adp_bench's shop table): adapted requests/s are at most M / (M + E) of
    # pass-through's, and would be M / (M + H) with the hand-coded change.
    for size in 2KB 200KB; do
        [ -n "${M[pass-through $size]:-}" ] || continue
        python3 - "$size" "${M[pass-through $size]}" "$TMP/adp_bench.out" <<'EOF2'
import re, sys
size, row, out = sys.argv[1], sys.argv[2].split(), open(sys.argv[3]).read()
shop = out[out.index("shop:"):]
m = re.search(r"^~%s KB\s+\d+\s+\d+\s+\S+\s+\S+\s+(\S+)\s+(\S+)" % size[:-2], shop, re.M)
if m:
    machine, engine, by_hand = float(row[4]), float(m.group(1)), float(m.group(2))
    print("%s: a pass-through request costs the machine %.1f us; with the engine's %.1f us added "
          "at most %.2fx pass-through, with the change coded by hand's %.1f us at most %.2fx"
          % (size, machine, engine, machine / (machine + engine), by_hand,
             machine / (machine + by_hand)))
EOF2
    done
fi
