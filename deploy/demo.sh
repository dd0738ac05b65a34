#!/usr/bin/env bash
# README command 1: installs the dependencies, builds Versa, starts the demo upstreams (two
# versions of a "pets" API, and the v2-only "shop" API whose v1 is served through adapters) and
# runs the gateway in front of them (config: deploy/demo/versa.yaml). Ctrl-C stops all.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD_DIR:-build}
PORTS=(8080 8443 9901 9001 9002 9003) # as in deploy/demo/versa.yaml

if [ -z "${VERSA_BIN:-}" ]; then # VERSA_BIN: run an already built binary instead
    deploy/install-deps.sh
    [ -f "$BUILD/build.ninja" ] || meson setup "$BUILD"
    ninja -C "$BUILD"
    VERSA_BIN=$BUILD/cli/versa
fi

# A self-signed certificate for the TLS listener, valid for 127.0.0.1 and localhost.
CERTS=var/certs
if [ ! -s "$CERTS/server.crt" ] || [ ! -s "$CERTS/server.key" ]; then
    mkdir -p "$CERTS"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 365 \
        -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
        -keyout "$CERTS/server.key" -out "$CERTS/server.crt" 2>/dev/null
    chmod 600 "$CERTS/server.key"
fi

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "${PORTS[@]}"; do
    if listening "$port"; then
        echo "demo: port $port is already in use (an earlier demo still running?)" >&2
        exit 1
    fi
done

pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT

python3 deploy/demo/pets_upstream.py --version v1 --port 9001 --base /legacy & pids+=($!)
python3 deploy/demo/pets_upstream.py --version v2 --port 9002 & pids+=($!)
# the "shop" API: only v2 runs; v1 clients are served by it through deploy/demo/shop/adapters.yaml
python3 deploy/demo/pets_upstream.py --version v2 --port 9003 --base /shop & pids+=($!)
for port in 9001 9002 9003; do
    for _ in $(seq 100); do
        listening "$port" && break
        sleep 0.1
    done
    listening "$port" || { echo "demo: the pets upstream on port $port did not start" >&2; exit 1; }
done

cat <<EOF

Versa is starting on the demo (config: deploy/demo/versa.yaml). In another terminal, try:

  # the default version (v2), then v1 by path, by Accept and by header
  curl -si http://127.0.0.1:8080/pets/1
  curl -s  http://127.0.0.1:8080/v1/pets/1
  curl -s  -H 'Accept: application/vnd.acme+json; version=1' http://127.0.0.1:8080/pets
  curl -s  -H 'Api-Version: 1' http://127.0.0.1:8080/pets/2

  # create and delete (v2 body: price in cents)
  curl -s  -X POST -H 'Content-Type: application/json' \\
           -d '{"name": "Kiwi", "category": "bird", "owner": "ada", "price": 4200}' \\
           http://127.0.0.1:8080/pets
  curl -si -X DELETE http://127.0.0.1:8080/pets/3

  # HTTP/2: cleartext with prior knowledge, and over TLS (ALPN h2)
  curl -s  --http2-prior-knowledge http://127.0.0.1:8080/pets/1
  curl -s  --http2 --cacert $ROOT/$CERTS/server.crt https://127.0.0.1:8443/pets/1

  # errors are application/problem+json: an unknown version, conflicting selectors
  curl -si http://127.0.0.1:8080/v9/pets/1
  curl -si -H 'Api-Version: 2' http://127.0.0.1:8080/v1/pets/1

  # adapters: the shop API runs only its v2 service; a v1 client still gets v1 (tag, price as a
  # decimal string, status active) plus Deprecation/Sunset headers, and v1 writes are upgraded
  curl -si http://127.0.0.1:8080/v1/shop/pets/1
  curl -s  http://127.0.0.1:8080/v2/shop/pets/1
  curl -s  -X POST -H 'Content-Type: application/json' \\
           -d '{"name": "Kiwi", "tag": "bird", "price": "42.00", "status": "active"}' \\
           http://127.0.0.1:8080/v1/shop/pets

  # admin: health, readiness and Prometheus metrics
  curl -s  http://127.0.0.1:9901/readyz
  curl -s  http://127.0.0.1:9901/metrics

Access log lines (JSON) follow below. Ctrl-C stops the gateway and the demo upstreams.

EOF

# versa runs in the background of this script so that Ctrl-C reaches it as one SIGTERM (a
# graceful drain) and the upstreams are stopped after it exits.
"$VERSA_BIN" serve -c deploy/demo/versa.yaml & versa=$!
trap 'kill -TERM "$versa" 2>/dev/null || true' INT TERM
set +e
while :; do
    wait "$versa"; status=$?
    kill -0 "$versa" 2>/dev/null || break # still draining after a signal: wait again
done
exit "$status"
