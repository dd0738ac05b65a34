#!/usr/bin/env bash
# Soak run (not a test; issue 15): MINUTES minutes (default 10) of mixed HTTP/1.1 (wrk) and
# HTTP/2 (h2load) traffic through versa (plain, shadowed, spec-routed, adapted, recorded) with a
# fault injected every FAULT_EVERY seconds (upstream killed and restarted, a hanging upstream, a
# slowloris client, an upstream answering garbage). Samples versa's RSS and open fds every
# second and prints the curves, the accounting of every request, whether every recorded line
# parses, and a verdict (exit 0 on PASS). Knobs: MINUTES, SOAK_SECONDS, FAULT_EVERY, WARMUP,
# FLAT_PCT, WRK_CONNECTIONS, H2_CLIENTS, H2_STREAMS, BUILD_DIR, VERSA_BIN. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

BUILD_DIR=${BUILD_DIR:-build-bench}
bench_need wrk wrk
bench_need h2load nghttp2-client
bench_need_nginx
[ -n "${VERSA_BIN:-}" ] || bench_build "$BUILD_DIR" cli/versa

bench_tmp versa-soak
python3 bench/soak.py "$VERSA_BIN" "$TMP" "$NGINX"
