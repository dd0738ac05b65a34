#!/usr/bin/env bash
# Proxy benchmark (not a test): versa against nginx doing the same work in front of the same
# nginx upstream, in interleaved rounds with medians and CPU time per request, printing the goal
# lines of issue 16. Modes: h1 (default), h2 (h2c and TLS), spec (GitHub's spec against prefix
# routing), cold (start-up with 50 APIs), all. The engine is bench/proxy.py; knobs (environment)
# and how to read the figures: bench/README.md and docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
. bench/lib.sh

BUILD_DIR=${BUILD_DIR:-build-bench}
bench_need wrk wrk
bench_need nginx nginx-light
bench_need h2load nghttp2-client
bench_need openssl openssl
[ -n "${VERSA_BIN:-}" ] || bench_build "$BUILD_DIR" cli/versa
export VERSA_BIN NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
exec python3 bench/proxy.py "${1:-h1}"
